# Shell helpers for the multi-node test scripts (sourced, not run):
# tests/qnx_two_nodes.sh, tests/resmgr_classic.sh, tests/test_wireshark.sh.
# (examples/demo.sh keeps its own copy on purpose: it is read by users as
# one self-contained example.)
#
# The sourcing script sets, before calling these:
#   dir    its temporary directory (node run directories, logs, secret)
#   pids   the list of what it started, which its cleanup stops
#   AXOND  the axond to run
# Every wait is bounded.

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	read -r _ _ st _ < "/proc/$1/stat" 2>/dev/null || return 1
	[ "$st" != Z ]
}

# stop PID...: SIGTERM, then SIGKILL after STOP_TENTHS tenths of a second
# (30 unless set).
stop() {
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "$@"; do
		n=0
		while alive "$p" && [ "$n" -lt "${STOP_TENTHS:-30}" ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# rand_port: a random port in 10000-32767, below Linux's usual ephemeral
# range (a port from that range may be any connect()'s source port by the
# time axond binds it).
rand_port() {
	echo $((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22768))
}

# make_secret: the nodes' shared secret, $dir/secret.
make_secret() {
	(umask 077 && head -c 32 /dev/urandom | base64 > "$dir/secret")
}

# wait_file FILE PID: until FILE exists and is not empty (10 s at most);
# fails at once if PID exits (an axond whose port is taken, say).
wait_file() {
	n=0
	while [ ! -s "$1" ]; do
		if ! alive "$2" || [ "$n" -ge 100 ]; then
			return 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
}

# start_axond NAME PORT PEER PEER_PORT [OPTION...]: axond for node NAME
# with AXON_RUNDIR $dir/NAME (mode 755), listening on 127.0.0.1:PORT, its
# peer PEER on 127.0.0.1:PEER_PORT, the secret, the ready file
# $dir/NAME.ready and the log $dir/axond-NAME.log; sets ax_pid.
start_axond() {
	sa_name=$1 sa_port=$2 sa_peer=$3 sa_pport=$4
	shift 4
	rm -rf "${dir:?}/$sa_name" "$dir/$sa_name.ready"
	mkdir "$dir/$sa_name"
	chmod 755 "$dir/$sa_name"
	AXON_RUNDIR="$dir/$sa_name" "$AXOND" --node "$sa_name" \
		--listen "127.0.0.1:$sa_port" \
		--peer "$sa_peer=127.0.0.1:$sa_pport" \
		--secret-file "$dir/secret" --ready-file "$dir/$sa_name.ready" \
		--log-level warn "$@" 2> "$dir/axond-$sa_name.log" &
	ax_pid=$!
	pids="$pids $ax_pid"
}

# start_two_nodes [OPTION...]: nodes alpha and beta on two random ports
# (pa, pb; pids ax_alpha, ax_beta), each given the OPTIONs; if one cannot
# start (a port is taken), both again on new ports, five times at most.
# Fails with the axonds' messages on standard error.
start_two_nodes() {
	try=1
	while :; do
		pa=$(rand_port)
		pb=$(rand_port)
		[ "$pa" != "$pb" ] || continue
		start_axond alpha "$pa" beta "$pb" "$@"
		ax_alpha=$ax_pid
		start_axond beta "$pb" alpha "$pa" "$@"
		ax_beta=$ax_pid
		if wait_file "$dir/alpha.ready" "$ax_alpha" &&
		    wait_file "$dir/beta.ready" "$ax_beta"; then
			return 0
		fi
		stop "$ax_alpha" "$ax_beta"
		pids=""
		if [ "$try" -ge 5 ]; then
			echo "axond did not start; its messages:" >&2
			cat "$dir/axond-alpha.log" "$dir/axond-beta.log" >&2
			return 1
		fi
		try=$((try + 1))
	done
}
