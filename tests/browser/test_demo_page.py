"""The demo page at `/`, as a visitor uses it: connect as Alice or Bob, push with `POST /send`, watch events arrive."""
import json
import urllib.request
import uuid

import pytest

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 15


class DemoPage:
    """One browser showing Herald's demo page, driven through its visible controls."""

    def __init__(self, driver, base_url):
        self.driver = driver
        driver.get(base_url + "/")
        self.wait_until(lambda d: d.find_element(By.ID, "token").get_attribute("value"), "the page to fill in a token")

    def wait_until(self, condition, what):
        return WebDriverWait(self.driver, WAIT, poll_frequency=0.1).until(condition, f"timed out waiting for {what}")

    def field(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def fill(self, element_id, value):
        element = self.field(element_id)
        element.clear()
        element.send_keys(value)

    def connect_as(self, user, token=None):
        Select(self.field("user")).select_by_value(user)
        if token is not None:
            self.fill("token", token)
        self.field("connect-button").click()

    def status(self):
        return self.field("status").get_attribute("data-state")

    def wait_connected(self):
        self.wait_until(lambda _: self.status() == "connected", "the page to show it is connected")

    def send(self, room, text, api_key=None):
        self.fill("room", room)
        self.fill("event", "message")
        self.fill("text", text)
        if api_key is not None:
            self.fill("api-key", api_key)
        self.field("send-button").click()
        self.wait_until(lambda _: self.send_status() not in ("", "pending"), "the answer to POST /send")
        return self.send_status(), self.field("send-result").text

    def send_status(self):
        return self.field("send-result").get_attribute("data-status")

    def received_texts(self, event="message"):
        items = self.driver.find_elements(By.CSS_SELECTOR, f'#events li.received[data-event="{event}"] .event-args')
        return [item.text for item in items]

    def wait_received(self, text, event="message"):
        self.wait_until(
            lambda _: any(text in shown for shown in self.received_texts(event)), f"{event} {text!r} to appear"
        )

    def severe_console_entries(self):
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]


def unique(label):
    return f"{label} {uuid.uuid4().hex[:10]}"


def connected_pair(herald, open_browser):
    alice = DemoPage(open_browser(), herald.url)
    bob = DemoPage(open_browser(), herald.url)
    alice.connect_as("alice")
    bob.connect_as("bob")
    alice.wait_connected()
    bob.wait_connected()
    return alice, bob


def test_message_to_a_shared_room_reaches_both_users(herald, open_browser):
    alice, bob = connected_pair(herald, open_browser)
    text = unique("news for everyone")

    assert alice.send("demo-news", text) == ("200", "200 OK")

    alice.wait_received(text)
    bob.wait_received(text)
    shown = [json.loads(args) for args in bob.received_texts() if text in args]
    assert shown == [[{"text": text}]]
    assert alice.severe_console_entries() == []
    assert bob.severe_console_entries() == []


def test_message_to_a_user_room_reaches_only_that_user(herald, open_browser):
    alice, bob = connected_pair(herald, open_browser)
    private = unique("for bob only")
    later = unique("news after the private one")

    assert alice.send("user_bob", private) == ("200", "200 OK")
    bob.wait_received(private)
    # Alice's socket would have received the private message before the later one, so once the later one is on her
    # page, the private one's absence is final.
    assert alice.send("demo-news", later) == ("200", "200 OK")
    alice.wait_received(later)

    assert not any(private in shown for shown in alice.received_texts())


def connections_closed_by_the_server(herald):
    """The non-zero `herald_connections_closed_total` samples: for a failure message, whether Herald cut a socket."""
    text = urllib.request.urlopen(herald.url + "/metrics", timeout=5).read().decode()
    return [line for line in text.splitlines() if line.startswith("herald_connections_closed_total") and not line.endswith(" 0")]


def test_connection_panel_shows_settings_transport_and_disconnects(herald, open_browser):
    page = DemoPage(open_browser(), herald.url)
    page.connect_as("alice")
    page.wait_connected()

    page.wait_until(lambda _: page.field("settings").get_attribute("data-received") == "true", "_settings to be shown")
    settings = json.loads(page.field("settings").text)
    assert list(settings) == ["device_ttl"]
    assert isinstance(settings["device_ttl"], int) and settings["device_ttl"] > 0
    try:
        page.wait_until(lambda _: page.field("transport").text == "websocket", "the upgrade to WebSocket")
    except TimeoutException:
        transport = page.field("transport")
        pytest.fail(
            f"still on {transport.text!r} (upgrade error: {transport.get_attribute('data-upgrade-error')!r}); "
            f"console: {page.driver.get_log('browser')}; closed by Herald: {connections_closed_by_the_server(herald)}; herald log:\n{herald.output()[-6000:]}"
        )
    assert page.field("connect-button").text == "Disconnect"
    assert page.severe_console_entries() == []

    page.field("connect-button").click()
    page.wait_until(lambda _: page.status() == "disconnected", "the page to show it is disconnected")
    assert page.field("connect-button").text == "Connect"
    assert page.field("transport").text == "—"


def test_wrong_api_key_shows_401_and_the_reason(herald, open_browser):
    page = DemoPage(open_browser(), herald.url)

    status, shown = page.send("demo-news", unique("never sent"), api_key="not-the-demo-key")

    assert status == "401"
    assert shown == "401 ApiKey invalid."


def test_bad_token_shows_authentication_failed(herald, open_browser):
    page = DemoPage(open_browser(), herald.url)

    page.connect_as("alice", token="not-a-demo-token")

    page.wait_until(lambda _: page.status() == "error", "the page to show the connection was refused")
    assert page.field("connect-error").text == "Authentication failed"
    assert page.field("connect-button").text == "Connect"


def test_message_sent_while_away_arrives_in_a_batch_on_reconnect(herald, open_browser):
    alice, bob = connected_pair(herald, open_browser)
    bob.field("connect-button").click()
    bob.wait_until(lambda _: bob.status() == "disconnected", "Bob's page to disconnect")
    text = unique("stored while bob was away")

    assert alice.send("user_bob", text) == ("200", "200 OK")
    bob.field("connect-button").click()

    bob.wait_received(text)
    batched = bob.driver.find_elements(By.CSS_SELECTOR, '#events li.received[data-event="message"][data-batch="true"]')
    assert any(text in item.text for item in batched)
