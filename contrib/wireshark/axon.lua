-- SPDX-License-Identifier: MIT
--
-- Wireshark dissector for the axond wire format, version 1
-- (docs/design/wire.md; the codec is src/common/wire.c).
--
-- Every frame is a 32-byte little-endian header (magic "ANW1", version,
-- type, flags, body length, conn, msg, offset, 8 reserved bytes), then a
-- fixed body determined by the type, then, for the data-carrying types, up
-- to 65536 data bytes.  Frames span TCP segments: they are reassembled
-- with dissect_tcp_pdus.
--
-- Load:   tshark -X lua_script:contrib/wireshark/axon.lua -o axon.port:7000 ...
-- or copy into ~/.local/lib/wireshark/plugins/.  The TCP port is the
-- preference "axon.port" (default 7000, the port of axond(8)'s examples
-- and packaged axond.conf; axond has no built-in port); "Decode As... AXON"
-- works on any port, and a heuristic recognises a stream that starts with a
-- frame on any port.  Sessions are plain TCP only with `axond --insecure`
-- (`tls no`).  A TLS session (axond's default) on the port is handed to
-- Wireshark's TLS dissector, which, given the session keys
-- (tls.keylog_file), hands the decrypted data back to "axon_tls", the
-- same decoder, registered on the same port in "tls.port".

local axon = Proto("axon", "Axon network manager protocol")

local HDR_SIZE = 32
local MAGIC = 0x31574e41
local MAX_BODY = 256 + 65536
local NODE_NAME = 64
local CRED_SIZE = 92
local NAME_ENTRY = 272

local types = {
	[1] = "HELLO", [2] = "AUTH", [3] = "AUTH_OK", [4] = "PING",
	[5] = "PONG", [6] = "BYE", [7] = "NODEINFO", [8] = "NAMES",
	[16] = "CONNECT_CRED", [17] = "CONNECT_SUCCESS",
	[18] = "CONNECT_FAIL", [19] = "DISCONNECT", [20] = "MSGSEND",
	[21] = "MSGSEND_CRED", [22] = "MSGREPLY", [23] = "MSGREAD",
	[24] = "MSGREAD_SUCCESS", [25] = "MSGREAD_FAIL", [26] = "MSGWRITE",
	[27] = "UNBLOCK", [28] = "EVENT", [29] = "PULSE",
	[30] = "SERVER_GONE", [31] = "RECEIVED",
	[40] = "PS_REQ", [41] = "PS_ANS", [42] = "NODES_REQ",
	[43] = "NODES_ANS", [44] = "SPAWN", [45] = "SPAWN_OK",
	[46] = "STDIO", [47] = "STDIO_ACK", [48] = "EXIT", [49] = "KILL",
	[50] = "PATH_REQ", [51] = "PATH_ANS",
	[52] = "TRACE_REQ", [53] = "TRACE_ANS",
}

-- Fixed body size of each type (wire.c, body_size()).
local fixed_size = {
	[1] = 16 + NODE_NAME, [2] = 32, [3] = 0, [4] = 8, [5] = 8, [6] = 4,
	[7] = 4, [8] = 4, [16] = 12 + CRED_SIZE, [17] = 12, [18] = 4,
	[19] = 0, [20] = 20, [21] = 20 + CRED_SIZE, [22] = 16, [23] = 4,
	[24] = 0, [25] = 4, [26] = 0, [27] = 4, [28] = 32, [29] = 16,
	[30] = 4, [31] = 0, [40] = 4, [41] = 4, [42] = 0, [43] = 4, [44] = 8 + CRED_SIZE,
	[45] = 8, [46] = 4, [47] = 8, [48] = 8, [49] = 4, [50] = 8, [51] = 4,
	[52] = 16, [53] = 4,
}

-- The types whose frames carry data after the fixed body (carries_data()).
local carries_data = {
	[20] = true, [21] = true, [22] = true, [24] = true, [26] = true,
	[8] = true, [41] = true, [43] = true, [44] = true, [46] = true,
	[50] = true, [51] = true, [53] = true,
}

-- Linux's generic errno numbers, the ones the wire carries.
local errnos = {
	[0] = "OK", [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH",
	[4] = "EINTR", [5] = "EIO", [7] = "E2BIG", [9] = "EBADF",
	[11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT",
	[16] = "EBUSY", [17] = "EEXIST", [20] = "ENOTDIR", [21] = "EISDIR",
	[22] = "EINVAL", [24] = "EMFILE", [28] = "ENOSPC", [32] = "EPIPE",
	[34] = "ERANGE", [36] = "ENAMETOOLONG", [38] = "ENOSYS",
	[61] = "ENODATA", [71] = "EPROTO", [75] = "EOVERFLOW",
	[90] = "EMSGSIZE", [95] = "EOPNOTSUPP", [103] = "ECONNABORTED",
	[104] = "ECONNRESET", [107] = "ENOTCONN", [108] = "ESHUTDOWN",
	[110] = "ETIMEDOUT", [111] = "ECONNREFUSED", [112] = "EHOSTDOWN",
	[113] = "EHOSTUNREACH", [125] = "ECANCELED",
}

local sigev = {
	[0] = "SIGEV_SIGNAL", [1] = "SIGEV_NONE", [0x41] = "SIGEV_SIGNAL_CODE",
	[0x42] = "SIGEV_SIGNAL_THREAD", [0x43] = "SIGEV_PULSE",
	[0x44] = "SIGEV_UNBLOCK", [0x46] = "SIGEV_HANDLE",
}

local path_ops = { [1] = "RESOLVE", [2] = "LIST" }
local fds = { [0] = "stdin", [1] = "stdout", [2] = "stderr" }

local function u32(abbr, name, vs) return ProtoField.uint32(abbr, name, base.DEC, vs) end
local function i32(abbr, name, vs) return ProtoField.int32(abbr, name, base.DEC, vs) end

local f = {
	-- header
	magic = ProtoField.uint32("axon.magic", "Magic", base.HEX),
	version = ProtoField.uint8("axon.version", "Version", base.DEC),
	type = ProtoField.uint8("axon.type", "Type", base.DEC, types),
	flags = ProtoField.uint16("axon.flags", "Flags", base.HEX),
	flag_first = ProtoField.bool("axon.flags.first", "FIRST", 16, nil, 0x0001),
	flag_last = ProtoField.bool("axon.flags.last", "LAST", 16, nil, 0x0002),
	len = u32("axon.len", "Body length"),
	conn = u32("axon.conn", "Connection"),
	msg = u32("axon.msg", "Message"),
	offset = u32("axon.offset", "Offset"),
	reserved = ProtoField.bytes("axon.reserved", "Reserved"),
	data = ProtoField.bytes("axon.data", "Data"),
	data_len = u32("axon.data_len", "Data length"),
	text = ProtoField.string("axon.text", "Text"),
	-- HELLO
	hello_min = u32("axon.hello.proto_min", "Lowest version"),
	hello_max = u32("axon.hello.proto_max", "Highest version"),
	hello_nonce = ProtoField.uint64("axon.hello.nonce", "Nonce", base.HEX),
	hello_node = ProtoField.stringz("axon.hello.node", "Node"),
	-- AUTH
	auth_mac = ProtoField.bytes("axon.auth.mac", "MAC"),
	-- PING, PONG
	ping_stamp = ProtoField.uint64("axon.ping.stamp", "Stamp", base.DEC),
	-- BYE
	bye_reason = i32("axon.bye.reason", "Reason", errnos),
	-- NODEINFO
	your_nd = u32("axon.nodeinfo.your_nd", "Your nd"),
	-- NAMES
	names_count = u32("axon.names.count", "Count"),
	name_entry = ProtoField.none("axon.names.entry", "Name entry"),
	name_pid = i32("axon.names.pid", "Pid"),
	name_chid = i32("axon.names.chid", "Chid"),
	name_stamp = ProtoField.uint64("axon.names.stamp", "Registered (ns)", base.DEC),
	name_name = ProtoField.stringz("axon.names.name", "Name"),
	-- cred (CONNECT_CRED, MSGSEND_CRED, SPAWN)
	cred = ProtoField.none("axon.cred", "Credentials"),
	cred_ruid = u32("axon.cred.ruid", "Real uid"),
	cred_euid = u32("axon.cred.euid", "Effective uid"),
	cred_suid = u32("axon.cred.suid", "Saved uid"),
	cred_rgid = u32("axon.cred.rgid", "Real gid"),
	cred_egid = u32("axon.cred.egid", "Effective gid"),
	cred_sgid = u32("axon.cred.sgid", "Saved gid"),
	cred_ngroups = u32("axon.cred.ngroups", "Groups"),
	cred_group = u32("axon.cred.group", "Group"),
	-- CONNECT_CRED
	connect_pid = i32("axon.connect.pid", "Server pid"),
	connect_chid = i32("axon.connect.chid", "Server chid"),
	connect_client_pid = i32("axon.connect.client_pid", "Client pid"),
	-- CONNECT_SUCCESS
	connected_scoid = i32("axon.connected.scoid", "Server connection id"),
	connected_chflags = ProtoField.uint32("axon.connected.chflags", "Channel flags", base.HEX),
	connected_max_ship = u32("axon.connected.max_ship", "Max shipped"),
	-- CONNECT_FAIL, MSGREAD_FAIL, SERVER_GONE
	fail_err = i32("axon.fail.err", "Error", errnos),
	-- MSGSEND, MSGSEND_CRED
	send_tid = i32("axon.send.tid", "Client tid"),
	send_coid = i32("axon.send.coid", "Client coid"),
	send_prio = ProtoField.uint32("axon.send.prio", "Priority", base.HEX),
	send_sbytes = u32("axon.send.sbytes", "Message bytes"),
	send_rbytes = u32("axon.send.rbytes", "Reply buffer bytes"),
	-- MSGREPLY
	reply_status = ProtoField.int64("axon.reply.status", "Status", base.DEC),
	reply_err = i32("axon.reply.err", "Error", errnos),
	reply_total = u32("axon.reply.total", "Reply bytes"),
	-- MSGREAD
	read_len = u32("axon.read.len", "Length"),
	-- UNBLOCK
	unblock_reason = i32("axon.unblock.reason", "Reason", errnos),
	-- EVENT
	event_tid = i32("axon.event.tid", "Client tid"),
	event_notify = i32("axon.event.notify", "Notify", sigev),
	event_signo = i32("axon.event.signo", "Signal or coid"),
	event_prio = i32("axon.event.prio", "Priority"),
	event_code = i32("axon.event.code", "Code"),
	event_value = ProtoField.int64("axon.event.value", "Value", base.DEC),
	-- PULSE
	pulse_prio = i32("axon.pulse.prio", "Priority"),
	pulse_code = i32("axon.pulse.code", "Code"),
	pulse_value = ProtoField.int64("axon.pulse.value", "Value", base.DEC),
	-- PS_REQ
	ps_pid = i32("axon.ps.pid", "Pid"),
	-- TRACE_REQ
	trace_op = u32("axon.trace.op", "Operation",
		{[1] = "START", [2] = "STOP"}),
	trace_seconds = u32("axon.trace.seconds", "Seconds"),
	trace_since = ProtoField.uint64("axon.trace.since", "Since (ns)",
		base.DEC),
	-- PS_ANS, NODES_ANS, PATH_ANS, TRACE_ANS
	ans_err = i32("axon.ans.err", "Error", errnos),
	-- SPAWN
	spawn_argc = u32("axon.spawn.argc", "Arguments"),
	spawn_envc = u32("axon.spawn.envc", "Environment strings"),
	spawn_cwd = ProtoField.stringz("axon.spawn.cwd", "Working directory"),
	spawn_arg = ProtoField.stringz("axon.spawn.arg", "Argument"),
	spawn_env = ProtoField.stringz("axon.spawn.env", "Environment"),
	-- SPAWN_OK
	spawned_pid = i32("axon.spawned.pid", "Pid"),
	spawned_err = i32("axon.spawned.err", "Error", errnos),
	-- STDIO, STDIO_ACK
	stdio_fd = u32("axon.stdio.fd", "Fd", fds),
	ack_fd = u32("axon.ack.fd", "Fd", fds),
	ack_bytes = u32("axon.ack.bytes", "Bytes"),
	-- EXIT
	exit_code = i32("axon.exit.code", "Exit code"),
	exit_signo = i32("axon.exit.signo", "Signal"),
	-- KILL
	kill_signo = i32("axon.kill.signo", "Signal"),
	-- PATH_REQ
	path_op = u32("axon.path.op", "Operation", path_ops),
	path_ftype = u32("axon.path.ftype", "File type"),
	path_path = ProtoField.stringz("axon.path.path", "Path"),
}

local fl = {}
for _, v in pairs(f) do
	fl[#fl + 1] = v
end
axon.fields = fl

local ef_malformed = ProtoExpert.new("axon.malformed", "Malformed frame",
	expert.group.MALFORMED, expert.severity.ERROR)
local ef_notaxon = ProtoExpert.new("axon.bad_magic", "Not an Axon frame (bad magic)",
	expert.group.PROTOCOL, expert.severity.ERROR)
axon.experts = { ef_malformed, ef_notaxon }

axon.prefs.port = Pref.uint("TCP port", 7000,
	"The TCP port axond listens on (its --listen); 0: none, use Decode As")
axon.prefs.heuristic = Pref.bool("Heuristic on any TCP port", true,
	"Recognise a TCP stream that starts with an Axon frame whatever its port")

-- A frame's cred (92 bytes) at off.
local function add_cred(t, buf, off)
	local c = t:add(f.cred, buf(off, CRED_SIZE))
	c:add_le(f.cred_ruid, buf(off, 4))
	c:add_le(f.cred_euid, buf(off + 4, 4))
	c:add_le(f.cred_suid, buf(off + 8, 4))
	c:add_le(f.cred_rgid, buf(off + 12, 4))
	c:add_le(f.cred_egid, buf(off + 16, 4))
	c:add_le(f.cred_sgid, buf(off + 20, 4))
	c:add_le(f.cred_ngroups, buf(off + 24, 4))
	local n = buf(off + 24, 4):le_uint()
	for i = 0, math.min(n, 16) - 1 do
		c:add_le(f.cred_group, buf(off + 28 + 4 * i, 4))
	end
	c:append_text(string.format(": uid %d gid %d",
		buf(off + 4, 4):le_uint(), buf(off + 16, 4):le_uint()))
end

-- NUL-terminated strings from off to off + len: each added as field fld(i)
-- (i counting from 0).
local function add_strings(t, buf, off, len, fld)
	local i = 0
	local stop = off + len
	while off < stop do
		local n = 0
		while off + n < stop and buf(off + n, 1):uint() ~= 0 do
			n = n + 1
		end
		local sz = math.min(n + 1, stop - off)
		t:add(fld(i), buf(off, sz))
		off = off + sz
		i = i + 1
	end
end

-- Dissects the fixed body and data of a frame of type ty at b (body
-- length blen); returns a summary for the Info column.
local function dissect_body(ty, buf, b, blen, t)
	local fixed = fixed_size[ty]
	local dlen = blen - fixed
	local info = ""
	local function le32(o) return buf(b + o, 4):le_uint() end
	local function le32s(o) return buf(b + o, 4):le_int() end

	if ty == 1 then
		t:add_le(f.hello_min, buf(b, 4))
		t:add_le(f.hello_max, buf(b + 4, 4))
		t:add_le(f.hello_nonce, buf(b + 8, 8))
		t:add(f.hello_node, buf(b + 16, NODE_NAME))
		info = " node=" .. buf(b + 16, NODE_NAME):stringz()
	elseif ty == 2 then
		t:add(f.auth_mac, buf(b, 32))
	elseif ty == 4 or ty == 5 then
		t:add_le(f.ping_stamp, buf(b, 8))
		info = " stamp=" .. tostring(buf(b, 8):le_uint64())
	elseif ty == 6 then
		t:add_le(f.bye_reason, buf(b, 4))
		info = " reason=" .. (errnos[le32s(0)] or le32s(0))
	elseif ty == 7 then
		t:add_le(f.your_nd, buf(b, 4))
		info = " your_nd=" .. le32(0)
	elseif ty == 8 then
		t:add_le(f.names_count, buf(b, 4))
		info = " count=" .. le32(0)
		local o = b + 4
		while o + NAME_ENTRY <= b + blen do
			local e = t:add(f.name_entry, buf(o, NAME_ENTRY))
			e:append_text(": " .. buf(o + 16, 256):stringz())
			e:add_le(f.name_pid, buf(o, 4))
			e:add_le(f.name_chid, buf(o + 4, 4))
			e:add_le(f.name_stamp, buf(o + 8, 8))
			e:add(f.name_name, buf(o + 16, 256))
			o = o + NAME_ENTRY
		end
		dlen = 0
	elseif ty == 16 then
		t:add_le(f.connect_pid, buf(b, 4))
		t:add_le(f.connect_chid, buf(b + 4, 4))
		t:add_le(f.connect_client_pid, buf(b + 8, 4))
		add_cred(t, buf, b + 12)
		info = string.format(" pid=%d chid=%d", le32s(0), le32s(4))
	elseif ty == 17 then
		t:add_le(f.connected_scoid, buf(b, 4))
		t:add_le(f.connected_chflags, buf(b + 4, 4))
		t:add_le(f.connected_max_ship, buf(b + 8, 4))
		info = " scoid=" .. le32s(0)
	elseif ty == 18 or ty == 25 or ty == 30 then
		t:add_le(f.fail_err, buf(b, 4))
		info = " err=" .. (errnos[le32s(0)] or le32s(0))
	elseif ty == 20 or ty == 21 then
		t:add_le(f.send_tid, buf(b, 4))
		t:add_le(f.send_coid, buf(b + 4, 4))
		t:add_le(f.send_prio, buf(b + 8, 4))
		t:add_le(f.send_sbytes, buf(b + 12, 4))
		t:add_le(f.send_rbytes, buf(b + 16, 4))
		if ty == 21 then
			add_cred(t, buf, b + 20)
		end
		info = string.format(" sbytes=%d rbytes=%d", le32(12), le32(16))
	elseif ty == 22 then
		t:add_le(f.reply_status, buf(b, 8))
		t:add_le(f.reply_err, buf(b + 8, 4))
		t:add_le(f.reply_total, buf(b + 12, 4))
		if le32s(8) ~= 0 then
			info = " err=" .. (errnos[le32s(8)] or le32s(8))
		else
			info = string.format(" status=%s total=%d",
				tostring(buf(b, 8):le_int64()), le32(12))
		end
	elseif ty == 23 then
		t:add_le(f.read_len, buf(b, 4))
		info = " len=" .. le32(0)
	elseif ty == 27 then
		-- 0x10000 with ETIMEDOUT: a timeout for the SEND state alone
		t:add_le(f.unblock_reason, buf(b, 4))
		local r = le32s(0)
		if r == 110 + 0x10000 then
			info = " reason=ETIMEDOUT (SEND only)"
		else
			info = " reason=" .. (errnos[r] or r)
		end
	elseif ty == 28 then
		t:add_le(f.event_tid, buf(b, 4))
		t:add_le(f.event_notify, buf(b + 4, 4))
		t:add_le(f.event_signo, buf(b + 8, 4))
		t:add_le(f.event_prio, buf(b + 12, 4))
		t:add_le(f.event_code, buf(b + 16, 4))
		t:add(f.reserved, buf(b + 20, 4))
		t:add_le(f.event_value, buf(b + 24, 8))
		info = " notify=" .. (sigev[le32s(4)] or le32s(4))
	elseif ty == 29 then
		t:add_le(f.pulse_prio, buf(b, 4))
		t:add_le(f.pulse_code, buf(b + 4, 4))
		t:add_le(f.pulse_value, buf(b + 8, 8))
		info = string.format(" code=%d value=%s", le32s(4),
			tostring(buf(b + 8, 8):le_int64()))
	elseif ty == 40 then
		t:add_le(f.ps_pid, buf(b, 4))
		info = " pid=" .. le32s(0)
	elseif ty == 52 then
		t:add_le(f.trace_op, buf(b, 4))
		t:add_le(f.trace_seconds, buf(b + 4, 4))
		t:add_le(f.trace_since, buf(b + 8, 8))
		info = (le32s(0) == 1 and " START" or " STOP")
	elseif ty == 41 or ty == 43 or ty == 51 or ty == 53 then
		t:add_le(f.ans_err, buf(b, 4))
		if le32s(0) ~= 0 then
			info = " err=" .. (errnos[le32s(0)] or le32s(0))
		end
		if dlen > 0 then
			t:add(f.text, buf(b + fixed, dlen))
		end
	elseif ty == 44 then
		t:add_le(f.spawn_argc, buf(b, 4))
		t:add_le(f.spawn_envc, buf(b + 4, 4))
		add_cred(t, buf, b + 8)
		local argc = le32(0)
		add_strings(t, buf, b + fixed, dlen, function(i)
			if i == 0 then return f.spawn_cwd end
			if i <= argc then return f.spawn_arg end
			return f.spawn_env
		end)
		info = string.format(" argc=%d envc=%d", argc, le32(4))
		dlen = 0
	elseif ty == 45 then
		t:add_le(f.spawned_pid, buf(b, 4))
		t:add_le(f.spawned_err, buf(b + 4, 4))
		info = " pid=" .. le32s(0)
	elseif ty == 46 then
		t:add_le(f.stdio_fd, buf(b, 4))
		info = " fd=" .. le32(0)
		if dlen == 0 then
			info = info .. " EOF"
		end
	elseif ty == 47 then
		t:add_le(f.ack_fd, buf(b, 4))
		t:add_le(f.ack_bytes, buf(b + 4, 4))
		info = string.format(" fd=%d bytes=%d", le32(0), le32(4))
	elseif ty == 48 then
		t:add_le(f.exit_code, buf(b, 4))
		t:add_le(f.exit_signo, buf(b + 4, 4))
		info = string.format(" code=%d signo=%d", le32s(0), le32s(4))
	elseif ty == 49 then
		t:add_le(f.kill_signo, buf(b, 4))
		info = " signo=" .. le32s(0)
	elseif ty == 50 then
		t:add_le(f.path_op, buf(b, 4))
		t:add_le(f.path_ftype, buf(b + 4, 4))
		if dlen > 0 then
			t:add(f.path_path, buf(b + fixed, dlen))
			info = " " .. (path_ops[le32(0)] or le32(0)) .. " " ..
				buf(b + fixed, dlen):stringz()
		end
		dlen = 0
	end
	if carries_data[ty] then
		t:add(f.data_len, blen - fixed):set_generated()
		if dlen > 0 then
			t:add(f.data, buf(b + fixed, dlen))
		end
	end
	return info
end

-- The length of the frame starting at off in buf (header and body).
local function frame_len(buf, pinfo, off)
	local blen = buf(off + 8, 4):le_uint()
	if blen > MAX_BODY then
		return buf:len() - off -- garbage: take the rest
	end
	return HDR_SIZE + blen
end

-- Frames shown in the Info column of the segment being dissected.
local frames_here = 0

-- Dissects one whole frame (dissect_tcp_pdus hands them over one by one).
local function dissect_frame(buf, pinfo, tree)
	local total = buf:len()
	pinfo.cols.protocol = "AXON"
	local t = tree:add(axon, buf(0, total))
	t:add_le(f.magic, buf(0, 4))
	if buf(0, 4):le_uint() ~= MAGIC then
		t:add_proto_expert_info(ef_notaxon)
		return total
	end
	t:add(f.version, buf(4, 1))
	local ty = buf(5, 1):uint()
	local flags = buf(6, 2):le_uint()
	local blen = buf(8, 4):le_uint()
	local conn = buf(12, 4):le_uint()
	local msg = buf(16, 4):le_uint()
	local name = types[ty] or string.format("type %d", ty)
	t:add(f.type, buf(5, 1))
	local ft = t:add_le(f.flags, buf(6, 2))
	ft:add_le(f.flag_first, buf(6, 2))
	ft:add_le(f.flag_last, buf(6, 2))
	t:add_le(f.len, buf(8, 4))
	t:add_le(f.conn, buf(12, 4))
	t:add_le(f.msg, buf(16, 4))
	t:add_le(f.offset, buf(20, 4))
	t:add(f.reserved, buf(24, 8))
	t:append_text(", " .. name)

	local info = name
	if conn ~= 0 then info = info .. " conn=" .. conn end
	if msg ~= 0 then info = info .. " msg=" .. msg end
	local fixed = fixed_size[ty]
	if fixed == nil or blen < fixed or blen > MAX_BODY or
	    (not carries_data[ty] and blen ~= fixed) or
	    total < HDR_SIZE + blen then
		t:add_proto_expert_info(ef_malformed,
			string.format("Malformed %s frame: body length %d", name, blen))
	else
		info = info .. dissect_body(ty, buf, HDR_SIZE, blen, t)
		if carries_data[ty] and blen > fixed then
			info = info .. string.format(" [%d bytes]", blen - fixed)
		end
	end
	if flags % 4 ~= 0 then
		local fs = {}
		if flags % 2 == 1 then fs[#fs + 1] = "FIRST" end
		if math.floor(flags / 2) % 2 == 1 then fs[#fs + 1] = "LAST" end
		info = info .. " [" .. table.concat(fs, ",") .. "]"
	end
	-- Several frames in one segment: list them all.
	if frames_here == 0 then
		pinfo.cols.info:set(info)
	else
		pinfo.cols.info:append(", " .. info)
	end
	frames_here = frames_here + 1
	return total
end

-- TLS sessions (axond's default) on the port: what the first bytes of
-- each TCP stream said (true: TLS), by tcp.stream.
local tcp_stream = Field.new("tcp.stream")
local stream_tls = {}
local tls_handle = Dissector.get("tls")

function axon.init()
	stream_tls = {}
end

-- The frames of a plaintext session, or of a TLS session's decrypted
-- data (axon_tls below, which TLS calls).
local function dissect_frames(buf, pinfo, tree)
	frames_here = 0
	dissect_tcp_pdus(buf, tree, HDR_SIZE, frame_len, dissect_frame, true)
	return buf:len()
end

-- A TLS record header: content type 20-23, version 3.x.
local function looks_tls(buf)
	if buf:len() < 3 then
		return false
	end
	local ct = buf(0, 1):uint()
	return ct >= 20 and ct <= 23 and buf(1, 1):uint() == 3
end

function axon.dissector(buf, pinfo, tree)
	local st = tcp_stream()
	local key = st and st.value
	if key ~= nil and stream_tls[key] == nil and buf:len() > 0 then
		-- A stream's first bytes: a frame (magic "A") or a TLS record.
		stream_tls[key] = looks_tls(buf)
	end
	if (key ~= nil and stream_tls[key]) or
	    (key == nil and looks_tls(buf)) then
		-- TLS hands the decrypted data (given its keys, e.g.
		-- tls.keylog_file) to axon_tls through "tls.port".
		return tls_handle:call(buf, pinfo, tree)
	end
	return dissect_frames(buf, pinfo, tree)
end

local axon_tls = Proto("axon_tls", "Axon network manager protocol over TLS")
function axon_tls.dissector(buf, pinfo, tree)
	return dissect_frames(buf, pinfo, tree)
end

-- A stream whose next bytes are a frame header of version 1.
local function heuristic(buf, pinfo, tree)
	if not axon.prefs.heuristic or buf:len() < 8 or
	    buf(0, 4):le_uint() ~= MAGIC or buf(4, 1):uint() ~= 1 or
	    fixed_size[buf(5, 1):uint()] == nil then
		return false
	end
	pinfo.conversation = axon
	axon.dissector(buf, pinfo, tree)
	return true
end

local tcp_port = DissectorTable.get("tcp.port")
local tls_port = DissectorTable.get("tls.port")
local registered_port = 0

local function register_port()
	if registered_port ~= 0 then
		tcp_port:remove(registered_port, axon)
		tls_port:remove(registered_port, axon_tls)
	end
	registered_port = axon.prefs.port
	if registered_port ~= 0 then
		tcp_port:add(registered_port, axon)
		tls_port:add(registered_port, axon_tls)
	end
end

function axon.prefs_changed()
	if axon.prefs.port ~= registered_port then
		register_port()
	end
end

register_port()
tcp_port:add_for_decode_as(axon)
tls_port:add_for_decode_as(axon_tls)
axon:register_heuristic("tcp", heuristic)
