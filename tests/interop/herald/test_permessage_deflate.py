"""permessage-deflate (RFC 7692) on Herald's WebSockets, seen on the wire: what is negotiated, which messages go
compressed (RSV1, fewer bytes), what a client may send compressed, and that a zip bomb is refused with 1009 while
other clients carry on. A bare-socket client shows each frame's RSV1 bit and size; aiohttp's client (which
python-socketio's async client is built on, and which offers the extension with `compress=15`) checks a real
implementation agrees."""
import asyncio
import json
import urllib.parse

import aiohttp
import pytest

from conftest import running_herald
from deflate_client import DeflateClient, zip_bomb
from send_helpers import message, post_send

ZIPPED_KEY = "zipped-api-key-0123456789"
PLAIN_KEY = "plainsite-api-key-0123456789"
ZIPPED_TOKEN = "zipped-token-0123456789abcdef"
PLAIN_TOKEN = "plain-token-0123456789abcdef"
OFFER = "permessage-deflate; client_no_context_takeover"
ANSWER = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
LARGE = json.dumps([{"id": index, "user": f"user_{index}", "text": f"message {index} for the room"} for index in range(80)])
SMALL = "short"


@pytest.fixture(scope="module")
def herald(hooks):
    sites = (
        "zipped:\n"
        f"  apiKey: {ZIPPED_KEY}\n"
        f"  tokens:\n    {ZIPPED_TOKEN}: [all]\n"
        "  permessageDeflate: true\n"
        "unzipped:\n"
        f"  apiKey: {PLAIN_KEY}\n"
        f"  tokens:\n    {PLAIN_TOKEN}: [all]\n"
    )
    with running_herald(hooks, sites=sites, max_body=65536) as running:
        yield running


def socket_io_client(herald, site, token, offer=OFFER, compressed_connect=False):
    """A Socket.IO v5 client of `site` (no deviceId, so it gets broadcasts), connected and past `_settings`."""
    query = urllib.parse.urlencode({"EIO": 4, "transport": "websocket", "token": token})
    client = DeflateClient(herald.port, f"/socket.io/?{query}", offer=offer)
    opened, _ = client.message()
    assert opened.startswith("0{")
    client.send(f"40/{site},", compressed=compressed_connect)
    answer, _ = client.message()
    assert answer.startswith(f"40/{site},"), answer
    settings, _ = client.message()
    assert '"_settings"' in settings
    return client


def send(herald, site, key, text):
    response = post_send(herald, message(["all"], "news", {"text": text}), site=site, api_key=key)
    assert response.status_code == 200, response.text


def test_the_answer_accepts_the_offer_and_keeps_no_server_context(herald):
    client = socket_io_client(herald, "zipped", ZIPPED_TOKEN)
    assert client.extensions == ANSWER
    client.close()
    client = socket_io_client(herald, "zipped", ZIPPED_TOKEN, offer="permessage-deflate; server_max_window_bits=10")
    assert client.extensions == "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
    client.close()


@pytest.mark.parametrize("offer", ["permessage-deflate; server_max_window_bits=8", 'x; y="', "permessage-deflate; bogus", None])
def test_an_offer_it_cannot_honour_is_declined_not_refused(herald, offer):
    client = socket_io_client(herald, "zipped", ZIPPED_TOKEN, offer=offer)
    assert client.extensions is None
    send(herald, "zipped", ZIPPED_KEY, LARGE)
    text, frame = client.message()
    assert not frame.rsv1 and json.loads(text[len("42/zipped,"):]) == ["news", {"text": LARGE}]
    client.close()


def test_a_large_broadcast_goes_compressed_to_every_client_and_a_small_one_does_not(herald):
    clients = [socket_io_client(herald, "zipped", ZIPPED_TOKEN) for _ in range(3)]
    send(herald, "zipped", ZIPPED_KEY, LARGE)
    frames = []
    for client in clients:
        text, frame = client.message()
        assert json.loads(text[len("42/zipped,"):]) == ["news", {"text": LARGE}]
        assert frame.rsv1
        assert frame.wire_size < len(text) / 2
        frames.append(frame.payload)
    assert len(set(frames)) == 1
    send(herald, "zipped", ZIPPED_KEY, SMALL)
    for client in clients:
        text, frame = client.message()
        assert not frame.rsv1 and json.loads(text[len("42/zipped,"):]) == ["news", {"text": SMALL}]
        client.close()


def test_a_site_without_it_never_compresses(herald):
    client = socket_io_client(herald, "unzipped", PLAIN_TOKEN)
    assert client.extensions == ANSWER  # negotiated, as the namespace is not known at the upgrade
    send(herald, "unzipped", PLAIN_KEY, LARGE)
    text, frame = client.message()
    assert not frame.rsv1 and json.loads(text[len("42/unzipped,"):]) == ["news", {"text": LARGE}]
    client.close()


def test_the_client_may_send_compressed_messages(herald):
    client = socket_io_client(herald, "zipped", ZIPPED_TOKEN, compressed_connect=True)
    client.close()


def test_a_zip_bomb_closes_with_1009_and_other_clients_carry_on(herald):
    bystander = socket_io_client(herald, "zipped", ZIPPED_TOKEN)
    attacker = socket_io_client(herald, "zipped", ZIPPED_TOKEN)
    bomb = zip_bomb(50_000_000)
    assert len(bomb) < 100_000
    attacker.send("", compressed=True, raw=bomb)
    assert attacker.close_code() == 1009
    attacker.close()
    send(herald, "zipped", ZIPPED_KEY, LARGE)
    text, frame = bystander.message()
    assert frame.rsv1 and json.loads(text[len("42/zipped,"):]) == ["news", {"text": LARGE}]
    bystander.close()
    herald.assert_alive()


def test_rsv1_without_negotiation_is_a_protocol_error(herald):
    client = socket_io_client(herald, "zipped", ZIPPED_TOKEN, offer=None)
    client.send("40/zipped,", compressed=True)
    assert client.close_code() == 1002
    client.close()


def test_plain_websocket_negotiates_only_for_its_site_and_compresses_broadcasts(herald):
    zipped = DeflateClient(herald.port, "/ws/zipped")
    assert zipped.extensions == ANSWER
    zipped.send(json.dumps({"type": "auth", "token": ZIPPED_TOKEN}), compressed=True)
    settings, _ = zipped.message()
    assert json.loads(settings)["type"] == "settings"
    unzipped = DeflateClient(herald.port, f"/ws/unzipped?token={PLAIN_TOKEN}")
    assert unzipped.extensions is None
    assert json.loads(unzipped.message()[0])["type"] == "settings"
    send(herald, "zipped", ZIPPED_KEY, LARGE)
    text, frame = zipped.message()
    assert frame.rsv1 and frame.wire_size < len(text) / 2
    assert json.loads(text)["args"] == [{"text": LARGE}]
    zipped.close()
    unzipped.close()


def test_aiohttp_negotiates_and_reads_compressed_messages(herald):
    async def exchange():
        query = urllib.parse.urlencode({"EIO": 4, "transport": "websocket", "token": ZIPPED_TOKEN})
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"ws://127.0.0.1:{herald.port}/socket.io/?{query}", compress=15) as ws:
                assert ws.compress == 15
                assert (await ws.receive_str(timeout=8)).startswith("0{")
                await ws.send_str("40/zipped,")  # aiohttp compresses what it sends
                assert (await ws.receive_str(timeout=8)).startswith("40/zipped,")
                assert '"_settings"' in await ws.receive_str(timeout=8)
                await asyncio.get_running_loop().run_in_executor(None, send, herald, "zipped", ZIPPED_KEY, LARGE)
                while True:
                    text = await ws.receive_str(timeout=8)
                    if text != "2":
                        return text
                    await ws.send_str("3")

    text = asyncio.run(exchange())
    assert json.loads(text[len("42/zipped,"):]) == ["news", {"text": LARGE}]


def test_a_reload_turns_it_on_for_connections_made_after_it(hooks):
    from test_hot_reload import reload_by_signal

    sites = f"zipped:\n  apiKey: {ZIPPED_KEY}\n  tokens:\n    {ZIPPED_TOKEN}: [all]\n"
    with running_herald(hooks, sites=sites, max_body=65536) as herald:
        before = socket_io_client(herald, "zipped", ZIPPED_TOKEN)
        assert before.extensions is None
        reload_by_signal(herald, sites + "  permessageDeflate: true\n")
        after = socket_io_client(herald, "zipped", ZIPPED_TOKEN)
        assert after.extensions == ANSWER
        send(herald, "zipped", ZIPPED_KEY, LARGE)
        assert after.message()[1].rsv1
        assert not before.message()[1].rsv1
        before.close()
        after.close()
