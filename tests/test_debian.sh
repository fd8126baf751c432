#!/bin/sh
# `make deb-check`: builds the Debian packages from a copy of the tree
# (dpkg-buildpackage -us -uc -b), checks them (lintian: no errors; the
# library's SONAME and exported symbols; every header and man page of
# the tree in its package; the conffile), installs them on this machine
# (dpkg -i), then, against the installed files only (no
# LD_LIBRARY_PATH):
#   - builds the demo programs with pkg-config and runs examples/demo.sh
#     with the installed axond;
#   - checks the units with systemd-analyze verify;
#   - runs the units' ExecStart lines by hand, as systemd would (the
#     unit's Environment and RuntimeDirectory, the installed config),
#     for the default node and an axond@ instance: first unconfigured
#     (refused), then configured as an operator would; messages between
#     the two nodes; ExecReload (SIGHUP) adding a peer; SIGTERM;
# and purges the packages, leaving the machine as it was.
#
# Needs root (dpkg -i; otherwise skipped) and: dpkg-dev, debhelper, lintian, libsystemd-dev,
# systemd (systemd-analyze), and the build's own dependencies.  Refuses
# to run if any of the packages is already installed.  Every wait is
# bounded; everything started is stopped on exit.
# Env: DEB_BUILD_OPTIONS (passed on: nocheck skips the build's tests),
# AXON_DEB_KEEP=1 keeps the temporary directory, AXON_DEB_REQUIRE=1
# fails instead of skipping when not root.
set -eu
PKGS="axon-node libaxon-dev libaxon1"
src=$(pwd)

# As the suite's root-only tests do: not root, it says so and passes
# (AXON_DEB_REQUIRE=1 makes that a failure).
if [ "$(id -u)" -ne 0 ]; then
	echo "deb-check: skipped: not root (dpkg -i)" >&2
	[ "${AXON_DEB_REQUIRE:-0}" != 1 ] || exit 1
	exit 0
fi
for p in $PKGS; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "installed"; then
		echo "deb-check: $p is installed already; not touching it" >&2
		exit 1
	fi
done
for c in dpkg-buildpackage dh lintian systemd-analyze; do
	if ! command -v "$c" >/dev/null; then
		echo "deb-check: $c is missing (scripts/deps.sh installs it)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d /tmp/axon-deb-XXXXXX)
pids=""
installed=0
made_dirs=""

STOP_TENTHS=50
. "$(dirname "$0")/nodes.sh"

cleanup() {
	st=$?
	# shellcheck disable=SC2086 # a list of pids
	stop $pids
	rm -f /etc/axon/beta.conf /etc/axon/secret
	if [ "$installed" -eq 1 ]; then
		# shellcheck disable=SC2086
		dpkg --purge $PKGS > "$tmp/purge.log" 2>&1 ||
		    { cat "$tmp/purge.log" >&2; st=1; }
	fi
	for d in $made_dirs; do
		rm -rf "$d"
	done
	if [ "${AXON_DEB_KEEP:-0}" = 1 ]; then
		echo "deb-check: kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "deb-check: FAIL: $*" >&2
	exit 1
}

# ---- build -----------------------------------------------------------------
# A copy of the tree: dpkg-buildpackage cleans (make clean removes
# build/, build-asan/, ...) and writes next to the source.
mkdir "$tmp/src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	# One tar reading the list (xargs would split a long list into
	# several archives, of which the extracting tar reads the first).
	git ls-files -co --exclude-standard -z |
	    tar -cf - --null --no-recursion -T - | tar -xf - -C "$tmp/src"
else
	tar -cf - --exclude='./build*' --exclude=./debian/tmp . |
	    tar -xf - -C "$tmp/src"
fi
echo "deb-check: dpkg-buildpackage -us -uc -b" \
    "(DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-})"
if ! (cd "$tmp/src" && dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1
then
	tail -40 "$tmp/build.log" >&2
	fail "dpkg-buildpackage"
fi
grep -E '^(=== |all test programs)' "$tmp/build.log" || true
# New symbols in the library are reported (not fatal): the symbols file
# needs them, with the version that added them.
if grep -q "^+ " "$tmp/build.log" 2>/dev/null; then
	echo "deb-check: note: symbols not in debian/libaxon1.symbols:"
	sed -n '/dpkg-gensymbols: warning/,/^[^-+@ ]/p' "$tmp/build.log"
fi
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in $PKGS; do
	[ -f "$tmp/${p}_${ver}_$arch.deb" ] || fail "no ${p}_${ver}_$arch.deb"
done

# ---- lintian -----------------------------------------------------------------
st=0
lintian --fail-on error "$tmp/axon_${ver}_$arch.changes" > "$tmp/lintian.out" 2>&1 ||
    st=$?
grep -v "^running with root privileges" "$tmp/lintian.out" > "$tmp/lintian.log" || true
[ "$st" -eq 0 ] || { cat "$tmp/lintian.log" >&2; fail "lintian reports errors"; }
if [ -s "$tmp/lintian.log" ]; then
	echo "deb-check: lintian:"
	cat "$tmp/lintian.log"
fi

# ---- contents ----------------------------------------------------------------
contents() { dpkg-deb -c "$tmp/${1}_${ver}_$arch.deb" | awk '{print $6}'; }
contents libaxon1 > "$tmp/libaxon1.list"
contents libaxon-dev > "$tmp/libaxon-dev.list"
contents axon-node > "$tmp/axon-node.list"
has() { grep -qx "./$2" "$tmp/$1.list" || fail "$1 lacks /$2"; }
has libaxon1 "usr/lib/$ma/libaxon.so.1"
has libaxon-dev "usr/lib/$ma/libaxon.so"
has libaxon-dev "usr/lib/$ma/libaxon.a"
has libaxon-dev "usr/lib/$ma/pkgconfig/axon.pc"
# Every header and every man page of the tree, wherever it is.
for h in $(cd include/axon && find . -name '*.h' | sed 's|^\./||'); do
	has libaxon-dev "usr/include/axon/$h"
done
for m in docs/man/*.[1-8]; do
	s=${m##*.}
	case $s in
	3) has libaxon-dev "usr/share/man/man3/$(basename "$m").gz" ;;
	*) has axon-node "usr/share/man/man$s/$(basename "$m").gz" ;;
	esac
done
has axon-node usr/sbin/axond
has axon-node usr/bin/axon
has axon-node etc/axon/axond.conf
has axon-node lib/systemd/system/axond.service
has axon-node lib/systemd/system/axond@.service
dpkg-deb -f "$tmp/axon-node_${ver}_$arch.deb" Depends | grep -q libsystemd0 ||
    fail "axon-node does not depend on libsystemd0"
# SONAME policy: the library is libaxon.so.1 in package libaxon1, and
# exports nothing but names declared in its public headers.
dpkg-deb -x "$tmp/libaxon1_${ver}_$arch.deb" "$tmp/x"
so="$tmp/x/usr/lib/$ma/libaxon.so.1"
soname=$(objdump -p "$so" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = libaxon.so.1 ] || fail "SONAME is '$soname'"
dpkg-deb -e "$tmp/libaxon1_${ver}_$arch.deb" "$tmp/x/DEBIAN"
[ -f "$tmp/x/DEBIAN/symbols" ] || fail "libaxon1 has no symbols file"
grep -q "^libaxon.so.1 libaxon1 " "$tmp/x/DEBIAN/symbols" ||
    fail "symbols file is not for libaxon.so.1/libaxon1"
nexp=0
for s in $(nm -D --defined-only "$so" | awk '{print $3}'); do
	nexp=$((nexp + 1))
	grep -rqw -- "$s" include/axon ||
	    fail "libaxon exports $s, which no public header declares"
done
echo "deb-check: packages ok: SONAME libaxon.so.1, $nexp exported symbols, all declared"

# ---- install -----------------------------------------------------------------
installed=1
dpkg -i "$tmp/libaxon1_${ver}_$arch.deb" "$tmp/libaxon-dev_${ver}_$arch.deb" \
    "$tmp/axon-node_${ver}_$arch.deb" > "$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "dpkg -i"; }
dpkg-query -W -f='${Conffiles}\n' axon-node | grep -q " /etc/axon/axond.conf " ||
    fail "/etc/axon/axond.conf is not a conffile"
ldconfig -p | grep -Eq "libaxon.so.1 .*=> (/usr)?/lib/$ma/libaxon.so.1" ||
    fail "libaxon.so.1 is not in the linker cache"
echo "deb-check: installed"

# ---- the demo against the installed files ------------------------------------
unset LD_LIBRARY_PATH PKG_CONFIG_PATH
mkdir -p "$tmp/demo/examples"
for p in demo_server demo_client; do
	# shellcheck disable=SC2046 # pkg-config's words
	cc -Wall -o "$tmp/demo/examples/$p" "examples/$p.c" \
	    $(pkg-config --cflags --libs axon) ||
	    fail "cannot build $p against the installed libaxon-dev"
	ldd "$tmp/demo/examples/$p" |
	    grep -Eq "libaxon.so.1 => (/usr)?/lib/$ma/libaxon.so.1" ||
	    fail "$p does not use the installed libaxon.so.1"
done
# The static library too.
cc -o "$tmp/demo/static" examples/demo_client.c \
    $(pkg-config --cflags axon) "/usr/lib/$ma/libaxon.a" -lpthread ||
    fail "cannot link the installed libaxon.a"
BUILD="$tmp/demo" AXOND=/usr/sbin/axond examples/demo.sh > "$tmp/demo.log" 2>&1 ||
    { cat "$tmp/demo.log" >&2; fail "the demo against the installed files"; }
grep "^demo: " "$tmp/demo.log"
axon --version >/dev/null || fail "axon --version"
man -w axond.8 >/dev/null && man -w MsgSend.3 >/dev/null ||
    fail "installed man pages not found by man"

# ---- the units -----------------------------------------------------------------
units=/lib/systemd/system
systemd-analyze verify "$units/axond.service" ||
    fail "systemd-analyze verify axond.service"
cp "$units/axond@.service" "$tmp/axond@beta.service"
systemd-analyze verify "$tmp/axond@beta.service" ||
    fail "systemd-analyze verify axond@beta.service"
# The shipped drop-in for nodes that run no commands, as systemd would
# merge it: its [Service] settings appended to the unit's.
dropin=/usr/share/doc/axon-node/examples/no-commands.conf
[ -f "$dropin" ] || fail "$dropin is missing"
mkdir "$tmp/hard"
{
	sed '/^\[Install\]/,$d' "$units/axond.service"
	grep -v -e '^#' -e '^\[Service\]' "$dropin"
	sed -n '/^\[Install\]/,$p' "$units/axond.service"
} > "$tmp/hard/axond.service"
systemd-analyze verify "$tmp/hard/axond.service" ||
    fail "systemd-analyze verify axond.service with $dropin"
echo "deb-check: systemd-analyze verify: ok"

# unit_key UNIT KEY: the value of KEY= in the unit (the last one).
unit_key() { sed -n "s/^$2=//p" "$1" | tail -1; }
# unit_run UNIT INSTANCE LOG: runs the unit's ExecStart as systemd would
# (its Environment, its RuntimeDirectory made if absent, %i expanded),
# in the background; sets run_pid.
unit_run() {
	exe=$(unit_key "$1" ExecStart | sed "s/%i/$2/g")
	envv=$(unit_key "$1" Environment | sed "s/%i/$2/g")
	rd=/run/$(unit_key "$1" RuntimeDirectory | sed "s/%i/$2/g")
	case $envv in AXON_RUNDIR=/run/*) ;; *) fail "$1: Environment=$envv" ;; esac
	[ "${envv#AXON_RUNDIR=}" = "$rd" ] ||
	    fail "$1: AXON_RUNDIR is not the RuntimeDirectory"
	if [ ! -e "$rd" ]; then
		mkdir -m 0755 "$rd"
		made_dirs="$made_dirs $rd"
	fi
	# shellcheck disable=SC2086 # the unit's command line, split as
	# systemd splits one without quotes
	env "$envv" $exe > "$3" 2>&1 &
	run_pid=$!
	pids="$pids $run_pid"
}

# wait_nodes RUNDIR: until the node's axond has written its nodes file
# (it does before it is ready); 10 s at most.
wait_nodes() {
	n=0
	until [ -e "$1/nodes" ] && AXON_RUNDIR=$1 axon nodes >/dev/null 2>&1; do
		[ "$n" -lt 100 ] || return 1
		sleep 0.1
		n=$((n + 1))
	done
}

for d in /run/axon /run/axon-beta; do
	if [ -e "$d/axond.sock" ] || [ -e "$d/nodes" ]; then
		fail "$d is in use by a node; not starting another"
	fi
done

# Unconfigured, as installed: axond refuses (exit 2) and says why.
unit_run "$units/axond.service" "" "$tmp/unconf.log"
st=0
wait "$run_pid" || st=$?
pids=""
[ "$st" -eq 2 ] && grep -q "no node name" "$tmp/unconf.log" ||
    { cat "$tmp/unconf.log" >&2; fail "unconfigured axond: status $st"; }
echo "deb-check: unconfigured axond.service refuses to start: ok"

# Configured as an operator would: this host's default node alpha, and
# an instance axond@beta with its own file; the cluster secret.
pa=$(rand_port)
pb=$(rand_port)
while [ "$pb" = "$pa" ]; do pb=$(rand_port); done
(umask 077 && head -c 32 /dev/urandom | base64 > /etc/axon/secret)
cp /etc/axon/axond.conf "$tmp/axond.conf.orig"
sed -i -e 's/^#node alpha$/node alpha/' \
    -e "s/^#listen 0\.0\.0\.0:7000$/listen 127.0.0.1:$pa/" \
    -e "s/^#peer beta 192\.0\.2\.2:7000$/peer beta 127.0.0.1:$pb/" \
    -e 's/^log-level info$/log-level debug/' /etc/axon/axond.conf
grep -q "^node alpha$" /etc/axon/axond.conf &&
    grep -q "^peer beta 127.0.0.1:$pb$" /etc/axon/axond.conf ||
    fail "the installed axond.conf does not have the expected lines"
sed -e 's/^node alpha$/node ignored/' \
    -e "s/^listen 127.0.0.1:$pa$/listen 127.0.0.1:$pb/" \
    -e '/^peer /d' /etc/axon/axond.conf > /etc/axon/beta.conf
unit_run "$units/axond.service" "" "$tmp/alpha.log"
ax_alpha=$run_pid
unit_run "$units/axond@.service" beta "$tmp/beta.log"
ax_beta=$run_pid
wait_nodes /run/axon && wait_nodes /run/axon-beta ||
    { cat "$tmp/alpha.log" "$tmp/beta.log" >&2; fail "the units' axonds did not start"; }
AXON_RUNDIR=/run/axon-beta axon nodes | grep -q "alpha" &&
    fail "beta knows alpha before anyone called"
# A message from the default node to beta (the instance, node name from
# %i): the demo server on beta, a client on alpha.
AXON_RUNDIR=/run/axon-beta timeout 30 "$tmp/demo/examples/demo_server" \
    --net "$tmp/server.addr" > "$tmp/server.log" 2>&1 &
srv=$!
pids="$pids $srv"
n=0
while [ ! -s "$tmp/server.addr" ]; do
	alive "$srv" && [ "$n" -lt 100 ] || fail "the demo server on beta did not start"
	sleep 0.1
	n=$((n + 1))
done
read -r spid schid < "$tmp/server.addr"
AXON_RUNDIR=/run/axon timeout 30 "$tmp/demo/examples/demo_client" \
    --node beta "$spid" "$schid" erin > "$tmp/client.log" 2>&1 ||
    { cat "$tmp/client.log" "$tmp/alpha.log" "$tmp/beta.log" >&2; fail "alpha -> beta"; }
wait "$srv" || fail "the demo server on beta"
grep -q "node alpha" "$tmp/server.log" ||
    { cat "$tmp/server.log" >&2; fail "beta did not see a message from node alpha"; }
echo "deb-check: axond.service (alpha) -> axond@beta.service: message ok"

# ExecReload: gamma (another instance) is added to alpha's file; after
# the unit's reload command, alpha knows it, at its address.
pg=$(rand_port)
while [ "$pg" = "$pa" ] || [ "$pg" = "$pb" ]; do pg=$(rand_port); done
echo "peer gamma 127.0.0.1:$pg" >> /etc/axon/axond.conf
reload=$(unit_key "$units/axond.service" ExecReload | sed "s/\$MAINPID/$ax_alpha/")
[ -n "$reload" ] || fail "axond.service has no ExecReload"
$reload || fail "ExecReload: $reload"
n=0
until AXON_RUNDIR=/run/axon axon nodes 2>/dev/null | grep "gamma" | grep -q "127.0.0.1:$pg"; do
	[ "$n" -lt 100 ] || { cat "$tmp/alpha.log" >&2; fail "reload did not add gamma"; }
	sleep 0.1
	n=$((n + 1))
done
alive "$ax_alpha" || fail "alpha's axond died on reload"
echo "deb-check: ExecReload added a peer: ok"

# Stop (systemd sends SIGTERM): both exit 0.
for p in $ax_alpha $ax_beta; do
	kill -TERM "$p"
	st=0
	wait "$p" || st=$?
	[ "$st" -eq 0 ] || fail "axond (pid $p) exited $st on SIGTERM"
done
pids=""
cp "$tmp/axond.conf.orig" /etc/axon/axond.conf
echo "deb-check: units' command lines: ok"

# ---- purge -------------------------------------------------------------------
rm -f /etc/axon/beta.conf /etc/axon/secret
installed=0
# shellcheck disable=SC2086
dpkg --purge $PKGS > "$tmp/purge.log" 2>&1 ||
    { cat "$tmp/purge.log" >&2; fail "dpkg --purge"; }
for f in /etc/axon /usr/include/axon /usr/sbin/axond /usr/bin/axon \
    "/usr/lib/$ma/libaxon.so.1" /lib/systemd/system/axond.service; do
	[ ! -e "$f" ] || fail "$f is left after purge"
done
if ldconfig -p | grep -q libaxon; then
	fail "libaxon is left in the linker cache"
fi
echo "deb-check: purged; passed"
