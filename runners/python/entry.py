"""The first instant of a run: the only code that ever runs as root.

The container starts as root holding only CAP_SETUID, CAP_SETGID and
CAP_SETPCAP, with no-new-privileges. This forks once, and each side gives up
root before it does anything else:

- the child becomes the learner's uid and is the *learner host*: it starts
  the learner's processes and holds nothing of ours but learner.py and
  wire.py. It points stdin and stdout away before it drops root, so the
  request (which waits unread in the stdin pipe until the runner reads it)
  and the report channel are never within its reach;
- the parent, PID 1 of the container, imports the runner while it can still
  read it (the harness is readable by root only), becomes the runner's uid,
  makes itself non-dumpable, and runs the tests.

Each side drops every capability from its bounding set and switches all of
its uids and gids, so neither holds a capability afterwards and neither can
regain one. The two uids differ: the learner's processes cannot read the
runner's memory or descriptors through /proc, ptrace it, or signal it.

Usage: python3 -I entry.py WORKDIR [RUNNER_UID LEARNER_UID]
"""

import ctypes
import os
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import learner  # noqa: E402  (both are needed on the learner's side of the fork)
import wire  # noqa: E402,F401

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24

_libc = ctypes.CDLL(None, use_errno=True)


def drop_to(uid):
    """Becomes `uid` for good: no groups, no capability, nothing to regain.
    Started as another user (the development sandbox), there is nothing to
    drop and both sides share that user."""
    if os.geteuid() != 0:
        return
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            if ctypes.get_errno() == 22:  # EINVAL: past the kernel's last capability
                break
            raise OSError(ctypes.get_errno(), "cannot drop a capability from the bounding set")
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise OSError("the uid switch did not take")


def make_undumpable():
    """No /proc/PID/mem, environ or fd for anyone else, and no ptrace."""
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if _libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError("the runner is still dumpable")


def main():
    workdir = sys.argv[1]
    runner_uid, learner_uid = (int(a) for a in sys.argv[2:4]) if len(sys.argv) >= 4 else (10001, 10002)
    to_runner, to_host = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        to_runner.close()
        try:
            # The container's stdin and stdout (the report channel) are gone
            # before anything else happens on this side.
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.closerange(3, to_host.fileno())
            os.closerange(to_host.fileno() + 1, 1 << 16)
            # The lowest priority, for good (lowering it again needs a
            # capability): whatever the learner's code leaves running can
            # barely delay the runner, so its timing says nothing of it.
            os.nice(19)
            drop_to(learner_uid)
            learner.host(to_host, workdir)
        finally:
            os._exit(0)
    to_host.close()
    import runner  # noqa: PLC0415  (read as root: the learner's side never loads it)

    sys.path.remove(HERE)
    drop_to(runner_uid)
    make_undumpable()
    runner.main(to_runner)


if __name__ == "__main__":
    main()
