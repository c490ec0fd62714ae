"""Server-Sent Events at `GET /sse/<site>`: frames, heartbeats, refusals, reliable delivery with `Last-Event-ID`
(in memory and on Redis), Socket.IO and SSE devices of one user, slow readers and hostile input.

Nothing here waits a fixed time: that something did *not* arrive is shown by a sentinel message sent after it
(messages to one device arrive in the order they were stored for it)."""
import json
import os
import sys
import tempfile
import uuid

import requests

sys.path.insert(0, os.path.dirname(__file__))

from sse_servers import (  # noqa: E402
    ADMIN_KEY, HEARTBEAT_MS, IDLE_TIMEOUT_MS, PLAIN_KEY, QUEUE_LIMIT, send, start_herald, stop_herald,
)
from site_client import SiteClient  # noqa: E402
from sse_client import SSEStream  # noqa: E402


def user():
    """A user of its own per test, so module-scoped servers carry nothing from one test to the next."""
    return uuid.uuid4().hex[:10]


def connect(herald, name, device="browser", **options):
    stream = SSEStream(herald.url, "shop", token=f"good-{name}", device=device, **options)
    assert stream.status == 200, (stream.status, stream.error)
    stream.wait_for("settings")
    return stream


def sentinel(url, stream, room, count=None):
    """Sends a `sentinel` to `room` and waits for it on `stream`: everything sent to the device before has arrived."""
    count = count or len(stream.named("sentinel")) + 1
    send(url, [room], "sentinel", count)
    stream.wait_for("sentinel", count=count)


def stored(stream):
    """The device messages a stream received (queued ones carry an ID), as (event, args)."""
    return [(e["event"], e["args"]) for e in stream.events if e["id"] is not None]


def test_frames_carry_id_event_and_the_json_arguments(herald):
    name = user()
    stream = connect(herald, name)
    try:
        assert stream.headers["content-type"] == "text/event-stream"
        assert stream.headers["cache-control"] == "no-store"
        assert stream.headers["x-accel-buffering"] == "no"
        assert stream.retry == 2000
        settings = stream.named("settings")[0]
        assert settings["id"] is None and settings["args"] == [{"device_ttl": 3600}]
        send(herald.url, [f"user_{name}"], "news", {"a": 1, "b": [True, None]}, "x")
        event = stream.wait_for("news")[0]
        assert event["id"].isdigit() and len(event["id"]) <= 20
        assert json.loads(event["data"]) == [{"a": 1, "b": [True, None]}, "x"]
        assert "\n" not in event["data"]
        send(herald.url, ["lobby"], "news", "for everyone in the lobby")
    finally:
        stream.close()


def test_broadcasts_to_shared_rooms_arrive_without_an_id(herald):
    name = user()
    stream = SSEStream(herald.url, "plain", token=f"good-{name}", device=None)
    try:
        assert stream.status == 200
        stream.wait_for("settings")
        send(herald.url, ["news"], "update", 1, site="plain", api_key=PLAIN_KEY)
        event = stream.wait_for("update")[0]
        assert event["id"] is None and event["args"] == [1]
    finally:
        stream.close()


def test_heartbeats_come_and_the_idle_timeout_never_cuts_a_stream(herald):
    name = user()
    stream = connect(herald, name)
    try:
        # Heartbeats as the clock: this many span three idle timeouts.
        beats = 3 * IDLE_TIMEOUT_MS // HEARTBEAT_MS + 1
        stream.wait_until(lambda: stream.comments.count(" heartbeat") >= beats, f"{beats} heartbeat comments",
                          timeout=beats * HEARTBEAT_MS / 1000 * 3)
        send(herald.url, [f"user_{name}"], "news", "still here")
        assert stream.wait_for("news")[0]["args"] == ["still here"]
        assert not stream.ended.is_set()
    finally:
        stream.close()


def test_refusals_are_http_errors_with_a_json_body(herald, hooks):
    cases = [
        (dict(site="nosuchsite", token="good-x"), 404, "UNKNOWN_SITE"),
        (dict(site="shop", token="denied"), 401, "UNAUTHORIZED"),
        (dict(site="shop", token="shared-only"), 403, "UNAUTHORIZED"),
        (dict(site="shop", token="broken"), 503, "AUTH_UNAVAILABLE"),
        (dict(site="shop", token="garbage"), 503, "AUTH_UNAVAILABLE"),
        (dict(site="shop", token="good-x", last_event_id="not-an-id"), 400, "INVALID_LAST_EVENT_ID"),
        (dict(site="shop", token="good-x", query_last_event_id="-1"), 400, "INVALID_LAST_EVENT_ID"),
        (dict(site="shop", token="good-x", last_event_id="1" * 40), 400, "INVALID_LAST_EVENT_ID"),
    ]
    for options, status, code in cases:
        site = options.pop("site")
        stream = SSEStream(herald.url, site, headers={"Origin": "https://app.example"}, **options)
        assert (stream.status, stream.error["code"]) == (status, code), (options, stream.error)
        assert stream.headers["content-type"] == "application/json"
        assert stream.body.startswith(f'{{"code":"{code}","message":')
        assert stream.headers["access-control-allow-origin"] == "https://app.example"
        assert stream.error["message"]
    # The message is the one Socket.IO clients get in their connect_error.
    assert SSEStream(herald.url, "shop", token="denied").error["message"] == "Authentication failed"
    assert SSEStream(herald.url, "shop", token="broken").error["message"] == "Auth 500 error"


def test_site_limits_refuse_with_their_status(herald):
    first = SSEStream(herald.url, "tight", token=f"good-{user()}", device=None)
    try:
        assert first.status == 200
        second = SSEStream(herald.url, "tight", token=f"good-{user()}", device=None)
        assert (second.status, second.error["code"]) == (503, "CONNECTION_LIMIT")
    finally:
        first.close()
    name = user()
    phone = SSEStream(herald.url, "onedevice", token=f"good-{name}", device="phone")
    try:
        assert phone.status == 200
        laptop = SSEStream(herald.url, "onedevice", token=f"good-{name}", device="laptop")
        assert (laptop.status, laptop.error["code"]) == (429, "TOO_MANY_DEVICES")
    finally:
        phone.close()


def test_the_handshake_rate_limit_refuses_with_retry_after(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        # A burst of one, refilled once a second: a second stream right after the first is over the rate.
        herald = start_herald(hooks, workdir, "memory",
                              io_extra="    maxConnectionsPerSecond: 1\n    connectionBurst: 1\n")
        try:
            first = SSEStream(herald.url, "plain", token=f"good-{user()}", device=None)
            second = SSEStream(herald.url, "plain", token=f"good-{user()}", device=None)
            try:
                assert first.status == 200
                assert (second.status, second.error["code"]) == (503, "TOO_MANY_CONNECTIONS")
                assert int(second.headers["retry-after"]) >= 1
            finally:
                first.close()
        finally:
            stop_herald(herald)


def test_cors_preflight_allows_get_with_last_event_id(herald):
    response = requests.options(
        f"{herald.url}/sse/shop",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "last-event-id"},
        timeout=5,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "last-event-id"


def test_offline_device_gets_the_rest_after_last_event_id_in_order_once(herald):
    name = user()
    room = f"user_{name}"
    first = connect(herald, name)
    for number in (1, 2):
        send(herald.url, [room], "news", number)
    first.wait_for("news", count=2)
    position = first.last_event_id
    first.close()
    for number in (3, 4, 5):
        send(herald.url, [room], "news", number)

    second = connect(herald, name, last_event_id=position)
    try:
        sentinel(herald.url, second, room)
        assert stored(second) == [("news", [3]), ("news", [4]), ("news", [5]), ("sentinel", [1])]
        position = second.last_event_id
    finally:
        second.close()

    third = connect(herald, name, last_event_id=position)
    try:
        sentinel(herald.url, third, room, count=1)
        assert stored(third) == [("sentinel", [1])], "the newest ID acknowledged everything before it"
    finally:
        third.close()


def test_the_query_parameter_of_polyfills_names_the_position_too(herald):
    name = user()
    room = f"user_{name}"
    first = connect(herald, name)
    send(herald.url, [room], "news", 1)
    first.wait_for("news")
    position = first.last_event_id
    first.close()
    send(herald.url, [room], "news", 2)
    second = connect(herald, name, query_last_event_id=position)
    try:
        sentinel(herald.url, second, room)
        assert stored(second) == [("news", [2]), ("sentinel", [1])]
    finally:
        second.close()


def test_without_a_position_nothing_counts_as_received(herald):
    name = user()
    room = f"user_{name}"
    first = connect(herald, name)
    send(herald.url, [room], "news", 1)
    first.wait_for("news")
    first.close()
    second = connect(herald, name)
    try:
        sentinel(herald.url, second, room)
        assert stored(second) == [("news", [1]), ("sentinel", [1])]
    finally:
        second.close()


def test_socketio_and_sse_devices_of_one_user_each_get_their_copy(herald):
    name = user()
    room = f"user_{name}"
    phone = SiteClient(herald, "shop", f"good-{name}", device="phone").connect()
    browser = connect(herald, name, device="browser")
    try:
        send(herald.url, [room], "news", "to both")
        phone.wait_for("news")
        browser.wait_for("news")
        assert [args for event, args in phone.events if event == "news"] == [["to both"]]
        assert [e["args"] for e in browser.named("news")] == [["to both"]]
        position = browser.last_event_id
    finally:
        browser.close()
        phone.close()
    send(herald.url, [room], "news", "while away")
    again = connect(herald, name, device="browser", last_event_id=position)
    try:
        sentinel(herald.url, again, room)
        assert stored(again) == [("news", ["while away"]), ("sentinel", [1])]
    finally:
        again.close()


def test_a_connection_holding_its_share_of_the_queue_ends_and_the_client_resumes(small_queue_herald):
    herald = small_queue_herald
    name = user()
    room = f"user_{name}"
    budget = QUEUE_LIMIT // 2
    first = connect(herald, name)
    for number in range(1, budget + 1):
        send(herald.url, [room], "news", number)
    first.wait_ended()
    assert [e["args"] for e in first.named("news")] == [[n] for n in range(1, budget + 1)]
    position = first.last_event_id
    first.close()
    send(herald.url, [room], "news", budget + 1)
    second = connect(herald, name, last_event_id=position)
    try:
        sentinel(herald.url, second, room)
        assert stored(second) == [("news", [budget + 1]), ("sentinel", [1])]
    finally:
        second.close()


def test_an_overflowed_queue_asks_for_a_resync(small_queue_herald):
    herald = small_queue_herald
    name = user()
    room = f"user_{name}"
    connect(herald, name).close()
    for number in range(QUEUE_LIMIT + 1):
        send(herald.url, [room], "news", number)
    stream = connect(herald, name)
    try:
        stream.wait_for("resync")
        sentinel(herald.url, stream, room)
        assert stored(stream) == [("sentinel", [1])]
    finally:
        stream.close()


def test_a_client_that_never_reads_is_dropped_while_others_keep_receiving(herald):
    stuck = SSEStream(herald.url, "plain", token=f"good-{user()}", device=None, read=False)
    reader = SSEStream(herald.url, "plain", token=f"good-{user()}", device=None)
    try:
        assert (stuck.status, reader.status) == (200, 200)
        reader.wait_for("settings")
        payload = "x" * (512 * 1024)
        count = 24  # 12 MiB: past the kernel's socket buffers and Herald's 1 MiB bound
        for number in range(count):
            send(herald.url, ["news"], "bulk", number, payload, site="plain", api_key=PLAIN_KEY)
            reader.wait_for("bulk", count=number + 1)
        assert [e["args"][0] for e in reader.named("bulk")] == list(range(count))
        assert stuck.drain_until_closed(), "the client that never read was not dropped"
        assert "SSE client dropped" in herald.output()
    finally:
        stuck.close()
        reader.close()


def test_hostile_inputs_get_clear_answers_and_hurt_nobody(herald):
    name = user()
    room = f"user_{name}"
    stream = connect(herald, name)
    phone = SiteClient(herald, "shop", f"good-{name}", device="phone").connect()
    try:
        huge = SSEStream(herald.url, "shop", token=f"good-{name}", last_event_id="9" * 100_000)
        assert (huge.status, huge.body) == (431, "Request header fields too large")
        long = SSEStream(herald.url, "shop", token=f"good-{name}", query_last_event_id="9" * 4000)
        assert (long.status, long.error["code"]) == (400, "INVALID_LAST_EVENT_ID")
        garbage = SSEStream(herald.url, "shop", token=f"good-{name}", last_event_id="12abc")
        assert (garbage.status, garbage.error["code"]) == (400, "INVALID_LAST_EVENT_ID")
        send(herald.url, [room], "bad\nevent: forged\ndata: [1]\r\n", "payload")
        send(herald.url, [room], "news", "after")
        events = stream.wait_for("news")
        assert [e["event"] for e in stream.events if e["id"]] == ["bad%0Aevent: forged%0Adata: [1]%0D%0A", "news"]
        assert events[0]["args"] == ["after"] and not stream.named("forged")
        phone.wait_for("news")
    finally:
        stream.close()
        phone.close()


def test_a_server_disconnect_says_so_before_the_stream_ends(herald):
    name = user()
    stream = connect(herald, name)
    try:
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        sockets = requests.get(f"{herald.url}/admin/api/sites/shop/rooms/user_{name}/sockets", headers=admin, timeout=5)
        assert [(s["deviceId"], s["transport"]) for s in sockets.json()["sockets"]] == [("browser", "sse")]
        response = requests.delete(f"{herald.url}/admin/api/sites/shop/users/{name}", headers=admin, timeout=5)
        assert (response.status_code, response.json()) == (200, {"disconnected": 1})
        stream.wait_ended()
        assert stream.events[-1]["event"] == "disconnect"
    finally:
        stream.close()


def test_metrics_count_sse_sockets_by_transport(herald):
    stream = connect(herald, user())
    try:
        text = requests.get(f"{herald.url}/metrics", timeout=5).text
        lines = [line for line in text.splitlines() if line.startswith("herald_connected_sockets{")]
        assert any('transport="sse"' in line and 'site="shop"' in line for line in lines), lines
    finally:
        stream.close()
