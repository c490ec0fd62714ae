"""The connection policy seen by real clients: global and per-site `allowFrom` / `denyFrom`, the client address taken
from `X-Forwarded-For` only behind a trusted proxy, and `maxAuthAttemptsPerMinute` refusing before `authUrl` is
called. Distinct clients on loopback are told apart by the address a trusted proxy (127.0.0.1) forwards."""
import json
import signal
import tempfile
import urllib.parse

import pytest
import requests
import socketio
import websocket

from conftest import RunningHerald
from loopback import wait_until
from metrics_scrape import scrape, value
from site_client import GENERATION, SiteClient

KEYS = {name: f"{name}-api-key-0123456789" for name in ("gated", "open", "capped")}
ATTEMPTS = 3
DENIED_CLIENT = "192.0.2.66"
GLOBALLY_DENIED = "198.51.100.7"


def sites_yml(hooks, gated_extra=f"  denyFrom: [{DENIED_CLIENT}]\n"):
    def site(name, extra=""):
        return f"{name}:\n  authUrl: {hooks.url}/auth\n  apiKey: {KEYS[name]}\n{extra}"

    return (
        site("gated", gated_extra)
        + site("open")
        + site("capped", f"  maxAuthAttemptsPerMinute: {ATTEMPTS}\n")
    )


def start(hooks, workdir, trusted):
    config = f"  trustedProxies: [{trusted}]\n  denyFrom: ['198.51.100.0/24']\n"
    return RunningHerald(hooks, workdir, sites=sites_yml(hooks), config_extra=config)


@pytest.fixture(scope="module")
def herald(hooks):
    """127.0.0.1 (every test client) is a trusted proxy: `X-Forwarded-For` names the client."""
    with tempfile.TemporaryDirectory() as workdir:
        running = start(hooks, workdir, trusted="127.0.0.1")
        yield running
        running.assert_alive()
        running.stop()


@pytest.fixture(scope="module")
def untrusting_herald(hooks):
    """Only 10.0.0.0/8 is trusted: the loopback peer is the client whatever header it sends."""
    with tempfile.TemporaryDirectory() as workdir:
        running = start(hooks, workdir, trusted="'10.0.0.0/8'")
        yield running
        running.assert_alive()
        running.stop()


@pytest.fixture
def connect():
    """Connects `SiteClient`s as the client at `address` (forwarded by the trusted loopback proxy); closes them."""
    opened = []

    def open_client(herald, site, token, address=None, expect_success=True, transports=("websocket",)):
        headers = {"X-Forwarded-For": address} if address else None
        client = SiteClient(herald, site, token, headers=headers, transports=transports)
        opened.append(client)
        return client.connect(expect_success=expect_success)

    yield open_client
    for client in opened:
        client.close()


def handshake(herald, address, path="/socket.io/"):
    return requests.get(
        f"{herald.url}{path}", params={"EIO": "4", "transport": "polling"},
        headers={"X-Forwarded-For": address}, timeout=5,
    )


def plain_refusal(herald, site, token, address):
    """Opens `/ws/<site>` as the client at `address`; returns the error message and close code Herald answers with."""
    url = herald.url.replace("http://", "ws://") + f"/ws/{site}?" + urllib.parse.urlencode({"token": token})
    ws = websocket.create_connection(url, timeout=8, header=[f"X-Forwarded-For: {address}"])
    try:
        error = json.loads(ws.recv())
        opcode, frame = ws.recv_data_frame(True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
        return error, int.from_bytes(frame.data[:2], "big")
    finally:
        ws.close()


def test_a_denied_address_is_refused_by_its_site_while_another_site_accepts_it(herald, hooks, connect):
    refused = connect(herald, "gated", "good-denied-1", address=DENIED_CLIENT, expect_success=False)
    assert refused.errors == ["Address not allowed"]
    assert hooks.calls_for("good-denied-1") == 0
    polling = connect(
        herald, "gated", "good-denied-2", address=DENIED_CLIENT, expect_success=False, transports=("polling",),
    )
    assert polling.errors == ["Address not allowed"]
    connect(herald, "open", "good-denied-3", address=DENIED_CLIENT)
    connect(herald, "gated", "good-allowed-1", address="192.0.2.67")
    assert value(scrape(herald), "herald_handshakes_total", site="gated", outcome="denied") == 2


def test_site_refusals_reach_plain_websocket_and_sse_clients(herald):
    error, code = plain_refusal(herald, "gated", "good-plain-1", DENIED_CLIENT)
    assert (error["type"], error["code"], error["message"], code) == (
        "error", "ADDRESS_NOT_ALLOWED", "Address not allowed", 4403,
    )
    response = requests.get(
        f"{herald.url}/sse/gated", params={"token": "good-sse-1"}, headers={"X-Forwarded-For": DENIED_CLIENT},
        timeout=5,
    )
    assert response.status_code == 403
    assert response.json() == {"code": "ADDRESS_NOT_ALLOWED", "message": "Address not allowed"}


def test_a_globally_denied_address_gets_403_before_any_session(herald, hooks, connect):
    response = handshake(herald, GLOBALLY_DENIED)
    assert response.status_code == 403
    assert response.json() == {"message": "Address not allowed"}
    with pytest.raises(websocket.WebSocketBadStatusException) as upgrade:
        websocket.create_connection(
            herald.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
            timeout=8, header=[f"X-Forwarded-For: {GLOBALLY_DENIED}"],
        )
    assert upgrade.value.status_code == 403
    with pytest.raises(websocket.WebSocketBadStatusException) as plain:
        websocket.create_connection(
            herald.url.replace("http://", "ws://") + "/ws/open?token=good-global-1",
            timeout=8, header=[f"X-Forwarded-For: {GLOBALLY_DENIED}"],
        )
    assert plain.value.status_code == 403
    sse = requests.get(
        f"{herald.url}/sse/open", params={"token": "good-global-2"}, headers={"X-Forwarded-For": GLOBALLY_DENIED},
        timeout=5,
    )
    assert (sse.status_code, sse.json()["code"]) == (403, "ADDRESS_NOT_ALLOWED")
    refused = SiteClient(herald, "open", "good-global-3", headers={"X-Forwarded-For": GLOBALLY_DENIED})
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.client.connect(
            refused.url, namespaces=["/open"], transports=["websocket"], headers=refused.headers,
            **({"wait_timeout": 8} if GENERATION >= 5 else {}),
        )
    refused.close()
    assert hooks.calls_for("good-global-1") == hooks.calls_for("good-global-2") == hooks.calls_for("good-global-3") == 0
    assert handshake(herald, "198.52.0.1").status_code == 200


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(herald, untrusting_herald, connect):
    # Behind the trusted proxy the header names the client: the forwarded address is denied, the loopback is not.
    forwarded = connect(herald, "gated", "good-xff-1", address=DENIED_CLIENT, expect_success=False)
    assert forwarded.errors == ["Address not allowed"]
    # An address the client wrote itself sits left of the one the proxy saw (192.0.2.99) and is not believed.
    connect(herald, "gated", "good-xff-2", address=f"{DENIED_CLIENT}, 192.0.2.99")
    # The right-most entry is what the trusted proxy saw, whatever the client put before it.
    chained = connect(herald, "gated", "good-xff-3", address=f"192.0.2.99, {DENIED_CLIENT}", expect_success=False)
    assert chained.errors == ["Address not allowed"]
    # A peer that is no trusted proxy is the client whatever it claims, either way.
    connect(untrusting_herald, "gated", "good-xff-4", address=DENIED_CLIENT)
    assert handshake(untrusting_herald, GLOBALLY_DENIED).status_code == 200
    assert handshake(herald, GLOBALLY_DENIED).status_code == 403


def test_auth_attempts_over_the_cap_are_refused_without_calling_auth_url(herald, hooks, connect):
    attacker = "203.0.113.10"
    for _ in range(ATTEMPTS):
        refused = connect(herald, "capped", "guess-wrong", address=attacker, expect_success=False)
        assert refused.errors == ["Authentication failed"]
    assert hooks.calls_for("guess-wrong") == ATTEMPTS
    over = connect(herald, "capped", "guess-wrong", address=attacker, expect_success=False)
    assert over.errors == ["Too many authentication attempts"]
    plain_error, plain_code = plain_refusal(herald, "capped", "good-capped-plain", attacker)
    assert (plain_error["code"], plain_error["message"], plain_code) == (
        "LIMIT_REACHED", "Too many authentication attempts", 4429,
    )
    sse = requests.get(
        f"{herald.url}/sse/capped", params={"token": "good-capped-sse"}, headers={"X-Forwarded-For": attacker},
        timeout=5,
    )
    assert (sse.status_code, sse.json()) == (
        429, {"code": "TOO_MANY_AUTH_ATTEMPTS", "message": "Too many authentication attempts"},
    )
    assert hooks.calls_for("guess-wrong") == ATTEMPTS
    assert hooks.calls_for("good-capped-plain") == hooks.calls_for("good-capped-sse") == 0
    # Another address on the same site, and the same address on another site, are counted apart.
    connect(herald, "capped", "good-capped-1", address="203.0.113.11")
    connect(herald, "open", "good-capped-2", address=attacker)
    assert value(scrape(herald), "herald_handshakes_total", site="capped", outcome="limited") == 3


def test_a_reload_applies_the_new_site_lists(hooks, connect):
    with tempfile.TemporaryDirectory() as workdir:
        running = start(hooks, workdir, trusted="127.0.0.1")
        try:
            kept = connect(running, "gated", "good-reload-1", address="192.0.2.50")
            with open(running.sites_path, "w") as f:
                f.write(sites_yml(hooks, gated_extra="  denyFrom: ['192.0.2.0/24']\n"))
            running.process.send_signal(signal.SIGHUP)
            wait_until(lambda: "sites reloaded" in running.output(), lambda: running.output()[-2000:])
            refused = connect(running, "gated", "good-reload-2", address="192.0.2.50", expect_success=False)
            assert refused.errors == ["Address not allowed"]
            assert kept.client.connected
            running.assert_alive()
        finally:
            running.stop()
