# SPDX-License-Identifier: MIT
"""Errors: OSError with QNX's errno.

Every failing call raises OSError(errno, message); Python turns the
errnos it knows into its own subclasses (EPERM: PermissionError, ESRCH:
ProcessLookupError, ETIMEDOUT: TimeoutError, ENOENT: FileNotFoundError,
EEXIST: FileExistsError, EINTR: InterruptedError...).  The errnos that
have no built-in subclass but matter to Axon get one here, all below
AxonError (itself an OSError): QNX's own numbers (ENOREMOTE, ESRVRFAULT,
...) and the network's (EHOSTDOWN, EHOSTUNREACH).
"""
import errno as _errno
import os

# QNX's errno values, as in <sys/neutrino.h>.
ENOREMOTE = 300
ENONDP = 301
EBADFSYS = 302
EMORE = 309
ECTRLTERM = 310
ENOLIC = 311
ESRVRFAULT = 312
EENDIAN = 313

# QNX's messages for its own numbers (Linux's strerror() does not know
# them).
_QNX_MESSAGES = {
    ENOREMOTE: "Must be done on local machine",
    ENONDP: "Need an NDP (8087...) to run",
    EBADFSYS: "Corrupted file system detected",
    EMORE: "More to do, send message again",
    ECTRLTERM: "Remap to the controlling terminal",
    ENOLIC: "No license",
    ESRVRFAULT: "Server fault",
    EENDIAN: "Endian not supported",
}


class AxonError(OSError):
    """An Axon error whose errno has no built-in OSError subclass."""


class NoRemoteError(AxonError):
    """ENOREMOTE: the call must be made on the local node."""


class ServerFaultError(AxonError):
    """ESRVRFAULT: the server faulted while handling the message."""


class EndianError(AxonError):
    """EENDIAN: the peer's byte order is not supported."""


class HostDownError(AxonError):
    """EHOSTDOWN: the remote node stopped answering."""


class HostUnreachableError(AxonError):
    """EHOSTUNREACH: no session to the remote node."""


_CLASSES = {
    ENOREMOTE: NoRemoteError,
    ESRVRFAULT: ServerFaultError,
    EENDIAN: EndianError,
    _errno.EHOSTDOWN: HostDownError,
    _errno.EHOSTUNREACH: HostUnreachableError,
}


def strerror(err):
    """The message for errno err, QNX's own numbers included."""
    msg = _QNX_MESSAGES.get(err)
    return msg if msg is not None else os.strerror(err)


def error(err, what=None):
    """The exception for errno err (a positive number); what, if given,
    names the call or object, as OSError's filename does."""
    cls = _CLASSES.get(err)
    if cls is None:
        cls = AxonError if err in _QNX_MESSAGES else OSError
    if what is None:
        return cls(err, strerror(err))
    return cls(err, strerror(err), what)
