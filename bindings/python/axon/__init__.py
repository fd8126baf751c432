# SPDX-License-Identifier: MIT
"""Axon for Python: QNX Neutrino message passing (libaxon) from Python.

    import axon

    with axon.name_attach("echo") as att:          # a server
        msg = att.receive()
        msg.reply(msg.data.upper())

    with axon.name_open("echo") as conn:           # a client
        status, data = conn.send(b"hello", reply_size=5)

Channels, connections and names are objects that close on leaving a with
block; receive() gives a Message (rcvid, data, info; reply(), error(),
read(), write()) or a Pulse; failures raise OSError subclasses carrying
QNX's errno (axon.errors).  See README.md and axon(7).
"""
from . import _lib, errors, netmgr
from ._core import *  # noqa: F401,F403
from ._core import (Attachment, Channel, Connection, Event, Message,
                    NameConnection, Pulse, Reply, client_info, connect,
                    deliver_event, name_attach, name_open, timeout)
from ._lib import ClientInfo, MsgInfo
from .errors import (AxonError, EndianError, HostDownError,
                     HostUnreachableError, NoRemoteError, ServerFaultError)

__version__ = "0.1.0"
library_path = _lib.path

__all__ = [
    "Attachment", "AxonError", "Channel", "ClientInfo", "Connection",
    "EndianError", "Event", "HostDownError", "HostUnreachableError",
    "Message", "MsgInfo", "NameConnection", "NoRemoteError", "Pulse",
    "Reply", "ServerFaultError", "client_info", "connect", "deliver_event",
    "errors", "name_attach", "name_open", "netmgr", "timeout",
]
