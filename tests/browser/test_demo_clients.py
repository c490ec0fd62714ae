"""The demo page's client tabs: the same visitor flows over a plain WebSocket (JSON messages, acks by ID, the batch)
and over an EventSource, beside the Socket.IO client the other demo tests drive."""
import json

import pytest
from selenium.webdriver.common.by import By

from test_demo_page import DemoPage, unique


def page_with(client, herald, open_browser):
    page = DemoPage(open_browser(), herald.url)
    page.field(f"tab-{client}").click()
    page.wait_until(lambda _: page.field(f"tab-{client}").get_attribute("aria-selected") == "true", f"the {client} tab")
    return page


def batched_texts(page):
    items = page.driver.find_elements(By.CSS_SELECTOR, '#events li.received[data-event="message"][data-batch="true"]')
    return [item.text for item in items]


@pytest.mark.parametrize("client", ["websocket-json", "sse"])
def test_plain_websocket_and_eventsource_tabs_receive_pushes_and_show_their_settings(herald, open_browser, client):
    page = page_with(client, herald, open_browser)
    page.connect_as("alice")
    page.wait_connected()
    assert page.field("transport").text == client
    assert list(json.loads(page.field("settings").text)) == ["device_ttl"]
    text = unique(f"news over {client}")

    assert page.send("demo-news", text) == ("200", "200 OK")

    page.wait_received(text)
    assert [json.loads(args) for args in page.received_texts() if text in args] == [[{"text": text}]]
    assert page.severe_console_entries() == []


def test_plain_websocket_tab_gets_what_it_missed_as_a_batch_once(herald, open_browser):
    page = page_with("websocket-json", herald, open_browser)
    page.connect_as("bob")
    page.wait_connected()
    page.field("connect-button").click()
    page.wait_until(lambda _: page.status() == "disconnected", "the page to disconnect")
    missed = unique("stored while the plain client was away")
    assert page.send("user_bob", missed) == ("200", "200 OK")

    page.field("connect-button").click()
    page.wait_connected()
    page.wait_until(lambda _: any(missed in text for text in batched_texts(page)), "the batch")

    # The page acked the batch: after another round trip the message does not come again.
    page.field("connect-button").click()
    page.wait_until(lambda _: page.status() == "disconnected", "the page to disconnect")
    page.field("connect-button").click()
    page.wait_connected()
    after = unique("sentinel after the second connect")
    assert page.send("user_bob", after) == ("200", "200 OK")
    page.wait_received(after)
    assert len([text for text in page.received_texts() if missed in text]) == 1


def test_plain_websocket_tab_shows_a_refused_token(herald, open_browser):
    page = page_with("websocket-json", herald, open_browser)

    page.connect_as("alice", token="not-a-demo-token")

    page.wait_until(lambda _: page.status() == "error", "the page to show the connection was refused")
    assert page.field("connect-error").text == "Authentication failed"
    assert "UNAUTHORIZED" in page.field("status").text and "4401" in page.field("status").text


def test_eventsource_tab_shows_a_refused_token(herald, open_browser):
    page = page_with("sse", herald, open_browser)

    page.connect_as("alice", token="not-a-demo-token")

    page.wait_until(lambda _: page.status() == "error", "the page to show the stream was refused")
    page.wait_until(lambda _: page.field("connect-error").text == "Authentication failed", "the refusal's message")
