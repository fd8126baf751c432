#!/bin/sh
# Runs the Axon demo: one server, three clients, on a private node
# (its own AXON_RUNDIR).  No daemon is needed for local messaging.
set -eu
BUILD=${BUILD:-build}
dir=$(mktemp -d /tmp/axon-demo-XXXXXX)
export AXON_RUNDIR="$dir/node"
srv_pid=""
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

mkfifo "$dir/out"
"$BUILD/examples/demo_server" > "$dir/out" &
srv_pid=$!
# Wait for the server's "ready" line instead of sleeping.
exec 3< "$dir/out"
while IFS= read -r line <&3; do
	echo "$line"
	[ "$line" = "server: ready" ] && break
done
cat <&3 &
cat_pid=$!

clients=""
for who in alice bob carol; do
	"$BUILD/examples/demo_client" "$who" &
	clients="$clients $!"
done
status=0
for p in $clients; do
	wait "$p" || status=1
done
"$BUILD/examples/demo_client" quit
wait "$srv_pid"
srv_pid=""
wait "$cat_pid" 2>/dev/null || true
if [ "$status" -ne 0 ]; then
	echo "demo: a client failed" >&2
	exit 1
fi
echo "demo: finished"
