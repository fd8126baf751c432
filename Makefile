# Axon build.  `make` builds libaxon; `make check` runs the test suite;
# `make soak SOAK_SECONDS=N` runs the fault soak (docs/soak.md);
# `make demo` runs the demo; `make bench` runs the benchmark;
# `make check-python` tests the Python bindings (bindings/python),
# `make check-rust` the Rust ones (bindings/rust);
# `make install PREFIX=DIR` installs.  SAN=asan or SAN=tsan builds and
# tests with sanitizers in build-asan/ or build-tsan/.
#
# Installation directories (each can be set on its own; the Debian
# packaging sets LIBDIR to the multiarch one): PREFIX, BINDIR, SBINDIR,
# LIBDIR, INCLUDEDIR, MANDIR, DOCDIR, SYSCONFDIR; DESTDIR is prepended to
# each.  SYSTEMDUNITDIR, if set, gets axond.service and axond@.service
# (made for SBINDIR and SYSCONFDIR); empty (the default) installs none.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR  ?= $(PREFIX)/lib
# QNX's libraries whose calls are in libaxon or Linux's libc: a QNX
# build's -lsocket, -lpps ... find a linker script that names libaxon, in
# $(LIBDIR)/axon/qnx, which pkg-config's Libs put on the search path.
QNX_LIB_NAMES := socket pps slog2 secpol drvr ham tracelog mq
INCLUDEDIR ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/axon
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDUNITDIR ?=
SAN     ?=
CC      ?= cc
VERSION := 0.1.0

ifeq ($(SAN),asan)
BUILD   ?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
else ifeq ($(SAN),tsan)
BUILD   ?= build-tsan
CC      := clang
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
BUILD   ?= build
SANFLAGS :=
endif

OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wpointer-arith -Wundef -Wno-unused-parameter
CFLAGS_ALL := -std=gnu17 $(OPT) $(WARN) $(SANFLAGS) \
	-Iinclude/axon -Isrc/lib -Isrc/common -Isrc/axond \
	-idirafter include/axon/after $(CPPFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

LIB_SRC := $(wildcard src/lib/*.c)
COMMON_SRC := $(wildcard src/common/*.c)
# The wire codec is the library's too (name_open() and /net ask axond
# over its control socket: netpath.c), hidden in libaxon.so like the
# rest of its internals.
LIB_OBJ := $(patsubst src/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC)) \
	$(BUILD)/common/wire.o
# libaxon-tools.a: code that axond, the axon command and the tests share
# but the library does not need (the status-page reader and its text
# form); never part of libaxon.so.  They reach the library through
# src/lib/axon_spi.h.
TOOLS_LIB_OBJ := $(patsubst src/common/%.c,$(BUILD)/common/%.o, \
	$(filter-out src/common/wire.c,$(COMMON_SRC)))
# Every public header, at any depth under include/axon (installed as is).
PUB_HDRS := $(shell find include/axon -name '*.h' | LC_ALL=C sort)
HDRS    := $(PUB_HDRS) $(wildcard src/lib/*.h) $(wildcard src/common/*.h)

# axond: everything but main.c goes into a static archive that the tests
# link too, so that its parts can be tested on their own.
AXOND_SRC := $(filter-out src/axond/main.c,$(wildcard src/axond/*.c))
AXOND_OBJ := $(patsubst src/axond/%.c,$(BUILD)/axond-obj/%.o,$(AXOND_SRC))
AXOND_HDRS := $(wildcard src/axond/*.h)
CRYPTO_LIBS := $$(pkg-config --libs libssl libcrypto)
# sd_notify(3) for systemd's Type=notify (main.c only).
SYSTEMD_LIBS := $$(pkg-config --libs libsystemd)

TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_HELPERS := $(BUILD)/bench/scale $(BUILD)/tests/qnxsyms_plain_so

EXAMPLES := $(BUILD)/examples/demo_server $(BUILD)/examples/demo_client

# axon(1), the operator's command: links libaxon.a statically (it uses
# the wire codec and the ps reader, which the shared library hides).
TOOLS_SRC := $(wildcard src/tools/*.c)
TOOLS_OBJ := $(patsubst src/tools/%.c,$(BUILD)/tools/%.o,$(TOOLS_SRC))

all: $(BUILD)/libaxon.a $(BUILD)/libaxon.so.1 $(BUILD)/libaxon-tools.a \
	$(BUILD)/axond $(BUILD)/axon \
	$(BUILD)/axon-fs $(BUILD)/axon-ham $(BUILD)/axon-pps

$(BUILD)/lib/%.o: src/lib/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden -c -o $@ $<

$(BUILD)/common/%.o: src/common/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden -c -o $@ $<

$(BUILD)/axond-obj/%.o: src/axond/%.c $(HDRS) $(AXOND_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/axond-obj/main.o: CFLAGS_ALL += $$(pkg-config --cflags libsystemd)

$(BUILD)/axond-core.a: $(AXOND_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libaxon-tools.a: $(TOOLS_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/axond: $(BUILD)/axond-obj/main.o $(BUILD)/axond-core.a \
	$(BUILD)/libaxon-tools.a $(BUILD)/libaxon.a
	$(CC) -o $@ $^ $(LDFLAGS_ALL) $(CRYPTO_LIBS) $(SYSTEMD_LIBS) -lpthread

$(BUILD)/tools/%.o: src/tools/%.c src/tools/axon.h $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DAXON_VERSION='"$(VERSION)"' -c -o $@ $<

$(BUILD)/axon: $(TOOLS_OBJ) $(BUILD)/libaxon-tools.a $(BUILD)/libaxon.a
	$(CC) -o $@ $^ $(LDFLAGS_ALL) -lpthread -lm

# axon-fs(8), the FUSE bridge to the node's resource managers: links
# libaxon.a statically (it uses the namespace resolver and the _IO_*
# client, which the shared library hides).
FS_SRC := $(wildcard src/fs/*.c)
FUSE_CFLAGS := $$(pkg-config --cflags fuse3)
FUSE_LIBS := $$(pkg-config --libs fuse3)
$(BUILD)/fs/%.o: src/fs/%.c $(HDRS) $(wildcard src/fs/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(FUSE_CFLAGS) -c -o $@ $<

$(BUILD)/axon-fs: $(patsubst src/fs/%.c,$(BUILD)/fs/%.o,$(FS_SRC)) \
	$(BUILD)/libaxon-tools.a $(BUILD)/libaxon.a
	$(CC) -o $@ $^ $(LDFLAGS_ALL) $(FUSE_LIBS) -lpthread

# axon-ham(8), the High Availability Manager at /proc/ham: links
# libaxon.a statically (the request codec and the _IO_* client are
# hidden in the shared library).
HAM_SRC := $(wildcard src/ham/*.c)
$(BUILD)/ham/%.o: src/ham/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/axon-ham: $(patsubst src/ham/%.c,$(BUILD)/ham/%.o,$(HAM_SRC)) \
	$(BUILD)/libaxon.a
	$(CC) -o $@ $^ $(LDFLAGS_ALL) -lpthread

# axon-pps(8), the Persistent Publish/Subscribe service at /pps: links
# libaxon.a statically, as axon-ham does.
PPS_SRC := $(wildcard src/pps/*.c)
$(BUILD)/pps/%.o: src/pps/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/axon-pps: $(patsubst src/pps/%.c,$(BUILD)/pps/%.o,$(PPS_SRC)) \
	$(BUILD)/libaxon.a
	$(CC) -o $@ $^ $(LDFLAGS_ALL) -lpthread

$(BUILD)/libaxon.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libaxon.so.1: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libaxon.so.1 -o $@ $^ $(LDFLAGS_ALL) -lpthread
	ln -sf libaxon.so.1 $(BUILD)/libaxon.so

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(BUILD)/libaxon.a \
	$(BUILD)/axond-core.a $(BUILD)/libaxon-tools.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(BUILD)/axond-core.a \
		$(BUILD)/libaxon-tools.a $(BUILD)/libaxon.a \
		$(LDFLAGS_ALL) $$(pkg-config --libs check) $(CRYPTO_LIBS) -lpthread

# axon-fs's helper-reply check (a pure part of the bridge), tested on
# its own.
$(BUILD)/tests/test_fsproto: tests/test_fsproto.c src/fs/fsproto.c \
	src/fs/fsproto.h $(wildcard tests/*.h) $(BUILD)/libaxon.a \
	$(BUILD)/axond-core.a $(BUILD)/libaxon-tools.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< src/fs/fsproto.c \
		$(BUILD)/axond-core.a $(BUILD)/libaxon-tools.a $(BUILD)/libaxon.a \
		$(LDFLAGS_ALL) $$(pkg-config --libs check) $(CRYPTO_LIBS) -lpthread

# QNX's C library extras by QNX's names from a unit compiled without
# Axon's headers (C89, implicit declarations allowed): linked into
# test_qnxsyms with libaxon.a, and as a program against libaxon.so
# (qnx-libc(3), "Symbols").
PLAIN_CFLAGS := -std=gnu89 $(OPT) -Wall -Wno-implicit-function-declaration \
	$(SANFLAGS)
$(BUILD)/tests/qnxsyms_plain.o: tests/qnxsyms_plain.c
	@mkdir -p $(dir $@)
	$(CC) $(PLAIN_CFLAGS) -c -o $@ $<

$(BUILD)/tests/qnxsyms_plain_so: tests/qnxsyms_plain.c $(BUILD)/libaxon.so.1
	@mkdir -p $(dir $@)
	$(CC) $(PLAIN_CFLAGS) -DQNXSYMS_MAIN -o $@ $< -L$(BUILD) -laxon \
		-Wl,-rpath,$(CURDIR)/$(BUILD) $(LDFLAGS_ALL) -ldl -lpthread

$(BUILD)/tests/test_qnxsyms: tests/test_qnxsyms.c $(BUILD)/tests/qnxsyms_plain.o \
	$(wildcard tests/*.h) $(BUILD)/libaxon.a $(BUILD)/axond-core.a \
	$(BUILD)/libaxon-tools.a
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(BUILD)/tests/qnxsyms_plain.o \
		$(BUILD)/axond-core.a $(BUILD)/libaxon-tools.a $(BUILD)/libaxon.a \
		$(LDFLAGS_ALL) $$(pkg-config --libs check) $(CRYPTO_LIBS) -lpthread

$(BUILD)/examples/%: examples/%.c examples/demo.h $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

tests: $(TEST_BIN) $(TEST_HELPERS) $(BUILD)/axond $(BUILD)/axon $(BUILD)/axon-fs \
	$(BUILD)/axon-ham $(BUILD)/axon-pps

# The whole suite.  Each test file is one program; each test runs in its
# own forked process with a timeout (Check's fork mode).
check: all tests
	@AXON_TEST_BIN=$(BUILD)/tests AXOND=$(BUILD)/axond AXON_CLI=$(BUILD)/axon \
		AXON_FS=$(BUILD)/axon-fs AXON_HAM=$(BUILD)/axon-ham \
		AXON_PPS=$(BUILD)/axon-pps tests/run.sh $(TEST_BIN)

# Everything CI runs: the suite in a normal build, the fault soak (60 s)
# and its self-test, the suite under ASan+UBSan and under TSan, a fuzzing
# smoke run, the man page lint, the install check, the demo, the
# Wireshark dissector check and the Debian packages (deb-check).
check-all:
	$(MAKE) check
	$(MAKE) soak-selftest
	$(MAKE) soak SOAK_SECONDS=$${SOAK_SECONDS:-60}
	$(MAKE) check SAN=asan AXON_TEST_TIMEOUT_MULTIPLIER=3
	TSAN_OPTIONS="die_after_fork=0 halt_on_error=1 $${TSAN_OPTIONS:-}" \
		$(MAKE) check SAN=tsan AXON_TEST_TIMEOUT_MULTIPLIER=5
	$(MAKE) fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-60}
	$(MAKE) man-lint
	$(MAKE) install-check
	$(MAKE) linux-compat-check
	$(MAKE) check-python
	$(MAKE) check-rust
	$(MAKE) demo
	$(MAKE) check-wireshark
	$(MAKE) deb-check

# Builds the Debian packages, installs them, runs the demo and the
# systemd units' command lines against the installed files, and purges
# them (root; tests/test_debian.sh, docs/packaging.md).
deb-check:
	tests/test_debian.sh

# Installs into a temporary prefix and builds a program against it with
# nothing but pkg-config.
install-check: all
	tests/install_check.sh $(BUILD)

# Only the classic resource managers of install-check (tests/resmgr/,
# built against an installed prefix, two nodes, FUSE): about 20 s.
check-resmgr: all
	@tmp=$$(mktemp -d /tmp/axon-classic-build-XXXXXX) && \
	trap 'rm -rf "$$tmp"' EXIT && \
	$(MAKE) -s install PREFIX="$$tmp/prefix" BUILD="$(BUILD)" >/dev/null && \
	for s in tests/resmgr/*.c; do \
		cc -Wall -Werror -o "$$tmp/$$(basename $$s .c)" "$$s" \
		    $$(PKG_CONFIG_PATH="$$tmp/prefix/lib/pkgconfig" \
		    pkg-config --cflags --libs axon) || exit 1; \
	done && \
	tests/resmgr_classic.sh "$$tmp/prefix" "$$tmp"

# Linux programs built with Axon's include directory first on the path
# build and behave as without it; libaxon exports no C library symbol.
linux-compat-check: all
	tests/linux_compat.sh $(BUILD)

demo: $(EXAMPLES) $(BUILD)/axond
	@BUILD=$(BUILD) examples/demo.sh

# The Wireshark dissector (contrib/wireshark/axon.lua) against a captured
# two-node exchange, decoded by tshark field by field (root, tcpdump,
# tshark; skipped otherwise); ~10 s.
check-wireshark: all $(EXAMPLES)
	@BUILD=$(BUILD) tests/test_wireshark.sh

BENCH_BIN := $(BUILD)/bench/axon_rr
$(BUILD)/bench/axon_rr: bench/axon_rr.c bench/bench.h $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

bench: $(BENCH_BIN)
	@BUILD=$(BUILD) bench/run.sh

# A file call through a resource manager's path (axon-fs) against a
# minimal in-memory libfuse file system and against MsgSend, same run
# (issue 9, item 8; docs/benchmarks.md).  Root and /dev/fuse.
$(BUILD)/bench/fs_rr: bench/fs_rr.c $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(FUSE_CFLAGS) -O2 -o $@ $< $(BUILD)/libaxon.a \
		$(LDFLAGS_ALL) $(FUSE_LIBS) -lpthread

# PLACEMENTS: "none" (nothing pinned) and "same" (every process on CPU 0).
bench-fs: $(BUILD)/bench/fs_rr $(BUILD)/axon-fs
	@for pl in $${PLACEMENTS:-none same}; do \
		c=""; [ "$$pl" = same ] && c="-c 0"; \
		d=$$(mktemp -d /tmp/axon-bench-XXXXXX); \
		AXON_RUNDIR=$$d $(BUILD)/bench/fs_rr $(BUILD)/axon-fs \
			-r $${ROUNDS:-5} -n $${CALLS:-2000} $$c; rc=$$?; \
		rm -rf $$d; [ $$rc -eq 0 ] || exit $$rc; \
	done

# A 1 ms periodic timer pulse received with MsgReceive against a timerfd
# read, interleaved in one run, with TimerCreate and with timer_create
# (TimerCreate(3)).
$(BUILD)/bench/timer_jitter: bench/timer_jitter.c bench/bench.h $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

bench-timer: $(BUILD)/bench/timer_jitter
	@d=$$(mktemp -d /tmp/axon-bench-XXXXXX); \
	AXON_RUNDIR=$$d $(BUILD)/bench/timer_jitter; rc=$$?; rm -rf $$d; exit $$rc

# A SCHED_FIFO 30 client's round trips to a one-thread server that 8
# ordinary clients flood: idle, flooded with the send-time boost, and
# flooded without it, in one run (MsgSend(3), docs/benchmarks.md).
$(BUILD)/bench/rt_boost: bench/rt_boost.c bench/bench.h $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

bench-boost: $(BUILD)/bench/rt_boost
	@d=$$(mktemp -d /tmp/axon-bench-XXXXXX); \
	AXON_RUNDIR=$$d $(BUILD)/bench/rt_boost; rc=$$?; rm -rf $$d; exit $$rc

# What one MsgSendPulse() costs its caller, to another process and to
# its own (MsgSendPulse(3)).
$(BUILD)/bench/pulse_cost: bench/pulse_cost.c bench/bench.h $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

bench-pulse: $(BUILD)/bench/pulse_cost
	@d=$$(mktemp -d /tmp/axon-bench-XXXXXX); \
	AXON_RUNDIR=$$d $(BUILD)/bench/pulse_cost; rc=$$?; rm -rf $$d; exit $$rc

# Between two nodes (two axonds on loopback) against tcp_rr, same run.
$(BUILD)/bench/net_rr: bench/net_rr.c bench/bench.h $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

bench-net: $(BUILD)/bench/net_rr $(BUILD)/axond
	@BUILD=$(BUILD) bench/net_run.sh

# What --metrics costs the relayed messages: 16 B round trips between two
# nodes with the metrics port quiet, scraped back to back, and under a
# hostile client (docs/benchmarks.md).
bench-metrics: $(BUILD)/bench/net_rr $(BUILD)/axond
	@BUILD=$(BUILD) bench/metrics_cost.sh

# Scale (issue 11, item 5): 10 000 connections on one channel, 100 000
# remote clients blocked through one axond (and its node lost with all of
# them blocked), a 32-node mesh on loopback and a node leaving and joining it (bench/scale.c; docs/benchmarks.md).
# Long (minutes) and heavy (100 000 threads): not part of `make check`.
# Root raises RLIMIT_NOFILE and kernel.pid_max for it (put back after).
SCALE_CONNS ?= 10000
SCALE_BLOCKED ?= 100000
SCALE_NODES ?= 32
$(BUILD)/bench/scale: bench/scale.c $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

bench-scale: $(BUILD)/bench/scale $(BUILD)/axond
	AXOND=$(BUILD)/axond $(BUILD)/bench/scale conns $(SCALE_CONNS) \
		blocked $(SCALE_BLOCKED) loss $(SCALE_BLOCKED) \
		mesh $(SCALE_NODES) churn

# The fault soak (tests/soak/soak.c): two nodes, servers and clients on
# both, processes killed and stopped and the link cut at random, for
# SOAK_SECONDS; fails on any wrong, duplicated or lost reply.  SOAK_SEED
# replays a run's faults.  See docs/soak.md.
SOAK_SECONDS ?= 60
$(BUILD)/soak/soak: tests/soak/soak.c $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread

soak: $(BUILD)/soak/soak $(BUILD)/axond
	SOAK_SEED=$(SOAK_SEED) $(BUILD)/soak/soak --seconds $(SOAK_SECONDS) \
		--axond $(BUILD)/axond

# The soak's own test: servers that misbehave on purpose (wrong,
# duplicated and lost replies, one held over the bound) must be caught.
soak-selftest: $(BUILD)/soak/soak $(BUILD)/axond
	$(BUILD)/soak/soak --inject --seconds 10 --axond $(BUILD)/axond

# The Python bindings (bindings/python): pytest with Debian's python3
# (python3-pytest), against this build's libaxon.so.1 and axond.
PYTHON ?= /usr/bin/python3
check-python: all
	AXON_BUILD=$(BUILD) AXOND=$(BUILD)/axond \
		AXON_LIB=$(CURDIR)/$(BUILD)/libaxon.so.1 \
		$(PYTHON) -m pytest -q -p no:cacheprovider bindings/python/tests

# A Python client's 16 B round trip to a C server against a C client's
# (bench/axon_rr), same run.
# The C helpers of the bindings' tests (bindings/python/tests/c): a
# server, a client, and a program printing the structures' layout.
$(BUILD)/python/%: bindings/python/tests/c/%.c $(BUILD)/libaxon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(BUILD)/libaxon.a $(LDFLAGS_ALL) -lpthread
BINDINGS_C := $(BUILD)/python/c_server $(BUILD)/python/c_client \
	$(BUILD)/python/layout

bench-python: $(BUILD)/bench/axon_rr $(BUILD)/python/c_server $(BUILD)/libaxon.so.1
	$(PYTHON) bindings/python/bench_rr.py --build $(BUILD)

# The Rust bindings (bindings/rust): cargo test with Debian's cargo and
# rustc (scripts/deps.sh; a rustup toolchain earlier on PATH is not
# used), offline and with no crate from outside, against this build's
# libaxon.so (AXON_LIB_DIR, also the test programs' rpath), axond and
# the C helpers above.  Cargo's output goes to $(BUILD)/rust.  Under
# SAN=asan or tsan the test programs run with the sanitizer's runtime
# preloaded (it must come first; rustc's --as-needed drops it from the
# programs themselves).
CARGO ?= /usr/bin/cargo
RUSTC ?= /usr/bin/rustc
RUSTDOC ?= /usr/bin/rustdoc
RUST_HOST = $(shell $(RUSTC) -vV 2>/dev/null | sed -n 's/^host: //p' | tr a-z- A-Z_)
RUST_SANLIB = $(shell $(CC) -print-file-name=lib$(SAN).so)
RUST_ENV = CARGO_NET_OFFLINE=true CARGO_TARGET_DIR=$(CURDIR)/$(BUILD)/rust \
	RUSTC=$(RUSTC) RUSTDOC=$(RUSTDOC) AXON_LIB_DIR=$(CURDIR)/$(BUILD) AXON_BUILD=$(CURDIR)/$(BUILD) \
	AXOND=$(CURDIR)/$(BUILD)/axond \
	$(if $(SANFLAGS),CARGO_TARGET_$(RUST_HOST)_RUNNER="env LD_PRELOAD=$(RUST_SANLIB)")
check-rust: all $(BINDINGS_C)
	cd bindings/rust && $(RUST_ENV) timeout 900 $(CARGO) test --frozen -q

# A Rust client's 16 B round trip to a C server against a C client's
# (bench/axon_rr), same run (bindings/rust/examples/bench_rr.rs).
bench-rust: $(BUILD)/bench/axon_rr $(BUILD)/python/c_server $(BUILD)/libaxon.so.1
	cd bindings/rust && $(RUST_ENV) $(CARGO) run --frozen --release -q \
		--example bench_rr -- --build $(CURDIR)/$(BUILD)

FUZZ_BIN := $(BUILD)/fuzz/fuzz_ctl $(BUILD)/fuzz/fuzz_wire $(BUILD)/fuzz/fuzz_ps \
	$(BUILD)/fuzz/fuzz_names $(BUILD)/fuzz/fuzz_config $(BUILD)/fuzz/fuzz_iomsg \
	$(BUILD)/fuzz/fuzz_page $(BUILD)/fuzz/fuzz_page_collect $(BUILD)/fuzz/fuzz_disc \
	$(BUILD)/fuzz/fuzz_dirents $(BUILD)/fuzz/fuzz_trace $(BUILD)/fuzz/fuzz_ham \
	$(BUILD)/fuzz/fuzz_fsproto $(BUILD)/fuzz/fuzz_pps $(BUILD)/fuzz/fuzz_ppsline
FUZZ_CC := clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined
$(BUILD)/fuzz/fuzz_names: tests/fuzz/fuzz_names.c src/lib/namesfile.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Iinclude/axon -Isrc/lib -Isrc/common -o $@ \
		tests/fuzz/fuzz_names.c src/lib/namesfile.c
# fuzz_page: the page conversion alone (pure); fuzz_page_collect: the
# same inputs end to end, through a page file and axon__ps_collect().
$(BUILD)/fuzz/fuzz_page: tests/fuzz/fuzz_page.c src/common/psinfo.c src/common/psinfo.h \
	src/lib/nodename.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -DAXON_PS_NO_COLLECT -Isrc/common -Isrc/lib -o $@ \
		tests/fuzz/fuzz_page.c src/common/psinfo.c
$(BUILD)/fuzz/fuzz_page_collect: tests/fuzz/fuzz_page.c $(LIB_SRC) $(COMMON_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -DFUZZ_PAGE_COLLECT -Iinclude/axon -Isrc/lib -Isrc/common \
		-o $@ tests/fuzz/fuzz_page.c $(LIB_SRC) $(COMMON_SRC) -lpthread
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c src/axond/config.c src/axond/config.h \
	src/lib/nodename.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Isrc/axond -Isrc/lib -o $@ tests/fuzz/fuzz_config.c src/axond/config.c
$(BUILD)/fuzz/fuzz_disc: tests/fuzz/fuzz_disc.c src/axond/announce.c src/axond/announce.h src/common/le.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Isrc/axond -Isrc/lib -Isrc/common -o $@ tests/fuzz/fuzz_disc.c src/axond/announce.c \
		$(CRYPTO_LIBS)
$(BUILD)/fuzz/fuzz_ctl: tests/fuzz/fuzz_ctl.c src/lib/ctl.c src/lib/ctl.h
	@mkdir -p $(dir $@)
	clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined \
		-Isrc/lib -Iinclude/axon -o $@ tests/fuzz/fuzz_ctl.c src/lib/ctl.c
$(BUILD)/fuzz/fuzz_wire: tests/fuzz/fuzz_wire.c src/common/wire.c src/common/wire.h src/common/le.h
	@mkdir -p $(dir $@)
	clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined \
		-Isrc/common -o $@ tests/fuzz/fuzz_wire.c src/common/wire.c
$(BUILD)/fuzz/fuzz_ps: tests/fuzz/fuzz_ps.c src/common/psinfo.c src/common/psinfo.h \
	src/lib/nodename.h
	@mkdir -p $(dir $@)
	clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined \
		-DAXON_PS_NO_COLLECT -Isrc/common -Isrc/lib -o $@ tests/fuzz/fuzz_ps.c \
		src/common/psinfo.c

$(BUILD)/fuzz/fuzz_trace: tests/fuzz/fuzz_trace.c src/common/traceinfo.c \
	src/common/traceinfo.h include/axon/sys/trace.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -DAXON_TR_NO_COLLECT -Isrc/common -Iinclude/axon -o $@ \
		tests/fuzz/fuzz_trace.c src/common/traceinfo.c

$(BUILD)/fuzz/fuzz_iomsg: tests/fuzz/fuzz_iomsg.c src/lib/iomsg.c \
		src/lib/notify.c $(HDRS)
	@mkdir -p $(dir $@)
	clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined \
		-Isrc/lib -Iinclude/axon -o $@ tests/fuzz/fuzz_iomsg.c \
		src/lib/iomsg.c src/lib/notify.c

$(BUILD)/fuzz/fuzz_dirents: tests/fuzz/fuzz_dirents.c src/fs/dirents.c src/fs/dirents.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Isrc/fs -o $@ tests/fuzz/fuzz_dirents.c src/fs/dirents.c

$(BUILD)/fuzz/fuzz_fsproto: tests/fuzz/fuzz_fsproto.c src/fs/fsproto.c src/fs/fsproto.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Isrc/fs -o $@ tests/fuzz/fuzz_fsproto.c src/fs/fsproto.c

$(BUILD)/fuzz/fuzz_ham: tests/fuzz/fuzz_ham.c src/lib/hammsg.c src/lib/hammsg.h \
	src/common/le.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Isrc/lib -Isrc/common -Iinclude/axon -o $@ \
		tests/fuzz/fuzz_ham.c src/lib/hammsg.c

$(BUILD)/fuzz/fuzz_ppsline: tests/fuzz/fuzz_ppsline.c src/pps/ppsline.c src/pps/ppsline.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Isrc/pps -o $@ tests/fuzz/fuzz_ppsline.c src/pps/ppsline.c
$(BUILD)/fuzz/fuzz_pps: tests/fuzz/fuzz_pps.c src/lib/pps.c include/axon/sys/pps.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Iinclude/axon -o $@ tests/fuzz/fuzz_pps.c src/lib/pps.c

# Each decoder of untrusted input is fuzzed for FUZZ_SECONDS (split
# between the targets), starting from its seed corpus.
fuzz: $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus-ctl $(BUILD)/fuzz/corpus-wire \
		$(BUILD)/fuzz/corpus-ps $(BUILD)/fuzz/corpus-names \
		$(BUILD)/fuzz/corpus-config $(BUILD)/fuzz/corpus-iomsg \
		$(BUILD)/fuzz/corpus-page $(BUILD)/fuzz/corpus-disc \
		$(BUILD)/fuzz/corpus-dirents
	$(BUILD)/fuzz/fuzz_ctl -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-ctl tests/fuzz/corpus
	$(BUILD)/fuzz/fuzz_wire -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-wire tests/fuzz/corpus-wire
	$(BUILD)/fuzz/fuzz_ps -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-ps tests/fuzz/corpus-ps
	$(BUILD)/fuzz/fuzz_names -max_len=1024 \
		-max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-names tests/fuzz/corpus-names
	$(BUILD)/fuzz/fuzz_config -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-config tests/fuzz/corpus-config
	$(BUILD)/fuzz/fuzz_iomsg -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-iomsg tests/fuzz/corpus-iomsg
	$(BUILD)/fuzz/fuzz_page -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-page tests/fuzz/corpus-page
	$(BUILD)/fuzz/fuzz_page_collect \
		-max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-page tests/fuzz/corpus-page
	$(BUILD)/fuzz/fuzz_disc -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-disc tests/fuzz/corpus-disc
	$(BUILD)/fuzz/fuzz_dirents -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-dirents tests/fuzz/corpus-dirents
	@mkdir -p $(BUILD)/fuzz/corpus-trace
	$(BUILD)/fuzz/fuzz_trace -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-trace tests/fuzz/corpus-trace
	@mkdir -p $(BUILD)/fuzz/corpus-fsproto
	$(BUILD)/fuzz/fuzz_fsproto -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-fsproto tests/fuzz/corpus-fsproto
	@mkdir -p $(BUILD)/fuzz/corpus-ham
	$(BUILD)/fuzz/fuzz_ham -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-ham tests/fuzz/corpus-ham
	@mkdir -p $(BUILD)/fuzz/corpus-pps
	$(BUILD)/fuzz/fuzz_pps -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-pps tests/fuzz/corpus-pps
	@mkdir -p $(BUILD)/fuzz/corpus-ppsline
	$(BUILD)/fuzz/fuzz_ppsline -max_total_time=$$(( $${FUZZ_SECONDS:-60} / 13 )) \
		$(BUILD)/fuzz/corpus-ppsline tests/fuzz/corpus-ppsline

# A recorded campaign of FUZZ_RUNS (10^8) executions per decoder, its
# new inputs merged into the kept corpora (docs/fuzzing.md).
fuzz-campaign: $(FUZZ_BIN)
	BUILD=$(BUILD) scripts/fuzz-campaign.sh $(FUZZERS)

man-lint:
	mandoc -Tlint -W warning docs/man/*.[1-8]

# Headers and man pages are taken by pattern (every include/axon/**/*.h,
# every docs/man/*.N), so that new ones install without a change here.
# Every other name a page documents (its .Nm lines) gets a link to it,
# so that man MsgRead, which pages cite as MsgRead(3), finds MsgReply.3.
# ldconfig runs when the library goes into the system's own directories
# (no DESTDIR: a staged install, a package build, has none to update).
install: all
	cd include/axon && find . -name '*.h' | while read -r h; do \
		install -D -m 644 "$$h" "$(DESTDIR)$(INCLUDEDIR)/axon/$$h" || exit 1; \
	done
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 $(BUILD)/libaxon.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/libaxon.so.1 $(DESTDIR)$(LIBDIR)/
	ln -sf libaxon.so.1 $(DESTDIR)$(LIBDIR)/libaxon.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		axon.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/axon.pc
	install -d $(DESTDIR)$(LIBDIR)/axon/qnx
	for l in $(QNX_LIB_NAMES); do \
		printf '/* QNX links lib%s; Axon has it in libaxon. */\nINPUT(AS_NEEDED(-laxon))\n' "$$l" \
		    > $(DESTDIR)$(LIBDIR)/axon/qnx/lib$$l.so || exit 1; \
		rm -f $(DESTDIR)$(LIBDIR)/axon/qnx/lib$$l.a && \
		ar rc $(DESTDIR)$(LIBDIR)/axon/qnx/lib$$l.a || exit 1; \
		chmod 644 $(DESTDIR)$(LIBDIR)/axon/qnx/lib$$l.so \
		    $(DESTDIR)$(LIBDIR)/axon/qnx/lib$$l.a || exit 1; \
	done
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(BUILD)/axond $(DESTDIR)$(SBINDIR)/
	install -m 755 $(BUILD)/axon-fs $(DESTDIR)$(SBINDIR)/
	install -m 755 $(BUILD)/axon-ham $(DESTDIR)$(SBINDIR)/
	install -m 755 $(BUILD)/axon-pps $(DESTDIR)$(SBINDIR)/
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BUILD)/axon $(DESTDIR)$(BINDIR)/
	for s in 1 3 7 8; do \
		install -d $(DESTDIR)$(MANDIR)/man$$s || exit 1; \
		for m in docs/man/*.$$s; do \
			[ -e "$$m" ] || continue; \
			install -m 644 "$$m" $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
			p=$$(basename "$$m"); \
			for n in $$(sed -n '/^\.Sh NAME/,/^\.Sh/s/^\.Nm \([A-Za-z0-9_-]*\).*/\1/p' "$$m"); do \
				[ "$$n.$$s" = "$$p" ] || \
				ln -sf "$$p" "$(DESTDIR)$(MANDIR)/man$$s/$$n.$$s" || exit 1; \
			done; \
		done; \
	done
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 examples/axond.conf $(DESTDIR)$(DOCDIR)/
	if [ -n "$(SYSTEMDUNITDIR)" ]; then \
		install -d $(DESTDIR)$(SYSTEMDUNITDIR) && \
		for u in axond.service axond@.service; do \
			sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
			    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
			    systemd/$$u.in > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
			chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; \
		done; \
	fi
	@if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null && \
	    d=$$(realpath -m "$(LIBDIR)") && \
	    ldconfig -v -N 2>/dev/null | sed -n 's/^\([^[:space:]][^:]*\):.*/\1/p' | \
	    { while read -r l; do \
		[ "$$(realpath -m "$$l")" = "$$d" ] && exit 0; \
	    done; exit 1; }; then \
		echo "ldconfig"; ldconfig; \
	fi

clean:
	rm -rf build build-asan build-tsan

.PHONY: all tests check check-all check-resmgr check-wireshark check-python check-rust bench-rust bench-fs bench-scale deb-check install-check linux-compat-check demo bench bench-net bench-boost bench-metrics bench-pulse bench-python bench-timer fuzz fuzz-campaign install clean man-lint soak soak-selftest
.SECONDARY:
