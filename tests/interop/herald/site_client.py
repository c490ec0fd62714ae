"""A stock python-socketio client connected to a Herald site namespace, recording what it receives."""
import importlib.metadata
import queue
import threading
import urllib.parse

import socketio

GENERATION = int(importlib.metadata.version("python-socketio").split(".")[0])
EVENTS = ("_settings", "_batch", "_resync", "_join", "_leave", "message", "news", "alert", "update", "sentinel")


class SiteClient:
    def __init__(
        self, herald, site, token, device="device-1", transports=("websocket",), meta=None, http_session=None,
        headers=None,
    ):
        self.namespace = f"/{site}"
        self.events = []
        self.errors = []
        self.connected = threading.Event()
        self.failed = threading.Event()
        self.condition = threading.Condition()
        # `http_session`: a `requests.Session` whose `verify` names the CA file of a TLS Herald.
        self.client = socketio.Client(reconnection=False, **({"http_session": http_session} if http_session else {}))
        self._stop_handling = _handle_messages_in_order(self.client)
        for name in EVENTS:
            self.client.on(name, self._recorder(name), namespace=self.namespace)
        self.client.on("connect", self.connected.set, namespace=self.namespace)
        self.disconnected = threading.Event()
        self.client.on("disconnect", lambda *reason: self.disconnected.set(), namespace=self.namespace)
        self.client.on("connect_error", self._connect_error, namespace=self.namespace)
        query = {"token": token, "deviceId": device}
        if meta is not None:
            query["meta"] = meta
        self.url = f"{herald.url}?{urllib.parse.urlencode(query)}"
        self.transports = list(transports)
        # `headers`: sent with the handshake and the WebSocket upgrade (an `X-Forwarded-For` through a trusted proxy).
        self.headers = dict(headers or {})

    def _recorder(self, name):
        def record(*args):
            with self.condition:
                self.events.append((name, list(args)))
                self.condition.notify_all()

        return record

    def _connect_error(self, data=None):
        message = data.get("message") if isinstance(data, dict) else data
        self.errors.append(message)
        self.failed.set()

    def connect(self, expect_success=True, timeout=8):
        kwargs = {"namespaces": [self.namespace], "transports": self.transports}
        if self.headers:
            kwargs["headers"] = self.headers
        if GENERATION >= 5:
            kwargs["wait_timeout"] = timeout
        try:
            self.client.connect(self.url, **kwargs)
        except socketio.exceptions.ConnectionError:
            if expect_success:
                raise
        if expect_success:
            assert self.connected.wait(timeout), f"not connected to {self.namespace}; errors: {self.errors}"
        else:
            assert self.failed.wait(timeout), f"expected a connect_error on {self.namespace}"
        return self

    def received(self, name):
        with self.condition:
            return [args for event, args in self.events if event == name]

    def wait_for(self, name, count=1, timeout=5):
        with self.condition:
            assert self.condition.wait_for(lambda: len([e for e in self.events if e[0] == name]) >= count, timeout), (
                f"{self.namespace}: no {count}x {name!r} within {timeout}s; got {self.events}"
            )
        return self.received(name)

    def wait_disconnected(self, timeout=5):
        """Whether the server ended the namespace connection within `timeout`."""
        return self.disconnected.wait(timeout)

    def close(self):
        try:
            self.client.disconnect()
        except Exception:
            pass
        self._stop_handling()


def _handle_messages_in_order(client):
    """python-engineio hands each incoming message to a thread of its own, so two messages could be recorded in
    the opposite order of their arrival. Handed to one worker thread instead, `events` is in arrival order, and a
    sentinel recorded means everything sent before it was recorded too. Returns a function that ends the worker.
    (Not the reading thread itself: a server's disconnect makes the handler join that thread.)"""
    eio = client.eio
    trigger = eio._trigger_event
    pending = queue.SimpleQueue()

    def work():
        for args in iter(pending.get, None):
            trigger("message", *args)

    threading.Thread(target=work, daemon=True).start()

    def trigger_in_order(event, *args, **kwargs):
        if event == "message" and kwargs.pop("run_async", False):
            pending.put(args)
            return None
        return trigger(event, *args, **kwargs)

    eio._trigger_event = trigger_in_order
    return lambda: pending.put(None)
