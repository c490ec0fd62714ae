"""Who may speak for a session once it has a WebSocket: only that WebSocket.

A second WebSocket opened with the same session ID (a stale tab, or someone who learnt the ID) is closed by the server
at once and nothing it sends reaches the session; polling requests for an upgraded session are refused. The session's
own client stays connected and keeps receiving messages.
"""
import requests
import websocket

from wire import TIMEOUT, PollingSession, assert_closed, open_websocket, recv_skipping_pings

PATH = "/engine.io/"


def upgraded_session(server):
    session = PollingSession(server, path=PATH)
    ws = open_websocket(server, PATH, sid=session.sid)
    ws.send("2probe")
    assert recv_skipping_pings(ws) == "3probe"
    ws.send("5")
    ws.send("4upgraded")
    assert recv_skipping_pings(ws) == "4upgraded"
    return session, ws


def send_while_open(ws, *packets):
    """Sends what it can: the server may already have closed this socket, which is what the test expects anyway."""
    try:
        for packet in packets:
            ws.send(packet)
    except (websocket.WebSocketConnectionClosedException, BrokenPipeError, ConnectionResetError):
        pass


def test_second_websocket_for_an_upgraded_session_is_closed_and_cannot_close_it(engine_server):
    session, owner = upgraded_session(engine_server)
    intruder = open_websocket(engine_server, PATH, sid=session.sid)
    send_while_open(intruder, "4from the intruder", "1")
    assert_closed(intruder)
    owner.send("4still mine")
    assert recv_skipping_pings(owner) == "4still mine", "the owner is still connected and hears only its own echo"
    owner.close()


def test_second_websocket_during_an_upgrade_is_closed_and_the_upgrade_completes(engine_server):
    session = PollingSession(engine_server, path=PATH)
    first = open_websocket(engine_server, PATH, sid=session.sid)
    first.send("2probe")
    assert recv_skipping_pings(first) == "3probe"
    second = open_websocket(engine_server, PATH, sid=session.sid)
    send_while_open(second, "1")
    assert_closed(second)
    first.send("5")
    first.send("4upgraded")
    assert recv_skipping_pings(first) == "4upgraded"
    first.close()


def test_polling_for_an_upgraded_session_is_a_bad_request(engine_server):
    session, owner = upgraded_session(engine_server)
    get = session.get()
    assert (get.status_code, get.json()) == (400, {"code": 3, "message": "Bad request"})
    post = requests.post(session.url, data=b"1", timeout=TIMEOUT)
    assert post.status_code == 400
    owner.send("4still open")
    assert recv_skipping_pings(owner) == "4still open"
    owner.close()
