"""`GET /metrics` after a scripted run: every counter matches what the run did, labels stay bounded."""
import tempfile
import time

import pytest
import requests

from conftest import PLAIN_KEY, SHOP_KEY, RunningHerald
from conftest import send_to_rooms as send_to_shop
from metrics_scrape import scrape, value, wait_for_value
from redis_server import RedisServer
from server_state import wait_for_connected_sockets
from site_client import SiteClient


@pytest.fixture
def fresh_herald(hooks):
    """A Herald of its own, so its counters start at zero."""
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir)
        yield running
        running.assert_alive()
        running.stop()


def post(herald, site, key, body):
    return requests.post(f"{herald.url}/send", params={"site": site, "apiKey": key}, data=body,
                         headers={"Content-Type": "application/json"}, timeout=5).status_code


def test_counters_match_a_scripted_run(fresh_herald):
    herald = fresh_herald
    opened = []

    def connect(site, token, device="phone", transports=("websocket",)):
        client = SiteClient(herald, site, token, device=device, transports=transports).connect()
        opened.append(client)
        client.wait_for("_settings")
        return client

    try:
        amy = connect("shop", "good-amy")
        ben = connect("shop", "good-ben", transports=("polling",))
        eve = connect("shop", "good-eve", device="tablet")
        cat = connect("plain", "good-cat")
        dan = connect("plain", "good-dan")
        refused = SiteClient(herald, "shop", "denied")
        opened.append(refused)
        refused.connect(expect_success=False)
        eve.close()
        wait_for_connected_sockets(herald, 2)

        for n in range(3):
            send_to_shop(herald, ["user_amy"], "message", n)
        for n in range(2):
            send_to_shop(herald, ["news"], "news", n)
        send_to_shop(herald, ["user_eve"], "message", "kept for eve")
        for n in range(2):
            assert post(herald, "plain", PLAIN_KEY, f'{{"rooms":["news"],"event":"news","args":[{n}]}}') == 200
        assert post(herald, "shop", "wrong-key", '{"rooms":["news"],"event":"news"}') == 401
        assert post(herald, "shop", SHOP_KEY, '{"rooms":') == 400
        assert post(herald, "nowhere", SHOP_KEY, '{"rooms":["news"],"event":"news"}') == 401
        amy.wait_for("message", 3)
        amy.wait_for("news", 2)
        ben.wait_for("news", 2)
        cat.wait_for("news", 2)
        dan.wait_for("news", 2)

        # Every live message acked (amy 5, ben 2) before ben leaves, so his batch holds only what he missed.
        wait_for_value(herald, "herald_messages_acked_total", 3 + 2 + 2, site="shop")
        ben.close()
        wait_for_connected_sockets(herald, 1)
        send_to_shop(herald, ["user_ben"], "message", "while away")
        ben_again = connect("shop", "good-ben", transports=("polling",))
        ben_again.wait_for("_batch")

        # amy: 3 direct + 2 news; ben: 2 news live + 1 in the batch. Eve, away, acks nothing.
        acked = 3 + 2 + 2 + 1
        samples = wait_for_value(herald, "herald_messages_acked_total", acked, site="shop")

        expected = {
            ("herald_messages_acked_total", "shop"): acked,
            ("herald_messages_emitted_total", "shop"): 3 + 2 + 1 + 1,
            ("herald_messages_emitted_total", "plain"): 2,
            # amy 3; news reaches the devices of amy, ben and (away, but within device_ttl) eve; eve 1; ben 1 while
            # away. plain has no user rooms.
            ("herald_messages_queued_total", "shop"): 3 + 2 * 3 + 1 + 1,
            ("herald_messages_queued_total", "plain"): 0,
            ("herald_messages_replayed_total", "shop"): 1,
            # eve's 2 news and 1 direct message wait for her.
            ("herald_queued_messages", "shop"): 3,
        }
        for (name, site), count in expected.items():
            assert value(samples, name, site=site) == count, (name, site)

        assert value(samples, "herald_send_requests_total", site="shop", status="200") == 7
        assert value(samples, "herald_send_requests_total", site="shop", status="401") == 1
        assert value(samples, "herald_send_requests_total", site="shop", status="400") == 1
        assert value(samples, "herald_send_requests_total", site="plain", status="200") == 2
        assert value(samples, "herald_send_requests_total", site="unknown", status="401") == 1

        assert value(samples, "herald_handshakes_total", site="shop", outcome="accepted") == 4
        assert value(samples, "herald_handshakes_total", site="shop", outcome="rejected") == 1
        assert value(samples, "herald_handshakes_total", site="plain", outcome="accepted") == 2
        assert value(samples, "herald_auth_hook_duration_seconds_count", site="shop") == 5
        assert value(samples, "herald_auth_hook_duration_seconds_count", site="plain") == 2

        assert value(samples, "herald_connected_sockets", site="shop", transport="websocket") == 1
        assert value(samples, "herald_connected_sockets", site="shop", transport="polling") == 1
        assert value(samples, "herald_connected_sockets", site="plain", transport="websocket") == 2
        assert value(samples, "herald_connected_sockets", site="plain", transport="polling") == 0

        sites = {dict(labels).get("site") for _, labels in samples if dict(labels).get("site")}
        assert sites == {"shop", "plain", "unknown"}, "only configured sites (and 'unknown') label metrics"
        assert not any(dict(labels).keys() & {"room", "user", "userId", "deviceId"} for _, labels in samples)
    finally:
        for client in opened:
            client.close()


def test_event_loop_lag_is_measured(fresh_herald):
    deadline = time.monotonic() + 5
    while value(scrape(fresh_herald), "herald_event_loop_lag_seconds_count") == 0:
        assert time.monotonic() < deadline, "no event-loop lag sample within 5 s"
        time.sleep(0.2)


def test_redis_commands_are_timed_and_failures_counted(hooks):
    redis = RedisServer()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            herald = RunningHerald(hooks, workdir, extra_env={"REDIS_URL": redis.url})
            try:
                client = SiteClient(herald, "shop", "good-ray").connect()
                client.wait_for("_settings")
                send_to_shop(herald, ["user_ray"], "message", 1)
                client.wait_for("message")
                client.close()
                samples = scrape(herald)
                timed = [key for key in samples if key[0] == "herald_redis_command_duration_seconds_count"]
                assert timed, "no Redis command latency recorded"
                assert sum(samples[key] for key in timed) > 0
                assert not any(value for (name, _), value in samples.items() if name == "herald_redis_command_errors_total")

                redis.stop()
                assert post(herald, "shop", SHOP_KEY, '{"rooms":["user_ray"],"event":"message","args":[2]}') == 503
                errors = [v for (name, _), v in scrape(herald).items() if name == "herald_redis_command_errors_total"]
                assert sum(errors) >= 1
            finally:
                herald.stop()
    finally:
        redis.stop()


def test_backend_commands_are_counted_by_site_command_and_status(fresh_herald):
    herald = fresh_herald

    def command(path, site, key, body):
        return requests.post(f"{herald.url}/{path}", params={"site": site, "apiKey": key}, data=body,
                             headers={"Content-Type": "application/json"}, timeout=5).status_code

    assert command("rpc", "shop", SHOP_KEY, '{"room": "nobody-here", "event": "ping", "timeoutMs": 100}') == 404
    assert command("rpc", "shop", SHOP_KEY, '{"room": "nobody-here", "event": "ping", "timeoutMs": 100}') == 404
    assert command("rpc", "shop", SHOP_KEY, '["not", "an", "object"]') == 400
    assert command("rpc", "shop", "wrong-key", '{"room": "r", "event": "ping"}') == 401
    assert command("disconnect", "shop", SHOP_KEY, '{"room": "nobody-here"}') == 200
    assert command("disconnect", "no-such-site", SHOP_KEY, '{"room": "r"}') == 401

    samples = scrape(herald)
    counted = {
        (labels["command"], labels["site"], labels["status"]): count
        for (name, label_set), count in samples.items()
        if name == "herald_backend_commands_total"
        for labels in [dict(label_set)]
    }
    assert counted == {
        ("rpc", "shop", "404"): 2,
        ("rpc", "shop", "400"): 1,
        ("rpc", "shop", "401"): 1,
        ("disconnect", "shop", "200"): 1,
        ("disconnect", "unknown", "401"): 1,
    }
    # /send keeps its own counter.
    assert not [key for key in samples if key[0] == "herald_send_requests_total"]
