"""Stock python-socketio clients (5.x for Engine.IO v4, 4.x for v3) in every transport mode."""
import importlib.metadata
import threading

import pytest
import socketio
from conformance_server import RunningServer

GENERATION = int(importlib.metadata.version("python-socketio").split(".")[0])
TRANSPORT_MODES = {
    "polling": ["polling"],
    "websocket": ["websocket"],
    "upgrade": ["polling", "websocket"],
}


@pytest.fixture(scope="module")
def server():
    """The reference server with a heartbeat client libraries keep on a loaded machine: with the official suites'
    300 ms/200 ms, a python client thread held up for half a second is dropped for a missed ping."""
    running = RunningServer("--ping-interval", "5000", "--ping-timeout", "5000")
    yield running
    running.assert_alive()
    running.stop()


class Recorder:
    """Collects events by name and lets a test wait for them."""

    def __init__(self):
        self.events = {}
        self.condition = threading.Condition()

    def record(self, name, value):
        with self.condition:
            self.events.setdefault(name, []).append(value)
            self.condition.notify_all()

    def wait(self, name, count=1, timeout=5):
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.events.get(name, [])) >= count, timeout), (
                f"no {name!r} within {timeout}s; got {self.events}"
            )
            return self.events[name]


def make_client(recorder, namespace="/"):
    client = socketio.Client(reconnection=False)
    client.on("auth", lambda data: recorder.record("auth", data), namespace=namespace)
    client.on("message-back", lambda *args: recorder.record("message-back", args), namespace=namespace)
    client.on("server-ack-result", lambda *args: recorder.record("server-ack-result", args), namespace=namespace)
    client.on("disconnect", lambda *args: recorder.record("disconnect", True), namespace=namespace)
    return client


def connect(client, server, mode, namespaces=None, auth=None):
    kwargs = {"transports": TRANSPORT_MODES[mode]}
    if namespaces:
        kwargs["namespaces"] = namespaces
    if GENERATION >= 5:
        kwargs["auth"] = auth
        kwargs["wait_timeout"] = 5
    client.connect(server.url, **kwargs)


@pytest.fixture(params=sorted(TRANSPORT_MODES))
def mode(request):
    return request.param


@pytest.fixture
def session(server, mode):
    recorder = Recorder()
    client = make_client(recorder)
    connect(client, server, mode, auth={"token": "secret", "n": 1})
    yield client, recorder, mode
    if client.connected:
        client.disconnect()


def test_transport_in_use_matches_the_mode(session):
    client, recorder, mode = session
    recorder.wait("auth")
    expected = "polling" if mode == "polling" else "websocket"
    if mode == "upgrade":
        # python-socketio upgrades in the background right after the handshake.
        for _ in range(50):
            if client.transport() == "websocket":
                break
            threading.Event().wait(0.05)
    assert client.transport() == expected


def test_auth_payload_is_echoed_on_connection(session):
    _, recorder, _ = session
    expected = {"token": "secret", "n": 1} if GENERATION >= 5 else {}
    assert recorder.wait("auth") == [expected]


@pytest.mark.parametrize(
    "args",
    [
        ("hello",),
        (1, 2.5, -7, 0, 9007199254740991),
        ({"nested": {"list": [1, "two", None, True, False]}, "empty": {}},),
        ("unicode ✓ 中文 😀", "quotes \" and \\ backslash", "line\nbreak"),
        ([],),
    ],
    ids=["string", "numbers", "nested", "unicode", "empty-list"],
)
def test_message_is_echoed_with_the_same_arguments(session, args):
    client, recorder, _ = session
    client.emit("message", args if len(args) > 1 else args[0])
    echoed = recorder.wait("message-back")[0]
    assert list(echoed) == list(args)
    assert [type(value) for value in echoed] == [type(value) for value in args], "ints stay ints, floats stay floats"


def test_client_ack_request_is_answered_with_its_arguments(session):
    client, _, _ = session
    assert client.call("message-with-ack", ("a", 1, {"b": [2]}), timeout=5) == ("a", 1, {"b": [2]})


def test_server_ack_request_is_answered_by_the_client(session):
    client, recorder, _ = session
    client.on("server-ack-request", lambda *args: args)
    client.emit("server-ack-request", ("question", 42))
    assert recorder.wait("server-ack-result") == [("question", 42)]


def test_binary_arguments_round_trip(session):
    client, recorder, _ = session
    # No empty attachment: python-engineio 3.x decodes an empty binary packet as None (a client quirk).
    payload = {"file": bytes(range(256)), "meta": {"parts": [b"\x00\x01", b"\x00"]}}
    client.emit("message", ("upload", payload, b"\xff" * 1000))
    echoed = recorder.wait("message-back")[0]
    assert echoed == ("upload", payload, b"\xff" * 1000)


def test_many_messages_arrive_in_order(session):
    client, recorder, _ = session
    for index in range(100):
        client.emit("message", index)
    received = recorder.wait("message-back", count=100)
    assert [args[0] for args in received] == list(range(100))


def test_custom_namespace_emits_auth(server, mode):
    recorder = Recorder()
    client = make_client(recorder, namespace="/custom")
    connect(client, server, mode, namespaces=["/custom"], auth={"scope": "custom"})
    try:
        expected = {"scope": "custom"} if GENERATION >= 5 else {}
        assert recorder.wait("auth") == [expected]
    finally:
        client.disconnect()


def test_unknown_namespace_is_refused(server, mode):
    recorder = Recorder()
    client = socketio.Client(reconnection=False)
    client.on("connect_error", lambda *args: recorder.record("connect_error", args), namespace="/nope")
    if GENERATION >= 5:
        with pytest.raises(socketio.exceptions.ConnectionError):
            connect(client, server, mode, namespaces=["/nope"])
        assert recorder.wait("connect_error") == [({"message": "Invalid namespace"},)]
    else:
        connect(client, server, mode, namespaces=["/nope"])
        try:
            assert recorder.wait("connect_error") == [("Invalid namespace",)]
            assert "/nope" not in client.namespaces
        finally:
            client.disconnect()


def test_disconnect_is_clean_and_server_keeps_serving(server, mode):
    recorder = Recorder()
    client = make_client(recorder)
    connect(client, server, mode)
    recorder.wait("auth")
    client.disconnect()
    if GENERATION >= 5:
        # python-socketio 4.x does not raise its own disconnect event when the application disconnects.
        recorder.wait("disconnect")
    assert not client.connected
    again = Recorder()
    second = make_client(again)
    connect(second, server, mode)
    try:
        second.emit("message", "still here")
        assert again.wait("message-back") == [("still here",)]
    finally:
        second.disconnect()
