"""Connection state recovery keeps a client's `_subscribe` rooms (docs/interactive.md): with socket.io-client 4.8.1
in Chromium, a subscribed room's events sent while the client was cut off arrive once it recovers; with skipAuth
false the site's subscribe hook is asked again, and a subscription it no longer allows is left without replaying
what was missed."""
import os
import shutil
import sys
import tempfile
import uuid

import pytest

from recovery_support import AuthStub, HeraldProcess, ProxyControl, RecoveryPage, send, site, sites_yaml, write_files

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop", "herald"))
from interaction_hooks import InteractionHooks  # noqa: E402

EVENT = "item"
KEYS = {"keep": "keep-api-key-0123456789", "ask": "ask-api-key-0123456789"}
SUBSCRIBE = (
    "const done = arguments[arguments.length - 1];"
    "window.sock.emit('_subscribe', {room: arguments[0]}, (answer) => done(answer));"
)


@pytest.fixture
def herald():
    auth, hooks = AuthStub(), InteractionHooks()
    workdir = tempfile.mkdtemp(prefix="herald-subscriptions-")
    sites = {}
    for name, skip_auth in (("keep", True), ("ask", False)):
        sites[name] = {**site(f"{auth.url}/auth", KEYS[name], skip_auth=skip_auth), "subscribeUrl": f"{hooks.url}/subscribe"}
    write_files(workdir, sites_yaml(sites))
    process = HeraldProcess(workdir)
    process.auth, process.hooks = auth, hooks
    try:
        yield process
        process.assert_alive()
    finally:
        process.stop()
        hooks.stop()
        auth.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def proxy(herald):
    control = ProxyControl(herald.port)
    yield control
    control.close()


class Subscriber:
    def __init__(self, open_browser, herald, proxy, site_name):
        tag = uuid.uuid4().hex[:12]
        self.site, self.token, self.room = site_name, f"token-{tag}", f"open-{tag}"
        herald.auth.grant(self.token, [f"granted-{tag}"])
        self.page = RecoveryPage(open_browser(), proxy.url)
        self.page.open_socket(f"{proxy.url}/{site_name}", self.token, "websocket")
        self.first = self.page.wait_connects(1)[0]
        answer = self.page.driver.execute_async_script(SUBSCRIBE, self.room)
        assert answer == {"ok": True, "room": self.room}, answer

    def send(self, herald, label):
        send(herald.url, self.site, KEYS[self.site], [self.room], EVENT, [{"n": label}])


def cut_send_and_recover(subscriber, herald, proxy, label):
    proxy.cut_and_hold()
    subscriber.page.wait_disconnects(1)
    herald.wait_disconnect_logged(subscriber.first["id"])
    subscriber.send(herald, label)
    proxy.release()
    connects = subscriber.page.wait_connects(2)
    assert connects[1]["recovered"] is True and connects[1]["id"] == subscriber.first["id"], subscriber.page.describe()


def recovering_asks(herald, room):
    return [c for c in herald.hooks.calls_to("/subscribe") if c["body"]["room"] == room and c["body"].get("recovering")]


@pytest.mark.parametrize("site_name", ["keep", "ask"], ids=["skipAuth-true", "skipAuth-false"])
def test_a_subscription_survives_recovery_with_the_events_it_missed(open_browser, herald, proxy, site_name):
    subscriber = Subscriber(open_browser, herald, proxy, site_name)
    subscriber.send(herald, "A")
    subscriber.page.wait_label(EVENT, "A")

    cut_send_and_recover(subscriber, herald, proxy, "B")
    subscriber.send(herald, "C")
    subscriber.page.wait_label(EVENT, "C")
    assert subscriber.page.labels(EVENT) == ["A", "B", "C"], subscriber.page.describe()
    assert len(recovering_asks(herald, subscriber.room)) == (0 if site_name == "keep" else 1)


def test_a_subscription_the_hook_no_longer_allows_is_left_on_recovery(open_browser, herald, proxy):
    subscriber = Subscriber(open_browser, herald, proxy, "ask")
    subscriber.send(herald, "A")
    subscriber.page.wait_label(EVENT, "A")
    herald.hooks.refuse(subscriber.room)

    cut_send_and_recover(subscriber, herald, proxy, "missed")
    subscriber.send(herald, "after")
    # The granted room is still served: a sentinel there arrives after anything sent to the lost room before it.
    send(herald.url, "ask", KEYS["ask"], [f"granted-{subscriber.room[5:]}"], EVENT, [{"n": "sentinel"}])
    subscriber.page.wait_label(EVENT, "sentinel")
    assert [args[0]["n"] for args in subscriber.page.events(EVENT)] == ["A", "sentinel"], subscriber.page.describe()
