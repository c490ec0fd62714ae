"""Engine.IO behaviour seen on the wire: handshake, errors, CORS, heartbeats, upgrade."""
import json
import time

import pytest
import requests
import websocket

from wire import PollingSession, TIMEOUT, endpoint, open_websocket, recv_skipping_pings


def test_v4_handshake_advertises_the_reference_settings(engine_server):
    session = PollingSession(engine_server, eio=4, path="/engine.io/")
    assert session.open["upgrades"] == ["websocket"]
    assert session.open["pingInterval"] == 300
    assert session.open["pingTimeout"] == 200
    assert session.open["maxPayload"] == 1000000
    assert len(session.sid) >= 16
    assert session.handshake_response.headers["Content-Type"].startswith("text/plain")


def test_v3_handshake_has_no_max_payload_and_joins_the_default_namespace(server):
    session = PollingSession(server, eio=3)
    assert "maxPayload" not in session.open
    assert session.open["pingInterval"] == 300
    assert session.extra[0] == "40", "Socket.IO v4 joins `/` at once, in the handshake answer"


def test_session_ids_differ(engine_server):
    ids = {PollingSession(engine_server, path="/engine.io/").sid for _ in range(20)}
    assert len(ids) == 20


def error_of(response):
    return response.status_code, response.json()


def test_unknown_transport(server):
    response = requests.get(endpoint(server, EIO=4, transport="carrier-pigeon"), timeout=TIMEOUT)
    assert error_of(response) == (400, {"code": 0, "message": "Transport unknown"})


def test_unknown_session_id(server):
    response = requests.get(endpoint(server, EIO=4, transport="polling", sid="no-such-session"), timeout=TIMEOUT)
    assert error_of(response) == (400, {"code": 1, "message": "Session ID unknown"})


def test_post_handshake_is_a_bad_method(server):
    response = requests.post(endpoint(server, EIO=4, transport="polling"), data="40", timeout=TIMEOUT)
    assert error_of(response) == (400, {"code": 2, "message": "Bad handshake method"})


def test_websocket_transport_over_plain_http_is_a_bad_request(engine_server):
    session = PollingSession(engine_server, path="/engine.io/")
    response = requests.get(endpoint(engine_server, "/engine.io/", EIO=4, transport="websocket", sid=session.sid), timeout=TIMEOUT)
    assert error_of(response) == (400, {"code": 3, "message": "Bad request"})


def test_unsupported_protocol_version(server):
    response = requests.get(endpoint(server, EIO=5, transport="polling"), timeout=TIMEOUT)
    assert error_of(response) == (400, {"code": 5, "message": "Unsupported protocol version"})


def test_websocket_upgrade_with_unknown_sid_is_refused(engine_server):
    try:
        ws = open_websocket(engine_server, "/engine.io/", sid="no-such-session")
    except websocket.WebSocketBadStatusException as error:
        assert error.status_code == 400
    else:
        ws.close()
        raise AssertionError("the upgrade was accepted")


def test_any_origin_is_reflected_with_credentials(server):
    origin = "https://shop.example"
    response = requests.get(endpoint(server, EIO=4, transport="polling"), headers={"Origin": origin}, timeout=TIMEOUT)
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_preflight_allows_get_and_post_and_the_requested_headers(server):
    response = requests.options(
        endpoint(server, EIO=4, transport="polling"),
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-custom",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 204
    methods = response.headers["Access-Control-Allow-Methods"]
    assert "GET" in methods and "POST" in methods
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, x-custom"
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"


def test_second_concurrent_get_closes_the_session(unhurried_engine_server):
    session = PollingSession(unhurried_engine_server, path="/engine.io/")
    thread, first = session.poll_in_background()
    second = session.get()
    thread.join(TIMEOUT)
    assert second.status_code == 400
    assert first["status"] == 200 and session.decode(first["body"])[-1] == "1", first
    assert error_of(session.get()) == (400, {"code": 1, "message": "Session ID unknown"})


def test_v4_server_pings_and_closes_a_silent_client(engine_server):
    session = PollingSession(engine_server, path="/engine.io/")
    started = time.time()
    assert session.poll() == ["2"]
    assert time.time() - started < 2
    time.sleep(0.6)
    closing = session.get()
    assert closing.status_code == 400 or session.decode(closing.text)[-1] == "1", closing.text
    assert session.get().status_code == 400


def test_v4_pong_keeps_the_session(engine_server):
    session = PollingSession(engine_server, path="/engine.io/")
    for _ in range(4):
        assert session.poll() == ["2"]
        assert session.post(["3"]).text == "ok"
    session.post(["4still alive"])
    assert session.poll() == ["4still alive"]


def test_v3_client_ping_gets_pong(engine_server):
    session = PollingSession(engine_server, eio=3, path="/engine.io/")
    assert session.post(["2"]).text == "ok"
    assert session.poll() == ["3"]
    assert session.post(["2probe"]).text == "ok"
    assert session.poll() == ["3probe"]


def test_v3_session_closes_without_client_pings(engine_server):
    session = PollingSession(engine_server, eio=3, path="/engine.io/")
    time.sleep(0.8)
    closing = session.get()
    assert closing.status_code == 400 or session.decode(closing.text)[-1] == "1", closing.text


def test_upgrade_from_polling_to_websocket(unhurried_engine_server):
    session = PollingSession(unhurried_engine_server, path="/engine.io/")
    ws = open_websocket(unhurried_engine_server, "/engine.io/", sid=session.sid)
    thread, parked = session.poll_in_background()
    ws.send("2probe")
    assert recv_skipping_pings(ws) == "3probe"
    thread.join(TIMEOUT)
    assert parked["status"] == 200
    assert "6" in session.decode(parked["body"]), f"the parked GET is released with a noop: {parked}"
    ws.send("5")
    ws.send("4over the websocket")
    assert recv_skipping_pings(ws) == "4over the websocket"
    assert session.get().status_code == 400, "polling is over once upgraded"
    ws.close()


@pytest.mark.parametrize("eio", [3, 4])
def test_a_get_sent_after_the_probe_noop_is_released_too(unhurried_engine_server, eio):
    """A client pauses polling only once the probe's answer arrives over the WebSocket, then waits for its GET in
    flight. When the noop released its GET before that answer arrived, it polled again: that GET must be released
    too, or the client never finishes pausing and its upgrade times out (a browser under load did exactly that).
    The heartbeat here is a minute away, so only the upgrade can answer the second GET."""
    session = PollingSession(unhurried_engine_server, eio=eio, path="/engine.io/")
    ws = open_websocket(unhurried_engine_server, "/engine.io/", sid=session.sid, EIO=eio)
    ws.send("2probe")
    assert recv_skipping_pings(ws) == "3probe"
    assert session.poll() == ["6"], "the noop queued at the probe"
    assert session.poll() == ["6"], "a GET that came after it is released as well"
    ws.send("5")
    ws.send("4over the websocket")
    assert recv_skipping_pings(ws) == "4over the websocket"
    assert session.get().status_code == 400, "polling is over once upgraded"
    ws.close()


def test_websocket_only_session_gets_the_open_packet_first(engine_server):
    ws = open_websocket(engine_server, "/engine.io/")
    opening = ws.recv()
    assert opening.startswith("0")
    assert json.loads(opening[1:])["upgrades"] == []
    ws.close()


def test_connect_timeout_closes_a_client_that_never_joins(server):
    ws = open_websocket(server)
    assert ws.recv().startswith("0{")
    started = time.time()
    ws.settimeout(5)
    try:
        while True:
            frame = ws.recv()
            if frame == "2":
                ws.send("3")
            elif frame == "":
                break
    except websocket.WebSocketConnectionClosedException:
        pass
    elapsed = time.time() - started
    assert 0.7 < elapsed < 3, elapsed
