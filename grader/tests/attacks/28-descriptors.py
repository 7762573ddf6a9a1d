# Technique: descriptor games: dup2 over 0, 1 and 2, /dev/stdout,
# /proc/self/fd and /proc/1/fd, to reach the report channel and write into it.
# Targets: all
import os

forged = b'{"status": "ran", "tests": [{"name": "t", "outcome": "passed"}]}\n'
paths = ["/dev/stdout", "/dev/stderr", "/proc/1/fd/1", "/proc/1/fd/2"]
paths += [f"/proc/self/fd/{fd}" for fd in range(64)]
for path in paths:
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        continue
    for target in (0, 1, 2):
        try:
            os.dup2(fd, target)
            os.write(target, forged)
        except OSError:
            pass


def __getattr__(name):
    return lambda *a, **k: None
