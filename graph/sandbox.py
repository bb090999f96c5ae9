"""Confine a query worker by the kernel: no network, bounded memory.

No network: a seccomp filter (https://www.kernel.org/doc/html/latest/userspace-api/seccomp_filter.html)
makes ``socket()`` and ``connect()`` fail with EPERM, and io_uring (which can open sockets without
those calls) unavailable. Chosen over the alternatives because it needs no privilege (a network
namespace needs CAP_SYS_ADMIN or user namespaces, often disabled in containers) and covers every
address family (Landlock's network rules cover TCP bind/connect only, so UDP and raw sockets would
stay open). The filter is inherited by every thread and child the worker starts and cannot be
lifted. The worker receives its work on a pipe it already holds, so it needs no new socket.

Memory: ``RLIMIT_DATA`` bounds the worker's heap and anonymous mappings; an allocation over it fails
and the engine aborts, which the pool reports as the memory limit (``graph/executor.py``).
``RLIMIT_AS`` would also count the store's file mappings and reserved address space.

On a kernel or machine without seccomp, :func:`confine` raises :class:`SandboxUnavailable`; the
pool then refuses to start unless told to run with the parse check only (``DKG_SANDBOX=warn``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import struct

_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_X32_BIT = 0x40000000

# machine → (audit arch, seccomp syscall number, syscalls denied: socket, connect, io_uring_*)
_ARCHES = {
    "x86_64": (0xC000003E, 317, (41, 42, 425, 426, 427)),
    "aarch64": (0xC00000B7, 277, (198, 203, 425, 426, 427)),
}


class SandboxUnavailable(RuntimeError):
    """The kernel (or the machine's architecture) does not let this process confine itself."""


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _filter(arch: int, denied: tuple[int, ...]) -> bytes:
    """The BPF program: wrong architecture → kill; x32 or a denied syscall → EPERM; else allow."""
    program: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    checks = [(_JGE_K, _X32_BIT)] + [(_JEQ_K, number) for number in denied]
    for index, (op, value) in enumerate(checks):
        program.append((op, len(checks) - index, 0, value))  # jump over the rest and ALLOW, to DENY
    program.append((_RET_K, 0, 0, _RET_ALLOW))
    program.append((_RET_K, 0, 0, _RET_ERRNO | errno.EPERM))
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)


def deny_network() -> None:
    """Install the seccomp filter in this process (and all its threads); irreversible."""
    machine = platform.machine()
    if machine not in _ARCHES:
        raise SandboxUnavailable(f"no seccomp filter for the {machine} architecture")
    arch, seccomp_nr, denied = _ARCHES[machine]
    code = _filter(arch, denied)
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    libc.syscall.restype = ctypes.c_long
    if libc.syscall(ctypes.c_long(seccomp_nr), ctypes.c_uint(_SECCOMP_SET_MODE_FILTER),
                    ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(program)) != 0:
        raise SandboxUnavailable(f"seccomp(SET_MODE_FILTER) failed: {os.strerror(ctypes.get_errno())}")


def limit_memory(max_bytes: int) -> None:
    """Bound this process's data segment (heap and anonymous mappings) to ``max_bytes``."""
    resource.setrlimit(resource.RLIMIT_DATA, (max_bytes, max_bytes))
