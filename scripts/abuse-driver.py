#!/usr/bin/env python3
"""The abusive clients of scripts/bench-abuse.sh, each printing one JSON line.

  abuse-driver.py flood API_URL             30 learners from 127.0.0.1 submit a loop;
                                           an honest learner from another lane's address
                                           then submits; how long it waits for its verdict
  abuse-driver.py idle API_URL PID N ADDRS N idle keep-alive connections from the
                                           comma-separated loopback ADDRS; the API's memory
                                           before, with them, once idle, after they close
  abuse-driver.py halfbody API_URL PID N   N connections each announcing a 1 MiB hand-in
                                           and sending half; the API's memory before,
                                           with them, after; what each got back and when
                                           the last one was closed
  abuse-driver.py pingflood WS_URL PID SECRET [PAYLOAD]
                                           a socket that sends pings and never reads;
                                           the gateway's memory before, at its peak, after

Only loopback is ever a target. Every loop is bounded in count and time.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import socket
import sys
import time
import urllib.parse
import uuid

LANES = 16
LOOP = "while True:\n    pass\n"
SOLUTION = "def greet(name):\n    return f\"Hello, {name or 'world'}!\"\n"


def lane_for(address):
    """queue::jobs::lane_for, for choosing an address in another lane."""
    digest = hashlib.sha256(address.encode()).digest()
    return int.from_bytes(digest[:2], "big") % LANES


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def request(api, method, path, source, token=None, body=None):
    parsed = urllib.parse.urlparse(api)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10, source_address=(source, 0))
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, (json.loads(data) if data else None)


def learner(api, source):
    status, body = request(api, "POST", "/api/users", source)
    assert status == 201, (status, body)
    return body["token"]


def submit(api, source, token, code):
    status, body = request(api, "POST", "/api/assignments/1/submissions", source, token, {"code": code})
    assert status == 202, (status, body)
    return body["submission"]["id"]


def status_of(api, source, token, sid):
    _, body = request(api, "GET", f"/api/submissions/{sid}", source, token)
    return body["submission"]["status"]


def flood(api):
    flooder = "127.0.0.1"
    honest = next(f"127.0.0.{i}" for i in range(2, 255) if lane_for(f"127.0.0.{i}") != lane_for(flooder))
    started_flood = time.monotonic()
    loops = []
    for i in range(30):
        token = learner(api, flooder)
        loops.append((token, submit(api, flooder, token, f"# {i}\n{LOOP}")))
    token = learner(api, honest)
    started = time.monotonic()
    sid = submit(api, honest, token, SOLUTION)
    waited = None
    while time.monotonic() - started < 300:
        if status_of(api, honest, token, sid) not in ("queued", "grading"):
            waited = time.monotonic() - started
            break
        time.sleep(0.1)
    drained = None
    while time.monotonic() - started_flood < 400:
        if all(status_of(api, flooder, t, s) not in ("queued", "grading") for t, s in loops):
            drained = time.monotonic() - started_flood
            break
        time.sleep(0.5)
    print(json.dumps({"honest_wait_s": waited, "flood_drained_s": drained, "honest_address": honest}))


def idle(api, pid, count, sources):
    """`count` keep-alive connections, spread over `sources`, each after one
    answered request; then whether the server closes them on its own."""
    parsed = urllib.parse.urlparse(api)
    before = rss_mib(pid)
    held, refused = [], 0
    started = time.monotonic()
    for i in range(count):
        source = sources[i % len(sources)]
        s = socket.create_connection((parsed.hostname, parsed.port), timeout=5, source_address=(source, 0))
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n")
            answered = s.recv(4096)
        except OSError:
            answered = b""
        if answered:
            held.append(s)
        else:
            refused += 1
            s.close()
    opened_s = time.monotonic() - started
    time.sleep(1)
    with_open = rss_mib(pid)
    # Idle past the API's header (keep-alive) timeout, 10 s by default.
    time.sleep(12)
    closed_by_server = 0
    for s in held:
        s.setblocking(False)
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                closed_by_server += 1
        except BlockingIOError:
            pass
        except OSError:
            closed_by_server += 1
    idle_mib = rss_mib(pid)
    for s in held:
        s.close()
    time.sleep(5)
    after = rss_mib(pid)
    print(json.dumps({"sources": len(sources), "before_mib": before, "open_mib": with_open,
                      "idle_13s_mib": idle_mib, "after_mib": after, "held": len(held),
                      "refused": refused, "closed_by_server": closed_by_server,
                      "opened_in_s": opened_s}))


def halfbody(api, pid, count):
    """`count` connections from one address, each sending the head of a
    1 MiB submission and half of its body, then nothing."""
    parsed = urllib.parse.urlparse(api)
    token = learner(api, "127.0.0.1")
    before = rss_mib(pid)
    length = 1 << 20
    head = (f"POST /api/assignments/1/submissions HTTP/1.1\r\nHost: api\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()
    half = b" " * (length // 2)
    held, started = [], time.monotonic()
    for _ in range(count):
        s = socket.create_connection((parsed.hostname, parsed.port), timeout=5)
        try:
            s.sendall(head)
        except OSError:
            pass
        held.append(s)
    for s in held:
        s.settimeout(2)
        try:
            s.sendall(half)
        except OSError:
            pass  # refused, and closed under the write
    time.sleep(1)
    during = rss_mib(pid)
    # Then wait, at most 20 s, for each to be answered and closed.
    answers, open_ = {}, set(range(len(held)))
    bufs = [b""] * len(held)
    last_closed = None
    for s in held:
        s.setblocking(False)
    while open_ and time.monotonic() - started < 20:
        for i in list(open_):
            try:
                data = held[i].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                bufs[i] += data
                continue
            open_.discard(i)
            last_closed = time.monotonic() - started
            status = bufs[i].split(b" ", 2)[1].decode() if bufs[i].startswith(b"HTTP/") else "none"
            answers[status] = answers.get(status, 0) + 1
        time.sleep(0.05)
    for s in held:
        s.close()
    time.sleep(2)
    print(json.dumps({"connections": count, "before_mib": before, "during_mib": during,
                      "after_mib": rss_mib(pid), "answers": answers, "still_open_at_20s": len(open_),
                      "last_closed_s": last_closed}))


def token_for(secret, user):
    """service::token: `<uuid>.<base64url(HMAC-SHA256(secret, context ‖ uuid bytes))>`."""
    mac = hmac.new(secret.encode(), b"codeplatform:user-token:v1:" + user.bytes, hashlib.sha256).digest()
    return f"{user}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def pingflood(ws_url, pid, secret, payload=125):
    """One socket sending pings as fast as it can and never reading."""
    parsed = urllib.parse.urlparse(ws_url)
    before = rss_mib(pid)
    s = socket.create_connection((parsed.hostname, parsed.port), timeout=5)
    token = token_for(secret, uuid.uuid4())
    s.sendall((f"GET {parsed.path}?token={token} HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    s.setblocking(False)
    # Masked pings with the largest payload a control frame may carry, so each
    # one asks for the largest pong.
    ping = (bytes([0x89, 0x80 | payload, 1, 2, 3, 4]) + bytes(payload)) * 256
    peak, closed_after, started = before, None, time.monotonic()
    # At most 5 s, or until the gateway closes the socket or passes 400 MiB.
    sent = 0
    while time.monotonic() - started < 5 and peak < 400:
        try:
            # A partial send leaves the rest of the frame to go first.
            sent = (sent + s.send(ping[sent % len(ping):])) % len(ping)
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:
            closed_after = time.monotonic() - started
            break
        peak = max(peak, rss_mib(pid))
    flooded_s = time.monotonic() - started
    s.close()
    time.sleep(3)
    print(json.dumps({"before_mib": before, "peak_mib": peak, "after_mib": rss_mib(pid),
                      "closed_after_s": closed_after, "flooded_s": flooded_s}))


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "flood":
        flood(sys.argv[2])
    elif kind == "idle":
        idle(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(","))
    elif kind == "halfbody":
        halfbody(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif kind == "pingflood":
        pingflood(sys.argv[2], int(sys.argv[3]), sys.argv[4], *map(int, sys.argv[5:6]))
    else:
        sys.exit(__doc__)
