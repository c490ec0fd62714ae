"""The live admin page at `/admin`, as an operator uses it: enter the key, watch per-site connections and messages/s."""
import json
import os
import tempfile
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import HeraldServer
from test_demo_clients import page_with
from test_demo_page import DemoPage

ADMIN_KEY = "admin-key-for-the-browser-0123"
DEMO_KEY = "demo-api-key-not-secret"
WAIT = 15


@pytest.fixture(scope="module")
def admin_herald():
    """`herald serve` with the shipped sites.yml and a config.yml that sets admin.key."""
    with tempfile.TemporaryDirectory() as workdir:
        config = os.path.join(workdir, "config.yml")
        with open(config, "w") as f:
            f.write(f"production:\n  host: 127.0.0.1\n  admin:\n    key: {ADMIN_KEY}\n")
        server = HeraldServer(config=config)
        try:
            yield server
            server.assert_alive()
        finally:
            print(f"herald output:\n{server.output()}")
            server.stop()


class AdminPage:
    def __init__(self, driver, base_url):
        self.driver = driver
        driver.get(base_url + "/admin?interval=0.5")

    def wait_until(self, condition, what):
        return WebDriverWait(self.driver, WAIT, poll_frequency=0.05).until(condition, f"timed out waiting for {what}")

    def log_in(self, key):
        self.driver.find_element(By.ID, "admin-key").send_keys(key)
        self.driver.find_element(By.ID, "login-button").click()

    def status(self):
        return self.driver.find_element(By.ID, "status").text

    def room_members(self):
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#room-rows tr")
        return {row.find_elements(By.TAG_NAME, "td")[0].text: int(row.find_elements(By.TAG_NAME, "td")[1].text)
                for row in rows}

    def socket_rows_elements(self):
        return self.driver.find_elements(By.CSS_SELECTOR, "#socket-rows tr")

    def socket_rows(self):
        return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in self.socket_rows_elements()]

    def number(self, site, field):
        cells = self.driver.find_elements(By.CSS_SELECTOR, f'#site-rows tr[data-site="{site}"] [data-field="{field}"]')
        return float(cells[0].text) if cells and cells[0].text else None


def send(base_url, text):
    body = json.dumps({"rooms": ["demo-news"], "event": "message", "args": [text]}).encode()
    request = urllib.request.Request(
        f"{base_url}/send?site=demo", data=body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {DEMO_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def test_wrong_key_is_refused_on_the_page(admin_herald, open_browser):
    page = AdminPage(open_browser(), admin_herald.url)
    page.log_in("not-the-key")
    page.wait_until(lambda _: "refused" in page.status(), "the page to say the key was refused")
    assert not page.driver.find_element(By.ID, "dashboard").is_displayed()


def test_page_shows_connections_and_messages_per_second(admin_herald, open_browser):
    alice = DemoPage(open_browser(), admin_herald.url)
    bob = DemoPage(open_browser(), admin_herald.url)
    alice.connect_as("alice")
    bob.connect_as("bob")
    alice.wait_connected()
    bob.wait_connected()

    admin = AdminPage(open_browser(), admin_herald.url)
    admin.log_in(ADMIN_KEY)
    admin.wait_until(lambda _: admin.number("demo", "connections") == 2, "the page to show 2 demo connections")
    admin.wait_until(lambda _: admin.number("demo", "rate") == 0, "a quiet interval to show 0 messages/s")
    emitted_before = admin.number("demo", "emitted")

    for n in range(10):
        send(admin_herald.url, f"burst {n}")
    admin.wait_until(lambda _: (admin.number("demo", "rate") or 0) > 0, "messages/s to rise after the sends")
    admin.wait_until(lambda _: admin.number("demo", "emitted") == emitted_before + 10, "the page to count 10 messages")
    alice.wait_received("burst 9")

    admin.driver.find_element(By.CSS_SELECTOR, '#site-rows tr[data-site="demo"] th button').click()
    admin.wait_until(lambda _: admin.room_members() == {"demo-news": 2, "user_alice": 1, "user_bob": 1,
                                                        "#herald/reliable": 2}, "the demo site's rooms")
    admin.driver.find_element(By.CSS_SELECTOR, '#room-rows button[data-room="user_bob"]').click()
    admin.wait_until(lambda _: len(admin.socket_rows()) == 1, "bob's socket to be listed")
    request = urllib.request.Request(f"{admin_herald.url}/admin/api/sites", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        instances = json.loads(response.read())["instances"]
    assert admin.socket_rows()[0][1] == instances[0], "the socket's row names the instance it is connected to"
    assert admin.socket_rows()[0][2].startswith("browser-bob")
    admin.socket_rows_elements()[0].find_element(By.TAG_NAME, "button").click()
    bob.wait_until(lambda _: bob.status() == "disconnected", "bob's demo page to see the server disconnect")
    admin.wait_until(lambda _: admin.number("demo", "connections") == 1, "the page to show bob's disconnect")
    assert [entry for entry in admin.driver.get_log("browser") if entry["level"] == "SEVERE"] == []
    assert admin.driver.find_element(By.ID, "chart-connections").is_displayed()


def test_page_counts_plain_websocket_clients_in_their_own_column(admin_herald, open_browser):
    plain = page_with("websocket-json", admin_herald, open_browser)
    plain.connect_as("alice")
    plain.wait_connected()

    admin = AdminPage(open_browser(), admin_herald.url)
    admin.log_in(ADMIN_KEY)
    admin.wait_until(lambda _: admin.number("demo", "websocket-json") == 1, "the plain WebSocket column to show 1")
    assert admin.number("demo", "sse") == 0

    plain.field("connect-button").click()
    admin.wait_until(lambda _: admin.number("demo", "websocket-json") == 0, "the column to fall back to 0")
