"""How an Engine.IO session ends, as the reference server (engine.io 6) does it and the official protocol suite checks.

A session the client ended or broke (its close packet, an invalid packet, a missed heartbeat) is gone at once: the next
request for its ID is answered 400 "Session ID unknown", never 200 with a late close packet.
"""
import requests

from wire import TIMEOUT, PollingSession, endpoint

PATH = "/engine.io/"
UNKNOWN_SID = (400, {"code": 1, "message": "Session ID unknown"})


def error_of(response):
    return response.status_code, response.json()


def test_invalid_packet_ends_the_session_at_once(engine_server):
    session = PollingSession(engine_server, path=PATH)
    answer = requests.post(session.url, data=b"abc", timeout=TIMEOUT)
    assert error_of(answer) == (400, {"code": 3, "message": "Bad request"})
    assert error_of(session.get()) == UNKNOWN_SID


def test_ping_timeout_ends_the_session_at_once(engine_server):
    silent = PollingSession(engine_server, path=PATH)
    assert silent.poll() == ["2"], "the server pings after pingInterval"
    # The sentinel opens after the silent session's ping, so its own ping timeout (pingInterval + pingTimeout after
    # its opening) comes at least pingInterval after the silent session's: once the sentinel's parked GET is
    # answered with the close packet, the silent session's timeout has certainly passed, with no GET waiting.
    sentinel = PollingSession(engine_server, path=PATH)
    assert sentinel.poll() == ["2"]
    assert sentinel.poll() == ["1"], "a GET waiting when the timeout strikes gets the close packet"
    assert error_of(silent.get()) == UNKNOWN_SID
    assert error_of(sentinel.get()) == UNKNOWN_SID


def test_client_close_packet_releases_the_waiting_get_with_a_noop(unhurried_engine_server):
    session = PollingSession(unhurried_engine_server, path=PATH)
    thread, waiting = session.poll_in_background()
    assert session.post(["1"]).text == "ok"
    thread.join(TIMEOUT)
    assert (waiting["status"], waiting["body"]) == (200, "6")
    assert error_of(session.get()) == UNKNOWN_SID


def test_client_close_packet_without_a_waiting_get(engine_server):
    session = PollingSession(engine_server, path=PATH)
    session.post(["4queued for nobody"])
    assert session.post(["1"]).text == "ok"
    assert error_of(session.get()) == UNKNOWN_SID
    assert error_of(requests.post(session.url, data=b"4late", timeout=TIMEOUT)) == UNKNOWN_SID


def test_other_sessions_are_untouched(engine_server):
    bystander = PollingSession(engine_server, path=PATH)
    leaving = PollingSession(engine_server, path=PATH)
    leaving.post(["1"])
    bystander.post(["4still here"])
    assert bystander.poll() == ["4still here"]


def test_the_unknown_session_answer_is_json(engine_server):
    session = PollingSession(engine_server, path=PATH)
    session.post(["1"])
    answer = requests.get(endpoint(engine_server, PATH, EIO=4, transport="polling", sid=session.sid), timeout=TIMEOUT)
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == UNKNOWN_SID[1]
