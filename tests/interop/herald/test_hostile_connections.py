"""Connection-level abuse and reuse, on raw sockets: WebSocket upgrades on reused keep-alive connections, refused
upgrades, header/idle timeouts (slowloris), RFC 6455 frame checks, a ping flood from a client that never reads, lying
Content-Length, endless chunked bodies and huge headers. After each, Herald is up, answers /healthcheck and serves
another tenant's client."""
import asyncio
import json
import os
import socket
import tempfile
import time
import urllib.parse

import pytest
import requests

from conftest import GENERATION, PLAIN_KEY, SHOP_KEY, RunningHerald
from metrics_scrape import scrape, value
from raw_http import (
    OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_TEXT, Reader, closed_by_server, connect, frame, request_bytes,
    still_open, upgrade_bytes,
)
from server_state import resident_kib
from site_client import SiteClient

if GENERATION != "5":
    pytest.skip("raw connection tests speak Engine.IO v4 themselves; one generation runs them", allow_module_level=True)

HEADER_TIMEOUT_MS = 1000
IDLE_TIMEOUT_MS = 1500
# Timeouts are checked with this much slack: a busy two-core machine runs the timer late, never early.
SLACK = 10
CLOSED = "herald_connections_closed_total"


@pytest.fixture(scope="module")
def herald(hooks):
    """Herald with short connection timeouts (1 s to finish a request head, 1.5 s idle), below its 2 s pingInterval,
    so a poll held open until the ping outlives both."""
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(
            hooks, workdir,
            io_extra=f"    requestHeaderTimeout: {HEADER_TIMEOUT_MS}\n    idleConnectionTimeout: {IDLE_TIMEOUT_MS}\n",
        )
        yield running
        running.assert_alive()
        running.stop()


def closures(herald, reason):
    return value(scrape(herald), CLOSED, reason=reason)


def engine_query(**params):
    return "/socket.io/?" + urllib.parse.urlencode({"EIO": 4, **params})


def assert_serving(herald):
    """Herald is up, answers /healthcheck, and another tenant's client receives a /send."""
    herald.assert_alive()
    health = requests.get(f"{herald.url}/healthcheck", timeout=5)
    assert (health.status_code, health.text) == (200, "ok")
    client = SiteClient(herald, "plain", "good-bystander", device="bystander").connect()
    try:
        sent = requests.post(
            f"{herald.url}/send", params={"site": "plain", "apiKey": PLAIN_KEY},
            json={"rooms": ["news"], "event": "news", "args": ["still here"]}, timeout=5,
        )
        assert sent.status_code == 200, sent.text
        assert client.wait_for("news") == [["still here"]]
    finally:
        client.close()


def polling_handshake(sock, reader, token="good-alice", device="d1"):
    sock.sendall(request_bytes("GET", engine_query(transport="polling", token=token, deviceId=device)))
    answer = reader.response()
    assert answer.status == 200 and answer.text.startswith("0{"), answer
    assert answer.headers.get("connection", "").lower() != "close"
    return json.loads(answer.text[1:])["sid"]


def open_websocket(port, target=None, receive_buffer=None):
    """A fresh connection upgraded to a WebSocket-only Engine.IO session; returns (socket, reader)."""
    sock = connect(port, receive_buffer=receive_buffer)
    reader = Reader(sock)
    sock.sendall(upgrade_bytes(target or engine_query(transport="websocket", token="good-alice", deviceId="ws")))
    assert reader.response().status == 101
    assert reader.text_frame().startswith("0{")
    return sock, reader


def join_plain(sock, reader):
    sock.sendall(frame(OP_TEXT, b"40/plain,"))
    answer = reader.text_frame()
    assert answer.startswith("40/plain,{"), answer


def send_plain_news(herald, text):
    sent = requests.post(
        f"{herald.url}/send", params={"site": "plain", "apiKey": PLAIN_KEY},
        json={"rooms": ["news"], "event": "news", "args": [text]}, timeout=5,
    )
    assert sent.status_code == 200, sent.text


# --- WebSocket upgrade on a reused keep-alive connection ---------------------------------------------------------


def test_polling_session_upgrades_on_the_connection_that_polled(herald):
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        sid = polling_handshake(sock, reader)
        sock.sendall(upgrade_bytes(engine_query(transport="websocket", sid=sid)))
        assert reader.response().status == 101
        sock.sendall(frame(OP_TEXT, b"2probe"))
        assert reader.text_frame() == "3probe"
        sock.sendall(frame(OP_TEXT, b"5"))
        join_plain(sock, reader)
        send_plain_news(herald, "over the reused connection")
        assert reader.text_frame() == '42/plain,["news","over the reused connection"]'
    finally:
        sock.close()


def test_websocket_only_session_opens_on_a_reused_connection(herald):
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        sock.sendall(request_bytes("GET", "/healthcheck"))
        assert reader.response().text == "ok"
        sock.sendall(upgrade_bytes(engine_query(transport="websocket", token="good-alice", deviceId="reuse")))
        assert reader.response().status == 101
        assert reader.text_frame().startswith("0{")
        join_plain(sock, reader)
    finally:
        sock.close()


def test_python_socketio_async_client_upgrades_from_polling(herald):
    """python-socketio's AsyncClient (aiohttp) sends the upgrade on the pooled connection its polls used."""
    import socketio

    async def run():
        client = socketio.AsyncClient(reconnection=False)
        received = asyncio.Queue()
        client.on("news", lambda *args: received.put_nowait(list(args)), namespace="/plain")
        await client.connect(
            f"{herald.url}?token=good-carol&deviceId=aio", namespaces=["/plain"], transports=["polling", "websocket"],
            wait_timeout=8,
        )
        try:
            deadline = time.monotonic() + 8
            while client.transport() != "websocket" and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert client.transport() == "websocket", "the upgrade from polling was refused"
            await asyncio.to_thread(send_plain_news, herald, "via aiohttp")
            assert await asyncio.wait_for(received.get(), 5) == ["via aiohttp"]
        finally:
            await client.disconnect()

    asyncio.run(run())


@pytest.mark.parametrize("first", [False, True], ids=["after-a-request", "first-request"])
def test_refused_upgrade_is_answered_and_the_connection_closed(herald, first):
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        if not first:
            sock.sendall(request_bytes("GET", "/healthcheck"))
            assert reader.response().text == "ok"
        started = time.monotonic()
        sock.sendall(upgrade_bytes("/no-such-path?EIO=4&transport=websocket"))
        answer = reader.response()
        assert answer.status == 400 and answer.headers["connection"].lower() == "close", answer
        assert json.loads(answer.text) == {"code": 3, "message": "Bad request"}
        assert closed_by_server(sock, 5)
        assert time.monotonic() - started < HEADER_TIMEOUT_MS / 1000, "the refusal waited for a timeout"
    finally:
        sock.close()
    assert_serving(herald)


def test_refused_upgrade_for_an_unknown_session_on_a_reused_connection(herald):
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        polling_handshake(sock, reader)
        sock.sendall(upgrade_bytes(engine_query(transport="websocket", sid="nope")))
        answer = reader.response()
        assert answer.status == 400 and json.loads(answer.text)["message"] == "Session ID unknown", answer
        assert closed_by_server(sock, 5)
    finally:
        sock.close()


def test_other_upgrade_protocols_are_answered_then_closed(herald):
    """SwiftNIO's parser stops after any upgrade request, so Herald answers it and closes instead of stalling."""
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        sock.sendall(request_bytes("GET", "/healthcheck"))
        assert reader.response().text == "ok"
        sock.sendall(request_bytes("GET", "/healthcheck", [("Upgrade", "h2c"), ("Connection", "Upgrade, HTTP2-Settings")]))
        answer = reader.response()
        assert answer.text == "ok" and answer.headers["connection"].lower() == "close"
        assert closed_by_server(sock, 5)
    finally:
        sock.close()


# --- Header and idle timeouts -------------------------------------------------------------------------------------


def test_connection_without_a_request_is_closed_after_the_header_timeout(herald):
    before = closures(herald, "header_timeout")
    silent, partial = connect(herald.port), connect(herald.port)
    try:
        partial.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert closed_by_server(silent, HEADER_TIMEOUT_MS / 1000 + SLACK)
        assert closed_by_server(partial, HEADER_TIMEOUT_MS / 1000 + SLACK)
    finally:
        silent.close()
        partial.close()
    assert closures(herald, "header_timeout") >= before + 2


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(herald):
    before = closures(herald, "idle_timeout")
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        sock.sendall(request_bytes("GET", "/healthcheck"))
        assert reader.response().text == "ok"
        answered = time.monotonic()
        assert closed_by_server(sock, IDLE_TIMEOUT_MS / 1000 + SLACK)
        assert time.monotonic() - answered >= IDLE_TIMEOUT_MS / 1000 - 0.1
    finally:
        sock.close()
    assert closures(herald, "idle_timeout") >= before + 1


def test_long_poll_outlives_the_connection_timeouts(herald):
    """A GET parked until the next ping (pingInterval 2 s) is longer than both timeouts and must not be cut."""
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        sid = polling_handshake(sock, reader)
        sock.sendall(request_bytes("GET", engine_query(transport="polling", sid=sid)))
        started = time.monotonic()
        answer = reader.response()
        assert answer.status == 200 and answer.text == "2", answer
        assert time.monotonic() - started > IDLE_TIMEOUT_MS / 1000
    finally:
        sock.close()


def test_websocket_outlives_the_connection_timeouts(herald):
    sock, reader = open_websocket(herald.port)
    try:
        join_plain(sock, reader)
        # Two server pings answered (4 s) is past both timeouts; then the socket still receives.
        pings = 0
        while pings < 2:
            _, opcode, payload = reader.frame()
            assert opcode == OP_TEXT
            if payload == b"2":
                pings += 1
                sock.sendall(frame(OP_TEXT, b"3"))
        send_plain_news(herald, "after the timeouts")
        assert reader.text_frame() == '42/plain,["news","after the timeouts"]'
    finally:
        sock.close()


SLOWLORIS = 2000


@pytest.fixture(scope="module")
def patient_herald(hooks):
    """Herald with a 5 s header timeout, so 2,000 half-open connections stay open while a normal client works."""
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, io_extra="    requestHeaderTimeout: 5000\n")
        yield running
        running.assert_alive()
        running.stop()


def test_slowloris_connections_do_not_block_clients_and_are_reclaimed(patient_herald):
    herald = patient_herald
    before = closures(herald, "header_timeout")
    half_open = []
    try:
        for index in range(SLOWLORIS):
            sock = connect(herald.port)
            if index % 2:
                sock.sendall(b"G")
            half_open.append(sock)
        assert_serving(herald)
        # The window was observed: the half-open connections were still open while the client was served.
        assert still_open(half_open[-1]) and still_open(half_open[-2])
        deadline = time.monotonic() + 5 + 3 * SLACK
        for sock in half_open:
            assert closed_by_server(sock, max(0.1, deadline - time.monotonic())), "a half-open connection was kept"
    finally:
        for sock in half_open:
            sock.close()
    assert closures(herald, "header_timeout") >= before + SLOWLORIS
    assert_serving(herald)


# --- RFC 6455 frame checks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_frame",
    [
        frame(OP_TEXT, b"40/plain,", mask=False),
        frame(OP_TEXT, b"40/plain,", rsv=4),
        frame(OP_TEXT, b"40/plain,", rsv=1),
        frame(0x3, b"reserved"),
        frame(0xB, b"reserved"),
        frame(OP_CONTINUATION, b"no first fragment"),
        frame(OP_PING, b"x", fin=False),
    ],
    ids=["unmasked", "rsv1", "rsv3", "opcode-3", "opcode-11", "orphan-continuation", "fragmented-ping"],
)
def test_protocol_violations_close_with_1002(herald, bad_frame):
    before = closures(herald, "websocket_protocol_error")
    sock, reader = open_websocket(herald.port)
    try:
        sock.sendall(bad_frame)
        assert reader.close_code() == 1002
        assert closed_by_server(sock, 5)
    finally:
        sock.close()
    assert closures(herald, "websocket_protocol_error") >= before + 1
    assert_serving(herald)


def test_invalid_utf8_text_closes_with_1007(herald):
    sock, reader = open_websocket(herald.port)
    try:
        sock.sendall(frame(OP_TEXT, b"4\xff\xfe not UTF-8"))
        assert reader.close_code() == 1007
    finally:
        sock.close()
    assert closures(herald, "websocket_invalid_utf8") >= 1
    assert_serving(herald)


@pytest.mark.parametrize("fragmented", [False, True], ids=["one-frame", "fragments"])
def test_message_over_max_payload_closes_with_1009(herald, fragmented):
    sock, reader = open_websocket(herald.port)
    payload = b"4" + b"x" * 1_000_000  # io.maxPayload is 1,000,000 bytes
    try:
        if fragmented:
            sock.sendall(frame(OP_TEXT, payload[:600_000], fin=False))
            sock.sendall(frame(OP_CONTINUATION, payload[600_000:]))
        else:
            sock.sendall(frame(OP_TEXT, payload))
        assert reader.close_code() == 1009
    finally:
        sock.close()
    assert_serving(herald)


def test_fragmented_message_is_reassembled(herald):
    sock, reader = open_websocket(herald.port)
    try:
        sock.sendall(frame(OP_TEXT, b"40/pl", fin=False))
        sock.sendall(frame(OP_PING, b"between fragments"))
        _, opcode, payload = reader.frame()
        assert (opcode, payload) == (0xA, b"between fragments")
        sock.sendall(frame(OP_CONTINUATION, b"ai", fin=False))
        sock.sendall(frame(OP_CONTINUATION, b"n,"))
        assert reader.text_frame().startswith("40/plain,{")
    finally:
        sock.close()


def test_binary_frame_where_text_is_expected_ends_the_session(herald):
    """A binary frame is an Engine.IO binary message; Socket.IO has no attachment pending, so, as the reference
    server does, the session is closed."""
    sock, reader = open_websocket(herald.port)
    try:
        join_plain(sock, reader)
        sock.sendall(frame(OP_BINARY, b"42/plain,[\"news\"]"))
        assert reader.close_code() is not None
        assert closed_by_server(sock, 5)
    finally:
        sock.close()
    assert_serving(herald)


# --- A client that sends pings and never reads --------------------------------------------------------------------




PING_FLOOD_BYTES = 45 << 20
PING = b"p" * 125


@pytest.fixture(scope="module")
def flood_herald(hooks):
    """Herald with socket.io's heartbeat (25 s + 20 s), so only the outbound bound can end a flood."""
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, ping_interval=25000, ping_timeout=20000)
        yield running
        running.assert_alive()
        running.stop()


@pytest.mark.timeout(120)
def test_ping_flood_from_a_client_that_never_reads_is_cut_at_the_outbound_bound(flood_herald):
    herald = flood_herald
    pid = herald.process.pid
    # A small receive buffer keeps the kernel from holding megabytes of pongs, so the bound is reached soon.
    sock, reader = open_websocket(herald.port, receive_buffer=4096)
    sock.settimeout(60)  # a busy machine reads the flood slowly; a server that stopped reading fails below
    before = resident_kib(pid)
    batch = b"".join(frame(OP_PING, PING) for _ in range(1000))
    sent = 0
    cut = False
    peak = before
    try:
        while sent < PING_FLOOD_BYTES:
            try:
                sock.sendall(batch)
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            except socket.timeout:
                break  # the server stopped reading without closing: `cut` stays False
            sent += len(batch)
            if sent // len(batch) % 20 == 0:
                peak = max(peak, resident_kib(pid))
        peak = max(peak, resident_kib(pid))
        cut = cut or closed_by_server(sock, 5)
    finally:
        sock.close()
    print(f"ping flood: sent {sent >> 20} MiB; herald RSS {before >> 10} -> {peak >> 10} MiB")
    assert cut, f"the server kept a socket that never read {sent >> 20} MiB of pongs"
    assert sent < PING_FLOOD_BYTES
    # Without the bound on pongs this run grew Herald by 32 MiB (49 -> 81 MiB, 73 MiB after the client left) until
    # the server's own heartbeat write found the socket over its bound; with it, by about 4 MiB.
    assert peak - before < 16 << 10, f"RSS grew {(peak - before) >> 10} MiB"
    assert closures(herald, "slow_consumer") >= 1
    assert_serving(herald)
    after = resident_kib(pid)
    print(f"ping flood: herald RSS after the client left {after >> 10} MiB")
    assert after - before < 16 << 10


# --- Hostile HTTP bodies and headers ------------------------------------------------------------------------------


def send_target():
    return f"/send?site=plain&apiKey={PLAIN_KEY}"


def test_content_length_over_the_limit_is_refused_at_once(herald):
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        sock.sendall(request_bytes("POST", send_target(), [("Content-Type", "application/json"),
                                                           ("Content-Length", str(10 << 30))]))
        answer = reader.response()
        assert answer.status == 413, answer
        assert answer.headers["connection"].lower() == "close"
        assert closed_by_server(sock, HEADER_TIMEOUT_MS / 1000 + SLACK)
    finally:
        sock.close()
    assert_serving(herald)


@pytest.mark.parametrize("path", ["send", "polling"])
def test_lying_content_length_that_stalls_is_timed_out(herald, path):
    before = closures(herald, "body_timeout")
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        if path == "send":
            target = send_target()
        else:
            target = engine_query(transport="polling", sid=polling_handshake(sock, reader))
        sock.sendall(request_bytes("POST", target, [("Content-Type", "application/json"), ("Content-Length", "1000")],
                                   b'{"rooms":'))
        started = time.monotonic()
        assert closed_by_server(sock, HEADER_TIMEOUT_MS / 1000 + SLACK)
        assert time.monotonic() - started >= HEADER_TIMEOUT_MS / 1000 - 0.1
    finally:
        sock.close()
    assert closures(herald, "body_timeout") >= before + 1
    assert_serving(herald)


def test_endless_chunked_body_is_refused_at_the_limit_and_closed(herald):
    sock = connect(herald.port)
    reader = Reader(sock)
    chunk = b"400\r\n" + b"a" * 0x400 + b"\r\n"
    try:
        sock.sendall(request_bytes("POST", send_target(), [("Content-Type", "application/json"),
                                                           ("Transfer-Encoding", "chunked")]))
        for _ in range(64):  # 64 KiB, far over the 4 KiB body limit; the answer comes once the limit is passed
            sock.sendall(chunk)
        answer = reader.response()
        assert answer.status == 413, answer
        # The client keeps trickling chunks without end: after the linger time the server closes the connection, and
        # the next chunks are refused (reset).
        deadline = time.monotonic() + HEADER_TIMEOUT_MS / 1000 + SLACK
        closed = False
        while time.monotonic() < deadline:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.02)  # the hostile client's pace, not a synchronisation
        assert closed, "an endless chunked body kept the connection open"
    finally:
        sock.close()
    assert_serving(herald)


def test_chunked_body_without_end_is_timed_out(herald):
    sock = connect(herald.port)
    try:
        sock.sendall(request_bytes("POST", send_target(), [("Content-Type", "application/json"),
                                                           ("Transfer-Encoding", "chunked")], b"5\r\n{\"roo\r\n"))
        assert closed_by_server(sock, HEADER_TIMEOUT_MS / 1000 + SLACK)
    finally:
        sock.close()
    assert_serving(herald)


def test_megabyte_of_headers_is_refused_with_431(herald):
    pid = herald.process.pid
    before = resident_kib(pid)
    sock = connect(herald.port)
    reader = Reader(sock)
    try:
        head = b"GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
        try:
            sock.sendall(head + b"a" * (1 << 20) + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while the rest was still being sent: what matters is that it answered and closed
        answer = reader.response()
        assert answer.status == 431, answer
        assert closed_by_server(sock, 5)
    finally:
        sock.close()
    assert resident_kib(pid) - before < 16 << 10
    assert closures(herald, "bad_request") >= 1
    assert_serving(herald)
