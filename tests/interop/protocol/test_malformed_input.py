"""Malformed and oversized input: the offending connection is closed at once and cleanly; others keep working."""
import pytest
import websocket

from wire import PollingSession, assert_closed, recv_skipping_pings, socketio_websocket_client

BAD_PACKETS = {
    "unknown engine.io type": "9",
    "invalid json": '42["message"',
    "invalid ack id": '43abc["x"]',
    "ack without id": '43["x"]',
    "unknown socket.io type": "47",
    "event without name": "42[]",
}


def echo_works(ws):
    ws.send('42["message","still served"]')
    assert recv_skipping_pings(ws) == '42["message-back","still served"]'


@pytest.mark.parametrize("packet", BAD_PACKETS.values(), ids=BAD_PACKETS.keys())
def test_websocket_client_sending_garbage_is_closed_and_others_are_not(server, packet):
    bystander = socketio_websocket_client(server)
    offender = socketio_websocket_client(server)
    offender.send(packet)
    close_data = assert_closed(offender)
    # 1002 (protocol error) is only sent for unparsable input: the close came from the parser, at once,
    # not from the heartbeat timeout (which closes with 1000).
    assert close_data[:2] == (1002).to_bytes(2, "big"), close_data
    echo_works(bystander)
    bystander.close()


@pytest.mark.parametrize("packet", BAD_PACKETS.values(), ids=BAD_PACKETS.keys())
def test_polling_client_sending_garbage_loses_its_session(server, packet):
    bystander = socketio_websocket_client(server)
    session = PollingSession(server)
    session.post(["40"])
    session.poll()
    answer = session.post([packet])
    if answer.status_code == 400:
        assert answer.json() == {"code": 3, "message": "Bad request"}
    else:
        assert answer.text == "ok"
    after = session.get()
    assert after.status_code == 400 or session.decode(after.text)[-1] == "1", after.text
    assert session.get().status_code == 400, "the session is gone"
    echo_works(bystander)
    bystander.close()


def test_unparsable_polling_payload_is_a_bad_request(server):
    session = PollingSession(server)
    answer = session.post(["x-not-a-packet"])
    assert answer.status_code == 400
    assert answer.json() == {"code": 3, "message": "Bad request"}


def test_oversized_polling_post_is_413_and_ends_the_session(server):
    bystander = socketio_websocket_client(server)
    session = PollingSession(server)
    session.post(["40"])
    answer = session.post(["4" + "x" * 1_000_001])
    assert answer.status_code == 413
    after = session.get()
    assert after.status_code == 400 or session.decode(after.text)[-1] == "1"
    echo_works(bystander)
    bystander.close()


def test_oversized_websocket_message_is_closed_with_1009(server):
    bystander = socketio_websocket_client(server)
    offender = socketio_websocket_client(server)
    offender.send('42["message","' + "x" * 1_000_001 + '"]')
    close_data = assert_closed(offender)
    assert close_data[:2] == (1009).to_bytes(2, "big"), close_data
    echo_works(bystander)
    bystander.close()


def test_payload_just_under_the_limit_is_accepted(server):
    ws = socketio_websocket_client(server)
    body = "y" * 900_000
    ws.send('42["message","' + body + '"]')
    assert recv_skipping_pings(ws) == '42["message-back","' + body + '"]'
    ws.close()
