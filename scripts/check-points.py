#!/usr/bin/env python3
"""Checks, through the API, that every learner's points equal 100 times the
assignments they passed.

Reads lines `USER_ID|PASSED` (PASSED: how many distinct assignments the
learner has a passed submission of, from Postgres) on stdin, mints each
learner's token with the signing secret (common/src/token.rs: HMAC-SHA256 over
a context string and the id's 16 bytes), asks GET /api/me, and compares.

    check-points.py BASE_URL SECRET_FILE < rows
Prints `checked N learners, M wrong` and exits 1 when any is wrong.
"""
import base64
import hashlib
import hmac
import json
import sys
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

CONTEXT = b"codeplatform:user-token:v1:"


def token(secret: bytes, user_id: str) -> str:
    mac = hmac.new(secret, CONTEXT + uuid.UUID(user_id).bytes, hashlib.sha256).digest()
    return f"{user_id}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def points(base: str, secret: bytes, user_id: str) -> int | str:
    req = urllib.request.Request(
        f"{base}/api/me", headers={"Authorization": f"Bearer {token(secret, user_id)}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.load(res)["points"]
    except Exception as e:  # reported as a mismatch, never skipped
        return f"error: {e}"


def main() -> int:
    base, secret_file = sys.argv[1], sys.argv[2]
    with open(secret_file, "rb") as f:
        secret = f.read().rstrip(b"\r\n")
    rows = [line.strip().split("|") for line in sys.stdin if line.strip()]
    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(lambda r: points(base, secret, r[0]), rows))
    wrong = [(r[0], 100 * int(r[1]), got) for r, got in zip(rows, seen) if got != 100 * int(r[1])]
    for user, want, got in wrong[:10]:
        print(f"learner {user}: points {got}, expected {want}", file=sys.stderr)
    print(f"checked {len(rows)} learners, {len(wrong)} wrong")
    return 1 if wrong or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
