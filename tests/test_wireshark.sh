#!/bin/sh
# The Wireshark dissector (contrib/wireshark/axon.lua) against a real
# exchange (`make check-wireshark`).
#
# Part 1: two axonds, alpha and beta, with --insecure sessions on random
# loopback ports; tcpdump captures both ports while a client on alpha
# calls the demo server on beta (CONNECT_CRED, MSGSEND, MSGREPLY, PULSE,
# SERVER_GONE), `axon ps -n beta` asks beta for its processes (PS_REQ,
# PS_ANS), `axon trace -n beta` traces it (TRACE_REQ, TRACE_ANS) and
# `axon on -n beta` runs echo there (SPAWN, SPAWN_OK, STDIO, EXIT).  Then tshark decodes the capture with the dissector and the test
# checks the decoded frames field by field: the nodes' HELLOs, every
# MSGSEND answered by a MSGREPLY of the same conn and msg, the lengths,
# the client's data; the same again with every TCP segment cut in three
# (reassembly).  A decode without the dissector's port (and with its
# heuristic off) must find no frame at all.
# Part 2: the same nodes with TLS sessions: the dissector leaves them to
# TLS.  Part 3: frames inside an openssl TLS 1.3 session, decoded with its
# key log (axond cannot write one yet).
#
# Needs root (capture on lo), tcpdump and tshark with Lua; skipped with
# "skipped:" otherwise.  Every wait is bounded; what it started is stopped
# and the temporary directory removed on exit.
# Env: BUILD (build), AXOND ($BUILD/axond), AXON_CLI ($BUILD/axon),
# LUA (contrib/wireshark/axon.lua), KEEP (set: keep the temporary
# directory, with the captures).
set -eu
BUILD=${BUILD:-build}
AXOND=${AXOND:-$BUILD/axond}
AXON_CLI=${AXON_CLI:-$BUILD/axon}
LUA=${LUA:-contrib/wireshark/axon.lua}
case $AXON_CLI in /*) ;; *) AXON_CLI=$PWD/$AXON_CLI ;; esac # for cd /
WHO=wsdemo # the client's name: in its messages and in the replies

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: test_wireshark needs root (tcpdump on lo)"
	exit 0
fi
for t in tcpdump tshark python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "skipped: test_wireshark needs $t (scripts/deps.sh)"
		exit 0
	fi
done
if ! tshark -v 2>/dev/null | grep -q "with Lua"; then
	echo "skipped: test_wireshark: this tshark has no Lua"
	exit 0
fi
for f in "$AXOND" "$AXON_CLI" "$BUILD/examples/demo_server" \
	"$BUILD/examples/demo_client"; do
	if [ ! -x "$f" ]; then
		echo "test_wireshark: $f is missing (make all)" >&2
		exit 1
	fi
done

dir=$(mktemp -d /tmp/axon-ws-XXXXXX)
pids="" # what is still running, stopped by cleanup
failed=0

. "$(dirname "$0")/nodes.sh"

cleanup() {
	# shellcheck disable=SC2086 # a list of pids
	stop $pids
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "test_wireshark: FAIL: $*" >&2
	failed=1
}

make_secret

# wait_grep PATTERN FILE PID: until FILE holds PATTERN (10 s at most).
wait_grep() {
	n=0
	while ! grep -q "$1" "$2" 2>/dev/null; do
		if ! alive "$3" || [ "$n" -ge 100 ]; then
			return 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
}

# start_nodes PCAP: two random ports (pa, pb), the capture on them into
# PCAP (td_pid), then the two nodes (ax_alpha, ax_beta), with sessions as
# $insecure says; if an axond cannot start (a port is taken), all again on
# new ports.
start_nodes() {
try=1
while :; do
	pa=$(rand_port)
	pb=$(rand_port)
	[ "$pa" != "$pb" ] || continue
	rm -f "$1" "$dir/tcpdump.log"
	tcpdump -i lo -U --immediate-mode -n -s 0 -w "$1" \
		"tcp port $pa or tcp port $pb" 2> "$dir/tcpdump.log" &
	td_pid=$!
	pids="$pids $td_pid"
	if ! wait_grep "listening on" "$dir/tcpdump.log" "$td_pid"; then
		echo "test_wireshark: tcpdump did not start:" >&2
		cat "$dir/tcpdump.log" >&2
		exit 1
	fi
	# shellcheck disable=SC2086 # no option or one
	start_axond alpha "$pa" beta "$pb" $insecure
	ax_alpha=$ax_pid
	# shellcheck disable=SC2086
	start_axond beta "$pb" alpha "$pa" $insecure
	ax_beta=$ax_pid
	if wait_file "$dir/alpha.ready" "$ax_alpha" &&
	    wait_file "$dir/beta.ready" "$ax_beta"; then
		break
	fi
	stop "$ax_alpha" "$ax_beta" "$td_pid"
	pids=""
	if [ "$try" -ge 5 ]; then
		echo "test_wireshark: axond did not start; its messages:" >&2
		cat "$dir/axond-alpha.log" "$dir/axond-beta.log" >&2
		exit 1
	fi
	try=$((try + 1))
done
}

insecure=--insecure
start_nodes "$dir/cap.pcap"

# The exchange.  The server on beta writes its pid and chid to a file.
AXON_RUNDIR="$dir/beta" timeout 30 "$BUILD/examples/demo_server" \
	--net "$dir/server.addr" > "$dir/server.out" &
srv_pid=$!
pids="$pids $srv_pid"
if ! wait_file "$dir/server.addr" "$srv_pid"; then
	echo "test_wireshark: the server on beta did not start" >&2
	exit 1
fi
read -r spid schid < "$dir/server.addr"
AXON_RUNDIR="$dir/alpha" timeout 30 "$BUILD/examples/demo_client" \
	--node beta "$spid" "$schid" "$WHO" > "$dir/client.out" ||
	fail "demo_client: $(cat "$dir/client.out")"
wait "$srv_pid" || fail "demo_server: $(cat "$dir/server.out")"
AXON_RUNDIR="$dir/alpha" timeout 30 "$AXON_CLI" ps -n beta \
	> "$dir/ps.out" 2>&1 || fail "axon ps -n beta: $(cat "$dir/ps.out")"
AXON_RUNDIR="$dir/alpha" timeout 30 "$AXON_CLI" trace -n beta -s 1 \
	-o "$dir/trace.json" > "$dir/trace.out" 2>&1 ||
	fail "axon trace -n beta: $(cat "$dir/trace.out")"
(cd / && env -i PATH=/usr/bin:/bin AXON_RUNDIR="$dir/alpha" \
	timeout 30 "$AXON_CLI" on -n beta -- \
	echo "on-beta-$WHO") > "$dir/on.out" 2>&1 ||
	fail "axon on -n beta: $(cat "$dir/on.out")"
grep -q "on-beta-$WHO" "$dir/on.out" || fail "axon on: $(cat "$dir/on.out")"

# The session must have carried all of it before the capture stops: the
# last frame is EXIT's, which the client has seen.  Stop the nodes first
# (their BYEs are captured), then tcpdump, which writes what it has.
stop "$ax_alpha" "$ax_beta"
stop "$td_pid"
pids=""
[ "$failed" -eq 0 ] || exit 1

# ---- Decode ---------------------------------------------------------------
TS="tshark -n -X lua_script:$LUA -o axon.port:$pa -r $dir/cap.pcap"
# shellcheck disable=SC2086 # TS is a command line
if ! $TS -q 2> "$dir/tshark.err"; then
	echo "test_wireshark: tshark failed:" >&2
	cat "$dir/tshark.err" >&2
	exit 1
fi
if grep -qi "lua\|error" "$dir/tshark.err"; then
	fail "tshark complained: $(cat "$dir/tshark.err")"
fi

# Beta's port goes to the dissector through Decode As.
DA="-d tcp.port==$pb,axon"

# The types in the capture, in order (-T fields: one line per packet,
# several frames of one segment separated by commas).
# shellcheck disable=SC2086
$TS $DA -Y axon -T fields -e axon.type > "$dir/types" 2>/dev/null
for t in 1 2 3 6 7 8 16 17 20 22 29 40 41 44 45 46 48; do
	tr ',' '\n' < "$dir/types" | grep -qx "$t" ||
		fail "no frame of type $t in the capture"
done

# decode PCAP OUT: one line per frame of PCAP in OUT, every field as
# name=value (PDML, via python3).
decode() {
	# shellcheck disable=SC2086
	tshark -n -X "lua_script:$LUA" -o "axon.port:$pa" $DA -r "$1" \
		-T pdml 2>/dev/null > "$dir/cap.pdml"
	python3 - "$dir/cap.pdml" > "$2" <<'EOF'
import sys
import xml.etree.ElementTree as ET

for pkt in ET.parse(sys.argv[1]).getroot().iter("packet"):
    for proto in pkt.iter("proto"):
        if proto.get("name") != "axon":
            continue
        fields = []
        for fld in proto.iter("field"):
            name = fld.get("name", "")
            if name == "axon.data":
                fields.append("data=%s" % fld.get("value"))
            elif name.startswith("axon."):
                fields.append("%s=%s" % (name[5:], fld.get("show")))
        print(" ".join(fields) + " ")
EOF
}
decode "$dir/cap.pcap" "$dir/frames"
nframes=$(wc -l < "$dir/frames")
[ "$nframes" -ge 20 ] || fail "only $nframes frames decoded"
grep -v "^magic=0x31574e41 version=1 " "$dir/frames" &&
	fail "frames without the magic and version above"

# frames TYPE [PATTERN]: the decoded frames of TYPE that match PATTERN.
frames() {
	grep " type=$1 " "$dir/frames" | grep -e "${2:-.}" || true
}
# field NAME LINE: the value of field NAME in LINE (its first).
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}

# HELLO: one each way of each session, with the node names.
for node in alpha beta; do
	h=$(frames 1 " hello.node=$node ")
	[ -n "$h" ] || fail "no HELLO from $node"
	printf '%s\n' "$h" |
	    grep -qv " len=80 .*hello.proto_min=1 hello.proto_max=1 " &&
		fail "HELLO of $node: wrong length or versions: $h"
done
[ "$(frames 2 ' len=32 ' | wc -l)" -ge 2 ] || fail "no AUTH each way"
frames 7 | grep -q "nodeinfo.your_nd=" || fail "NODEINFO has no nd"

# CONNECT_CRED to the server's pid and chid, and its CONNECT_SUCCESS.
cc=$(frames 16 " connect.pid=$spid connect.chid=$schid ")
[ "$(printf '%s\n' "$cc" | grep -c .)" -eq 1 ] ||
	fail "not one CONNECT_CRED to $spid/$schid: $cc"
conn=$(field conn "$cc")
if [ -z "$conn" ] || [ "$conn" = 0 ]; then
	fail "CONNECT_CRED without conn"
fi
printf '%s\n' "$cc" | grep -q " len=104 .*cred.ngroups=" ||
	fail "CONNECT_CRED: length or cred: $cc"
frames 17 " conn=$conn .*connected.max_ship=65536" | grep -q . ||
	fail "no CONNECT_SUCCESS for conn $conn"

# Four sends on conn: three hellos (40 bytes, 128 for the reply), quit
# (4 bytes, none); each answered by a MSGREPLY with its conn and msg.
hex=$(printf '%s' "$WHO" | od -An -tx1 | tr -d ' \n')
reply="hello $WHO, from beta"
rlen=$((${#reply} + 1))
nh=0
nq=0
for s in $(frames 20 " conn=$conn " | tr ' ' '@'); do
	s=$(printf '%s' "$s" | tr '@' ' ')
	msg=$(field msg "$s")
	[ "$msg" != 0 ] || fail "MSGSEND with msg 0: $s"
	flags=$(field flags "$s")
	[ "$flags" = 0x0003 ] || fail "MSGSEND not FIRST|LAST: $s"
	r=$(frames 22 " conn=$conn msg=$msg ")
	[ "$(printf '%s\n' "$r" | grep -c .)" -eq 1 ] ||
		fail "not one MSGREPLY to conn $conn msg $msg: $r"
	case $s in
	*" send.sbytes=40 send.rbytes=128 "*)
		nh=$((nh + 1))
		printf '%s\n' "$s" | grep -q " len=60 .*data_len=40 data=.*$hex" ||
			fail "hello MSGSEND: length or data: $s"
		printf '%s\n' "$r" | grep -q " len=$((16 + rlen)) .*reply.status=0 reply.err=0 reply.total=$rlen data_len=$rlen " ||
			fail "hello MSGREPLY: $r"
		rhex=$(printf '%s' "$reply" | od -An -tx1 | tr -d ' \n')
		printf '%s\n' "$r" | grep -q "data=${rhex}00" ||
			fail "hello MSGREPLY data: $r"
		;;
	*" send.sbytes=4 send.rbytes=0 "*)
		nq=$((nq + 1))
		printf '%s\n' "$s" | grep -q " len=24 " || fail "quit: $s"
		printf '%s\n' "$r" | grep -q " len=16 .*reply.total=0 " ||
			fail "quit MSGREPLY: $r"
		;;
	*) fail "unexpected MSGSEND: $s" ;;
	esac
done
[ "$nh" -eq 3 ] || fail "$nh hello MSGSENDs on conn $conn, not 3"
[ "$nq" -eq 1 ] ||
	fail "$nh hello and $nq quit MSGSENDs on conn $conn, not 3 and 1"
frames 29 " conn=$conn .*pulse.code=1 pulse.value=42" | grep -q . ||
	fail "no PULSE code 1 value 42 on conn $conn"
# The server quit: SERVER_GONE (ESRCH), or DISCONNECT if the client
# detached first.
{ frames 30 " conn=$conn .*fail.err=3 "; frames 19 " conn=$conn "; } |
	grep -q . || fail "neither SERVER_GONE nor DISCONNECT of conn $conn"

# axon ps -n beta: a PS_REQ for every process, answered with text.
pr=$(frames 40 " ps.pid=0")
[ -n "$pr" ] || fail "no PS_REQ for pid 0"
pmsg=$(field msg "$pr")
frames 41 " msg=$pmsg .*ans.err=0 " | grep -q " text=" ||
	fail "no PS_ANS with text for msg $pmsg"

# axon trace -n beta: TRACE_REQ START for 11 s, then STOP since the
# time START's answer gave; each answered with text.
ts=$(frames 52 " trace.op=1 trace.seconds=11 trace.since=0")
[ -n "$ts" ] || fail "no TRACE_REQ START: $(frames 52)"
frames 53 " msg=$(field msg "$ts") .*ans.err=0 " | grep -q " text=" ||
	fail "no TRACE_ANS with text for START"
tp=$(frames 52 " trace.op=2 trace.seconds=0 trace.since=[1-9]")
[ -n "$tp" ] || fail "no TRACE_REQ STOP: $(frames 52)"
frames 53 " msg=$(field msg "$tp") .*ans.err=0 " | grep -q " text=" ||
	fail "no TRACE_ANS with text for STOP"

# axon on -n beta: SPAWN of echo, SPAWN_OK, its stdout, EXIT 0.
frames 44 " spawn.argc=2 spawn.envc=1 " | grep -q " spawn.cwd=/ spawn.arg=echo spawn.arg=on-beta-$WHO spawn.env=PATH=/usr/bin:/bin data_len=41 " ||
	fail "SPAWN: $(frames 44)"
frames 45 " spawned.err=0" | grep -q . || fail "no SPAWN_OK"
ohex=$(printf 'on-beta-%s\n' "$WHO" | od -An -tx1 | tr -d ' \n')
frames 46 " stdio.fd=1 .*data=$ohex" | grep -q . || fail "no STDIO of the output"
# The output's STDIO_ACK, if it went before the stream ended.
frames 47 | grep -v " ack.fd=1 ack.bytes=$((${#ohex} / 2)) " &&
	fail "STDIO_ACK: not for the output's bytes"
frames 48 " exit.code=0 exit.signo=0 " | grep -q . || fail "no EXIT 0"
frames 6 " bye.reason=" | grep -q . || fail "no BYE"

# Without the dissector's port, Decode As, or its heuristic: nothing.
n=$(tshark -n -X "lua_script:$LUA" -o axon.port:0 -o axon.heuristic:FALSE \
	-r "$dir/cap.pcap" -Y axon 2>/dev/null | wc -l)
[ "$n" -eq 0 ] || fail "$n packets decoded as axon with the dissector off"
# With the heuristic alone (the default), the same frames.
n=$(tshark -n -X "lua_script:$LUA" -o axon.port:0 -r "$dir/cap.pcap" \
	-T fields -e axon.type 2>/dev/null | grep -c . || true)
[ "$n" -eq "$(grep -c . "$dir/types")" ] ||
	fail "the heuristic finds $n packets, the ports $(grep -c . "$dir/types")"

# Reassembly: the same capture with every TCP segment cut in three (after
# 5 bytes, in a frame's header, and after 40, past it) decodes to the
# same frames.
python3 - "$dir/cap.pcap" "$dir/split.pcap" <<'EOF'
import struct
import sys

src = open(sys.argv[1], "rb").read()
out = [src[:24]]
assert struct.unpack("<I", src[:4])[0] == 0xa1b2c3d4
assert struct.unpack("<I", src[20:24])[0] == 1  # Ethernet (lo)
pos = 24
while pos < len(src):
    sec, usec, incl, orig = struct.unpack("<IIII", src[pos:pos + 16])
    pkt = src[pos + 16:pos + 16 + incl]
    pos += 16 + incl
    ihl = (pkt[14] & 15) * 4
    tcp = 14 + ihl
    doff = (pkt[tcp + 12] >> 4) * 4
    head, payload = pkt[:tcp + doff], pkt[tcp + doff:]
    seq = struct.unpack(">I", head[tcp + 4:tcp + 8])[0]
    cuts = [c for c in (0, 5, 40) if c < len(payload)] or [0]
    for i, c in enumerate(cuts):
        end = cuts[i + 1] if i + 1 < len(cuts) else len(payload)
        h = bytearray(head)
        struct.pack_into(">H", h, 16, ihl + doff + end - c)
        struct.pack_into(">I", h, tcp + 4, (seq + c) & 0xffffffff)
        p = bytes(h) + payload[c:end]
        out.append(struct.pack("<IIII", sec, usec + i, len(p), len(p)) + p)
open(sys.argv[2], "wb").write(b"".join(out))
EOF
decode "$dir/split.pcap" "$dir/split.frames"
nsplit=$(tshark -r "$dir/split.pcap" 2>/dev/null | wc -l)
[ "$nsplit" -gt "$(tshark -r "$dir/cap.pcap" 2>/dev/null | wc -l)" ] ||
	fail "the split capture has no more packets than the capture"
cmp -s "$dir/frames" "$dir/split.frames" ||
	fail "segments cut in three decode differently: $(diff "$dir/frames" "$dir/split.frames" | head -5)"

if [ "$failed" -ne 0 ]; then
	echo "test_wireshark: decoded frames:" >&2
	cat "$dir/frames" >&2
	exit 1
fi

# ---- TLS sessions ---------------------------------------------------------
# axond's default: the dissector hands the port's streams to TLS, which
# finds its records and handshakes; without the keys nothing is taken for
# a (malformed) Axon frame.  Both axonds write their keys where
# SSLKEYLOGFILE says; with that key log the frames inside decode.
insecure=""
export SSLKEYLOGFILE="$dir/axond-keylog"
start_nodes "$dir/tls.pcap"
unset SSLKEYLOGFILE
AXON_RUNDIR="$dir/alpha" timeout 30 "$AXON_CLI" ps -n beta \
	> "$dir/ps.out" 2>&1 || fail "TLS: axon ps -n beta: $(cat "$dir/ps.out")"
stop "$ax_alpha" "$ax_beta"
stop "$td_pid"
pids=""
# The other node's port by Decode As, for TCP and for what TLS decrypts
# ("tls.port"): the session that survives the two nodes' simultaneous
# dials may be either's (without the second, one run in several found no
# frame when beta's listener kept the session).
TT="tshark -n -X lua_script:$LUA -o axon.port:$pa -d tcp.port==$pb,axon -d tls.port==$pb,axon_tls -r $dir/tls.pcap"
# shellcheck disable=SC2086
n=$($TT -Y "tls.handshake.type == 1" 2>/dev/null | grep -c . || true)
[ "$n" -ge 1 ] || fail "TLS: no ClientHello found"
# shellcheck disable=SC2086
n=$($TT -Y "tls.app_data" 2>/dev/null | grep -c . || true)
[ "$n" -ge 4 ] || fail "TLS: $n packets of application data, not 4 or more"
# shellcheck disable=SC2086
n=$($TT -Y "axon or _ws.malformed or _ws.expert.severity == error" \
	2>/dev/null | grep -c . || true)
[ "$n" -eq 0 ] || fail "TLS: $n packets decoded as Axon or malformed"

[ -s "$dir/axond-keylog" ] || fail "TLS: axond wrote no key log"
# shellcheck disable=SC2086
$TT -o "tls.keylog_file:$dir/axond-keylog" -Y axon -T fields \
	-e axon.type 2>/dev/null | tr ',' '\n' > "$dir/tls.types"
for t in 40 41; do
	grep -qx "$t" "$dir/tls.types" ||
		fail "TLS with axond's key log: no frame of type $t decoded"
done
grep -q "SSLKEYLOGFILE" "$dir/axond-alpha.log" ||
	fail "TLS: axond did not warn that it writes its keys"

if [ "$failed" -ne 0 ]; then
	echo "test_wireshark: the TLS capture:" >&2
	# shellcheck disable=SC2086
	$TT >&2 2>/dev/null || true
	exit 1
fi

# ---- TLS with a key log, frame by frame -----------------------------------
# The dissector's path through TLS with frames chosen to test it,
# checked with openssl: a TLS 1.3 session (s_client with -keylogfile)
# carrying a HELLO, a MSGSEND, a frame of no known type (flagged
# malformed) and a PING, written in two pieces so that the HELLO's header
# spans two TLS records.  Given the key log, tshark decodes
# the frames inside; without it, none.
if ! command -v openssl >/dev/null 2>&1 || ! command -v ss >/dev/null 2>&1; then
	echo "test_wireshark: skipped: the key-log part needs openssl and ss"
	echo "test_wireshark: ok: $nframes frames decoded and checked, also in $nsplit segments; TLS sessions go to TLS; no key-log check"
	exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -days 1 \
	-subj /CN=axon-ws > /dev/null 2>&1 || fail "openssl req"
python3 - > "$dir/kl-frames.bin" <<'EOF'
import struct
import sys

def frame(ty, flags, conn, msg, body):
    return struct.pack("<IBBHIIII8x", 0x31574e41, 1, ty, flags, len(body),
                       conn, msg, 0) + body

data = bytes(range(100))
sys.stdout.buffer.write(
    frame(1, 0, 0, 0, struct.pack("<IIQ", 1, 1, 0x1122334455667788) +
          b"tlsnode".ljust(64, b"\0")) +
    frame(20, 3, 7, 9, struct.pack("<iiiII", 5, 0x40000000, 10, len(data),
                                   64) + data) +
    frame(99, 0, 0, 0, b"junk") +  # no such type: malformed
    frame(4, 0, 0, 0, struct.pack("<Q", 123456789)))
EOF
mkfifo "$dir/s_server.in"
exec 4<> "$dir/s_server.in"
try=1
while :; do
	pk=$(rand_port)
	rm -f "$dir/kl.pcap" "$dir/keylog" "$dir/tcpdump.log"
	tcpdump -i lo -U --immediate-mode -n -s 0 -w "$dir/kl.pcap" \
		"tcp port $pk" 2> "$dir/tcpdump.log" &
	td_pid=$!
	pids="$pids $td_pid"
	wait_grep "listening on" "$dir/tcpdump.log" "$td_pid" ||
		fail "tcpdump did not start"
	# The server's stdin stays open (a FIFO this shell holds) so that
	# it does not close the session at once.
	timeout 10 openssl s_server -accept "127.0.0.1:$pk" \
		-cert "$dir/cert.pem" -key "$dir/key.pem" -tls1_3 -quiet \
		-naccept 1 <&4 > "$dir/s_server.out" 2> "$dir/s_server.err" &
	ss_pid=$!
	pids="$pids $ss_pid"
	n=0
	while ! ss -Hltn "sport = :$pk" | grep -q . && alive "$ss_pid" &&
	    [ "$n" -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if ss -Hltn "sport = :$pk" | grep -q .; then
		break
	fi
	stop "$ss_pid" "$td_pid"
	pids=""
	if [ "$try" -ge 5 ]; then
		fail "openssl s_server did not start: $(cat "$dir/s_server.err")"
		break
	fi
	try=$((try + 1))
done
{
	head -c 20 "$dir/kl-frames.bin"
	sleep 0.3
	tail -c +21 "$dir/kl-frames.bin"
	sleep 0.5
} | timeout 10 openssl s_client -connect "127.0.0.1:$pk" -tls1_3 \
	-keylogfile "$dir/keylog" -brief > "$dir/s_client.out" 2>&1 ||
	fail "openssl s_client: $(cat "$dir/s_client.out")"
exec 4>&-
wait "$ss_pid" 2>/dev/null || true
stop "$td_pid"
pids=""
cmp -s "$dir/kl-frames.bin" "$dir/s_server.out" ||
	fail "s_server did not get the frames"
TK="tshark -n -X lua_script:$LUA -o axon.port:$pk -r $dir/kl.pcap"
# shellcheck disable=SC2086
n=$($TK -Y axon 2>/dev/null | grep -c . || true)
[ "$n" -eq 0 ] || fail "TLS without the key log: $n packets as Axon"
# shellcheck disable=SC2086
$TK -o "tls.keylog_file:$dir/keylog" -Y axon -T fields -E occurrence=a \
	-E aggregator=, -e axon.type -e axon.len -e axon.flags -e axon.conn \
	-e axon.msg -e axon.hello.node -e axon.send.sbytes \
	-e axon.send.rbytes -e axon.data_len -e axon.ping.stamp \
	-e axon.malformed 2>/dev/null | tr '\t' ' ' > "$dir/kl.fields"
# (the last field, the malformed frame's expert item: there, whatever
# tshark shows for it)
cut -d' ' -f1-10 "$dir/kl.fields" > "$dir/kl.cut"
if ! printf '%s\n' "1,20,99,4 80,120,4,8 0x0000,0x0003,0x0000,0x0000 0,7,0,0 0,9,0,0 tlsnode 100 64 100 123456789" |
    cmp -s - "$dir/kl.cut" || [ -z "$(cut -d' ' -f11 "$dir/kl.fields")" ]; then
	fail "TLS with the key log: $(cat "$dir/kl.fields")"
fi
if [ "$failed" -ne 0 ]; then
	exit 1
fi
echo "test_wireshark: ok: $nframes frames decoded and checked, also in $nsplit segments; TLS sessions go to TLS; decrypted with a key log"
