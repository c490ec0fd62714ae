"""Engine.IO v3 acceptance is a server option: `socketio-conformance --no-eio3` refuses it like the reference server's
default (`allowEIO3: false`), which the official protocol suites expect; without the flag v3 clients are served."""
import pytest
import requests
import websocket

from wire import TIMEOUT, PollingSession, endpoint, open_websocket

UNSUPPORTED = (400, {"code": 5, "message": "Unsupported protocol version"})


def error_of(response):
    return response.status_code, response.json()


@pytest.mark.parametrize("query", [{}, {"EIO": "abc"}, {"EIO": "3"}], ids=["no EIO", "EIO=abc", "EIO=3"])
def test_polling_handshake_without_v4_is_refused(v4_only_server, query):
    response = requests.get(endpoint(v4_only_server, transport="polling", **query), timeout=TIMEOUT)
    assert error_of(response) == UNSUPPORTED


@pytest.mark.parametrize("eio", ["", "abc", "3"], ids=["no EIO", "EIO=abc", "EIO=3"])
def test_websocket_handshake_without_v4_is_refused(v4_only_server, eio):
    url = endpoint(v4_only_server, transport="websocket").replace("http://", "ws://")
    if eio:
        url += f"&EIO={eio}"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=TIMEOUT)
    assert refused.value.status_code == 400


def test_v4_clients_are_served(v4_only_server):
    session = PollingSession(v4_only_server)
    assert session.open["maxPayload"] == 1000000
    ws = open_websocket(v4_only_server)
    assert ws.recv().startswith("0{")
    ws.close()


def test_without_the_flag_a_request_without_eio_opens_a_v3_session(server):
    response = requests.get(endpoint(server, transport="polling"), timeout=TIMEOUT)
    assert response.status_code == 200
    assert "maxPayload" not in response.text, "a v3 handshake"
