#!/bin/sh
# `make install PREFIX=tmp`, then compile and run a QNX-style program
# using only `pkg-config --cflags --libs axon`, statically and shared.
set -eu
BUILD=${1:-build}
tmp=$(mktemp -d /tmp/axon-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
make -s install PREFIX="$tmp/prefix" BUILD="$BUILD" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cat > "$tmp/prog.c" <<'PROG'
#include <stdio.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iomsg.h>
#include <sys/neutrino.h>
#include <sys/netmgr.h>

int
main(void)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;

	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, 3, 0);
	if (chid < 0 || coid < 0 || MsgSendPulse(coid, 10, 7, 99) != 0) {
		perror("axon");
		return 1;
	}
	struct _pulse p;
	if (MsgReceive(chid, &p, sizeof(p), NULL) != 0 || p.code != 7 ||
	    p.value.sival_int != 99) {
		return 1;
	}
	printf("install check: ok (%s)\n", EOK == 0 ? "EOK" : "?");
	return 0;
}
PROG
export AXON_RUNDIR="$tmp/run"
cc -o "$tmp/prog-static" "$tmp/prog.c" $(pkg-config --cflags axon) \
	"$tmp/prefix/lib/libaxon.a" -lpthread
"$tmp/prog-static"
cc -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs axon)
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/prog"
test -f "$tmp/prefix/include/axon/sys/neutrino.h"
test -f "$tmp/prefix/lib/pkgconfig/axon.pc"
# axon(1) and its pages.
test -x "$tmp/prefix/bin/axon"
"$tmp/prefix/bin/axon" --version >/dev/null
"$tmp/prefix/bin/axon" names >/dev/null
for p in axon axon-ps axon-nodes axon-names axon-on axon-send; do
	test -f "$tmp/prefix/share/man/man1/$p.1"
done
# Every page a page cites (.Xr NAME N) that is one of ours, a page or
# another name a page documents (.Nm), is there under that name.
ours=$(sed -n '/^\.Sh NAME/,/^\.Sh/s/^\.Nm \([A-Za-z0-9_-]*\).*/\1/p' docs/man/*.[1-8])
grep -h '^\.Xr [A-Za-z0-9_-]* [1-8]' docs/man/*.[1-8] | sort -u |
while read -r _ n s _; do
	if printf '%s\n' $ours | grep -qx "$n"; then
		test -e "$tmp/prefix/share/man/man$s/$n.$s" ||
		    { echo "install check: $n($s) is cited but not installed"; exit 1; }
	fi
done
# QNX-style programs (tests/qnx/), each built with nothing but pkg-config
# and run against the installed library.
for src in tests/qnx/*.c; do
	name=$(basename "$src" .c)
	cc -Wall -Werror -o "$tmp/$name" "$src" $(pkg-config --cflags --libs axon)
	# (PPS publishers and subscribers need the service: below.)
	if grep -q 'axon-compat: pps' "$src"; then
		continue
	fi
	# (AXON_SLOG: their slog2 records on standard error, not in the
	# host's journal.)
	AXON_SLOG=stderr LD_LIBRARY_PATH="$tmp/prefix/lib" timeout 60 \
		"$tmp/$name" > "$tmp/$name.out"
	# NAME.expected, or for what depends on the machine (the hardware
	# hwinfo_probe finds) NAME.expected.sh, which prints it from sysfs.
	if [ -f "tests/qnx/$name.expected" ]; then
		diff -u "tests/qnx/$name.expected" "$tmp/$name.out"
	elif [ -f "tests/qnx/$name.expected.sh" ]; then
		sh "tests/qnx/$name.expected.sh" > "$tmp/$name.expected"
		diff -u "$tmp/$name.expected" "$tmp/$name.out"
	fi
done
# A QNX build links QNX's libraries by name: the same program with every
# one whose calls Axon has (-lsocket -lpps ...), before and after
# pkg-config's flags, shared and static, gives the same output.
qnxlibs="-lsocket -lpps -lslog2 -lsecpol -ldrvr -lham -ltracelog -lmq"
# shellcheck disable=SC2086
cc -Wall -Werror -o "$tmp/pps_qnxlibs" tests/qnx/pps_status.c $qnxlibs \
	$(pkg-config --cflags --libs axon)
LD_LIBRARY_PATH="$tmp/prefix/lib" timeout 60 "$tmp/pps_qnxlibs" \
	> "$tmp/pps_qnxlibs.out"
diff -u tests/qnx/pps_status.expected "$tmp/pps_qnxlibs.out"
# shellcheck disable=SC2086
cc -Wall -Werror -static -o "$tmp/pps_qnxlibs_static" \
	tests/qnx/pps_status.c $(pkg-config --cflags --libs --static axon) \
	$qnxlibs -lpthread
timeout 60 "$tmp/pps_qnxlibs_static" > "$tmp/pps_qnxlibs_static.out"
diff -u tests/qnx/pps_status.expected "$tmp/pps_qnxlibs_static.out"
# And those that say so (`axon-compat: two-nodes`), server on one node
# and client on another, with the installed axond.
tests/qnx_two_nodes.sh "$tmp/prefix" "$tmp"
# And the PPS ones (`axon-compat: pps`), against the installed axon-pps
# through the installed axon-fs (root and /dev/fuse, or it says skipped).
test -x "$tmp/prefix/sbin/axon-pps"
test -f "$tmp/prefix/share/man/man8/axon-pps.8"
tests/qnx_pps.sh "$tmp/prefix" "$tmp"
# The QNX documentation's classic resource managers (tests/resmgr/), the
# same way, used by Linux tools and a QNX client on their node and from
# another through /net (root and /dev/fuse, or it says skipped).
mkdir "$tmp/resmgr"
for src in tests/resmgr/*.c; do
	cc -Wall -Werror -o "$tmp/resmgr/$(basename "$src" .c)" "$src" \
		$(pkg-config --cflags --libs axon)
done
tests/resmgr_classic.sh "$tmp/prefix" "$tmp/resmgr"
for h in process.h sys/procmgr.h confname.h gulliver.h atomic.h share.h \
	sys/slog2.h slog2.h sys/slog.h hw/inout.h sys/types.h sys/dcmd_chr.h \
	sys/syspage.h string.h signal.h sys/mman.h pthread.h sched.h \
	sys/trace.h after/pci/pci.h hw/pci.h hw/i2c.h secpol/secpol.h sys/memmsg.h sys/rsrcdbmgr.h sys/states.h sys/sysmgr.h \
	time.h errno.h termios.h sys/can_dcmd.h sys/sched_aps.h \
	semaphore.h mqueue.h _pack1.h _packpop.h sys/slogcodes.h \
	sys/procfs.h sys/dcmd_proc.h sys/debug.h sys/storage.h unistd.h \
	sys/iomgr.h hw/sysinfo.h drvr/hwinfo.h \
	bits/types/__sigval_t.h; do
	test -f "$tmp/prefix/include/axon/$h"
done
echo "install check: QNX programs ok"
