"""The bare Engine.IO server (`--engine-only`): every message comes back on its session, text as text, binary as binary."""
import base64

import pytest
import requests

from wire import TIMEOUT, PollingSession, open_websocket, recv_skipping_pings

PATH = "/engine.io/"


@pytest.mark.parametrize("eio", [3, 4])
def test_polling_text_echo(engine_server, eio):
    session = PollingSession(engine_server, eio=eio, path=PATH)
    assert session.post(["4hello", "4wörld ✓ 😀"]).text == "ok"
    assert session.poll() == ["4hello", "4wörld ✓ 😀"]


def test_v4_polling_binary_echo_is_base64(engine_server):
    session = PollingSession(engine_server, eio=4, path=PATH)
    data = bytes(range(10))
    assert session.post(["b" + base64.b64encode(data).decode()]).text == "ok"
    assert session.poll() == ["b" + base64.b64encode(data).decode()]


def test_v3_polling_binary_echo_in_text_form(engine_server):
    session = PollingSession(engine_server, eio=3, path=PATH, b64=True)
    data = b"\x00\x01\xfe\xff"
    packet = "b4" + base64.b64encode(data).decode()
    assert session.post([packet]).text == "ok"
    response = session.get()
    assert response.text == f"{len(packet)}:{packet}"


def test_v3_text_lengths_count_utf16_units_like_javascript(engine_server):
    session = PollingSession(engine_server, eio=3, path=PATH)
    assert session.post(["4😀", "4€"]).text == "ok"
    assert session.get().text == "3:4😀2:4€"


def test_v3_polling_binary_payload_format(engine_server):
    session = PollingSession(engine_server, eio=3, path=PATH)
    data = b"\x00\x01\xfe\xff"
    text = b"4hi"
    body = b"\x00" + bytes([len(text)]) + b"\xff" + text + b"\x01" + bytes([len(data) + 1]) + b"\xff" + b"\x04" + data
    assert requests.post(session.url, data=body, headers={"Content-Type": "application/octet-stream"}, timeout=TIMEOUT).text == "ok"
    response = session.get()
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.content == body


@pytest.mark.parametrize("eio", [3, 4])
def test_websocket_text_and_binary_echo(engine_server, eio):
    ws = open_websocket(engine_server, PATH, EIO=eio)
    assert ws.recv().startswith("0{")
    ws.send("4text ✓")
    assert recv_skipping_pings(ws) == "4text ✓"
    frame = b"\x04\x00\xff" if eio == 3 else b"\x00\xff"
    ws.send_binary(frame)
    assert recv_skipping_pings(ws) == frame
    ws.close()
