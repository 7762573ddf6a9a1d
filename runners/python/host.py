"""The sandbox host: PID 1 of a warm sandbox container of the grader's pool.

The grader starts one such container per slot before any job arrives and
keeps it attached: its stdin brings jobs, its stdout carries their output
back, framed. Each job runs exactly as in a container of its own: the
entry point (`entry.py`), as root with only the capabilities to switch
users, forks the runner and the learner host, and each side drops at once
to a uid of its own. Here those two uids are fresh for every job (drawn
from a span of 100 million), and the entry point of the next job is started
ahead, as soon as the last one is cleaned up: the interpreter, the harness
and both uids' processes are ready when the job comes, and only its request
is left to hand over. What one submission leaves behind
belongs to uids no later job has, and the host removes it all before it
takes the next job:

- every process of both uids (the host, which alone holds CAP_KILL, kills
  each one /proc shows, again until none is left: a daemon, a grandchild
  holding a descriptor, a process that would change its files later);
- every file and folder they own in the writable places (`/tmp`,
  `/dev/shm`): the root is read-only;
- every SysV shared memory segment, message queue and semaphore set they
  own (read from /proc/sysvipc). POSIX message queues cannot be made at
  all (RLIMIT_MSGQUEUE 0), nor keyrings (Docker's seccomp profile refuses
  keyctl and add_key).

Each job gets the rlimits of a container of its own (processes per uid,
CPU time, file size, open files, no core); the container's own memory and
pids limits bound the slot, and the learner's processes are the kernel's
first choice should memory run out (they set oom_score_adj 1000, as in a
container of their own). A job whose processes the kernel killed for
memory is told by the container's memory.events.

Protocol. A job is one JSON line on stdin: {"wall_ms", "report_bytes",
"rlimits": {name: value}, "request": <the runner's request line, text>,
"clean": true (false only for a test's deliberately leaky pool)}. The host answers with frames on stdout, each
a kind byte, a 4-byte big-endian length and that many bytes: b"O" the
runner's channel (its stdout), b"E" its stderr, b"X" the end (JSON:
exit_code, timed_out, channel_overflow, oom_killed, wall_ms), then b"R"
once everything of the job is gone and the host takes the next one (b"F"
instead when it could not clean up: the grader then retires the
container). End of stdin (the grader gone) ends the host and its job.

Usage: python3 -I host.py RLIMITS (the JSON of the rlimits the first job
is started ahead with; a job that wants others gets a fresh start)
"""

import ctypes
import json
import os
import resource
import secrets
import select
import signal
import stat
import struct
import sys
import time

ENTRY = ["/usr/bin/python3", "-I", "/opt/harness/entry.py"]
# A job's uids: an even one for the runner, the next for the learner, drawn
# from here (far from any account's, and from the process sandbox's).
UID_BASE = 1_700_000_000
UID_SPAN = 100_000_000
WRITABLE = ("/tmp", "/dev/shm")
STDERR_CAP = 16 * 1024
RLIMITS = {
    "nproc": resource.RLIMIT_NPROC,
    "cpu": resource.RLIMIT_CPU,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
    "msgqueue": resource.RLIMIT_MSGQUEUE,
}
IPC_RMID = 0
_libc = ctypes.CDLL(None, use_errno=True)
out = sys.stdout.buffer


def frame(kind, data):
    out.write(kind + struct.pack(">I", len(data)) + data)
    out.flush()


def oom_kills():
    """The container's count of processes the kernel killed for memory:
    `oom_kill` in cgroup v2's memory.events or v1's memory.oom_control."""
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as f:
                for line in f:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return 0


class Ready:
    """A job's entry point, started ahead under fresh uids with `rlimits`:
    the runner and the learner host have started, dropped to their uids
    and wait for the request on the entry's stdin."""

    def __init__(self, rlimits):
        self.rlimits = rlimits
        runner = UID_BASE + (secrets.randbelow(UID_SPAN) & ~1)
        self.uids = (runner, runner + 1)
        req_r, self.req_w = os.pipe()
        self.out_r, out_w = os.pipe()
        self.err_r, err_w = os.pipe()
        workdir = f"/tmp/job-{self.uids[1]}"
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.dup2(req_r, 0)
                os.dup2(out_w, 1)
                os.dup2(err_w, 2)
                os.closerange(3, 1 << 16)
                os.setsid()
                for name, value in rlimits.items():
                    resource.setrlimit(RLIMITS[name], (int(value), int(value)))
                os.execv(ENTRY[0], ENTRY + [workdir, str(self.uids[0]), str(self.uids[1])])
            finally:
                os._exit(127)
        for fd in (req_r, out_w, err_w):
            os.close(fd)

    def hand(self, request):
        """Gives it the job's request, written by a child of the host's own
        so a runner slow to read it never holds the host up; the writer's pid."""
        writer = os.fork()
        if writer == 0:
            try:
                os.close(self.out_r)
                os.close(self.err_r)
                _write_all(self.req_w, request)
            finally:
                os._exit(0)
        os.close(self.req_w)
        return writer

    def abandon(self):
        """Ends it unused (the next job wants other rlimits)."""
        for fd in (self.req_w, self.out_r, self.err_r):
            os.close(fd)
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(self.pid, 0)
        return clean(self.uids)


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def relay(job, pid, out_r, err_r):
    """Passes the job's output on until both pipes close or a limit is
    passed; kills the job's process group at a limit."""
    deadline = time.monotonic() + job["wall_ms"] / 1000
    cap = int(job["report_bytes"])
    sent = {out_r: 0, err_r: 0}
    open_fds = [out_r, err_r]
    timed_out = overflow = False
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        # stdin too: no job comes before this one ends, so what it has is
        # its end (the grader gone), and the job dies with the host.
        ready, _, _ = select.select(open_fds + [0], [], [], left)
        if 0 in ready and not os.read(0, 1):
            os.killpg(pid, signal.SIGKILL)
            os._exit(0)
        for fd in ready:
            if fd == 0:
                continue
            data = os.read(fd, 65536)
            if not data:
                open_fds.remove(fd)
                continue
            limit = cap if fd == out_r else STDERR_CAP
            room = limit - sent[fd]
            if room > 0:
                frame(b"O" if fd == out_r else b"E", data[:room])
            sent[fd] += len(data)
            if sent[fd] > limit:
                overflow = True
        if overflow:
            break
    for fd in (out_r, err_r):
        os.close(fd)
    if timed_out or overflow:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    return timed_out, overflow


def reap(pid, writer, deadline):
    """The entry point's exit code (or minus its signal), killing its group
    should it outlive `deadline` (monotonic seconds)."""
    status = None
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
        elif time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            _, status = os.waitpid(pid, 0)
        else:
            time.sleep(0.001)
    os.waitpid(writer, 0)
    return os.waitstatus_to_exitcode(status)


def reap_orphans():
    """As PID 1, reaps what the killed jobs left: a zombie still counts as
    its uid's process."""
    while True:
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not done:
            return


def as_uid(uid, work):
    """True when `work()`, run in a child that drops to `uid`, returns True."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            # Nothing of the host's (its stdout is the grader's channel)
            # stays open under the job's uid.
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.closerange(3, 1 << 16)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            code = 0 if work() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def processes_of(uids):
    """The pids of every process whose real uid is one of `uids` (zombies
    included: they are reaped, not killed), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) in uids:
                            found.append(int(entry))
                        break
        except (OSError, ValueError):
            continue
    return found


def kill_all(uids):
    """SIGKILLs every process of `uids`, again until none is left (one may
    fork meanwhile; RLIMIT_NPROC bounds how many), reaping the orphans that
    come to PID 1. The host kills them itself (it alone holds CAP_KILL), so
    nothing the job left can stop or outrun a cleaner of its own uid. True
    when none is left."""
    for _ in range(200):
        left = processes_of(uids)
        reap_orphans()
        if not left:
            return True
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.002)
    return not processes_of(uids)


def clean(uids):
    """Removes everything of `uids`: first every process, then each uid's
    files and SysV objects, as that uid (it may always remove its own; none
    of its processes is left to interfere). True when nothing is left."""
    if not kill_all(uids):
        return False
    return all(as_uid(uid, lambda uid=uid: _remove_all(uid)) for uid in uids)


def _remove_all(uid):
    for top in WRITABLE:
        _remove_owned(top, uid)
    _remove_sysv(uid)
    return _nothing_left(uid)


def _walk(top, opening=None):
    """Every entry under `top` as (path, lstat), without recursion (a chain
    of folders as deep as the learner liked); a folder `opening` owns is
    opened (mode 700) before it is read (one the learner made unreadable)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if st.st_uid == opening:
                    try:
                        os.chmod(path, 0o700)
                    except OSError:
                        pass
                stack.append(path)
            yield path, st


def _remove_owned(top, uid):
    """Removes what `uid` owns under `top`, deepest first."""
    owned = [(path, stat.S_ISDIR(st.st_mode)) for path, st in _walk(top, uid) if st.st_uid == uid]
    for path, is_dir in reversed(owned):
        try:
            os.rmdir(path) if is_dir else os.unlink(path)
        except OSError:
            pass


def _sysv(kind):
    """(id, owner uid, creator uid) of each SysV object of `kind`."""
    try:
        with open(f"/proc/sysvipc/{kind}") as f:
            header = f.readline().split()
            rows = [dict(zip(header, line.split())) for line in f]
    except OSError:
        return []
    id_col = {"shm": "shmid", "msg": "msqid", "sem": "semid"}[kind]
    return [(int(r[id_col]), int(r["uid"]), int(r["cuid"])) for r in rows]


def _remove_sysv(uid):
    for kind, remove in (
        ("shm", lambda i: _libc.shmctl(i, IPC_RMID, None)),
        ("msg", lambda i: _libc.msgctl(i, IPC_RMID, None)),
        ("sem", lambda i: _libc.semctl(i, 0, IPC_RMID)),
    ):
        for ident, owner, creator in _sysv(kind):
            if uid in (owner, creator):
                remove(ident)


def _nothing_left(uid):
    if any(st.st_uid == uid for top in WRITABLE for _, st in _walk(top)):
        return False
    return not any(uid in (o, c) for kind in ("shm", "msg", "sem") for _, o, c in _sysv(kind))


def run(job, ready):
    """Runs `job` on `ready` (started ahead), reports its end, removes
    everything of its uids; the entry point started ahead for the next job,
    or None when the host could not clean up."""
    kills_before = oom_kills()
    started = time.monotonic()
    writer = ready.hand(job["request"].encode())
    timed_out, overflow = relay(job, ready.pid, ready.out_r, ready.err_r)
    exit_code = reap(ready.pid, writer, started + job["wall_ms"] / 1000 + 1)
    end = {
        "exit_code": exit_code,
        "timed_out": timed_out,
        "channel_overflow": overflow,
        "oom_killed": oom_kills() > kills_before,
        "wall_ms": int((time.monotonic() - started) * 1000),
    }
    frame(b"X", json.dumps(end).encode())
    if job.get("clean", True) and not clean(ready.uids):
        return None
    return Ready(job["rlimits"])


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ready = Ready(json.loads(sys.argv[1]))
    frame(b"R", b"")
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        job = json.loads(line)
        if job["rlimits"] != ready.rlimits:
            if not ready.abandon():
                frame(b"F", b"")
                return
            ready = Ready(job["rlimits"])
        ready = run(job, ready)
        if ready is None:
            frame(b"F", b"")
            return
        frame(b"R", b"")


if __name__ == "__main__":
    main()
