"""POST /send helpers for the batch, idempotency and Redis channel suites."""
import json
import socket
import time

import requests

from conftest import SHOP_KEY

QUIET = 0.7


def post_send(herald, body, key=None, site="shop", api_key=SHOP_KEY, params=None):
    """POST /send with a JSON body (any JSON value) and an optional Idempotency-Key; returns the response."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    query = {"site": site, "apiKey": api_key, **(params or {})}
    return requests.post(f"{herald.url}/send", params=query, data=json.dumps(body), headers=headers, timeout=5)


def message(rooms, event, *args):
    return {"rooms": rooms, "event": event, "args": list(args)}


def redis_command(port, *args):
    """One command on a fresh connection; returns the parsed reply of a simple RESP2 answer (int, str, None, list)."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(payload.encode())
        reader = conn.makefile("rb")
        return _read_reply(reader)


def _read_reply(reader):
    line = reader.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:]
    if kind == b":":
        return int(rest)
    if kind in (b"+", b"-"):
        return rest.decode()
    if kind == b"$":
        length = int(rest)
        if length < 0:
            return None
        data = reader.read(length + 2)[:-2]
        return data.decode()
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_read_reply(reader) for _ in range(count)]
    raise AssertionError(f"unexpected RESP reply {line!r}")


def publish(redis, payload):
    """PUBLISH on herald:send; returns how many subscribers got it."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return redis_command(redis.port, "PUBLISH", "herald:send", text)


def wait_for_send_channel_consumer(redis, timeout=15):
    """Waits until exactly one Herald instance consumes herald:send and returns the lease holder's instance ID."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        subscribers = redis_command(redis.port, "PUBSUB", "NUMSUB", "herald:send")[1]
        if subscribers == 1:
            return redis_command(redis.port, "GET", "herald:send:leader")
        time.sleep(0.1)
    raise AssertionError("no Herald instance subscribed to herald:send")


def log_entries(herald):
    return [json.loads(line) for line in herald.output().splitlines() if line.startswith("{")]
