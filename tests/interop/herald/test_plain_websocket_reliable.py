"""Plain WebSocket devices on the in-memory store and on a real redis-server: the batch, acks by ID, overflow."""
from conftest import QUEUE_LIMIT, SHORT_TTL
from conftest import send_to_rooms as send
from plain_client import PlainClient, wait_connected
from server_state import wait_for_connected_sockets


def connect(herald, user, device="phone"):
    return wait_connected(PlainClient(herald.url, "shop", f"good-{user}", device=device))


def leave(herald, client):
    client.close()
    wait_for_connected_sockets(herald, 0)


def sentinel(herald, client, user):
    count = len(client.events("sentinel")) + 1
    send(herald, [f"user_{user}"], "sentinel", count)
    return client.wait_for_event("sentinel", count)[-1]


def test_settings_carry_the_device_ttl(reliable_herald):
    client = connect(reliable_herald, "gil")
    assert client.messages[0] == {"type": "settings", "device_ttl": SHORT_TTL}
    leave(reliable_herald, client)


def test_batch_in_queue_order_then_exactly_once(reliable_herald):
    leave(reliable_herald, connect(reliable_herald, "hal"))
    for number in range(QUEUE_LIMIT):
        send(reliable_herald, ["user_hal"], "message", number)
    back = connect(reliable_herald, "hal")
    (batch,) = back.wait_for_type("batch")
    assert [m["args"] for m in batch["messages"]] == [[n] for n in range(QUEUE_LIMIT)]
    ids = [m["id"] for m in batch["messages"]]
    assert len(set(ids)) == QUEUE_LIMIT
    send(reliable_herald, ["user_hal"], "message", "live")
    live = back.wait_for_event("message")[-1]
    assert live["args"] == ["live"] and live["id"] not in ids
    back.ack(*ids)
    back.ack(live["id"])
    back.ack(sentinel(reliable_herald, back, "hal")["id"])
    leave(reliable_herald, back)
    again = connect(reliable_herald, "hal")
    sentinel(reliable_herald, again, "hal")
    assert again.of_type("batch") == []
    leave(reliable_herald, again)


def test_a_partly_acknowledged_batch_comes_back_whole(reliable_herald):
    leave(reliable_herald, connect(reliable_herald, "ida"))
    send(reliable_herald, ["user_ida"], "message", 1)
    send(reliable_herald, ["user_ida"], "message", 2)
    back = connect(reliable_herald, "ida")
    (batch,) = back.wait_for_type("batch")
    back.ack(batch["messages"][0]["id"])
    back.ack(sentinel(reliable_herald, back, "ida")["id"])
    leave(reliable_herald, back)
    again = connect(reliable_herald, "ida")
    (replayed,) = again.wait_for_type("batch")
    assert [m["args"] for m in replayed["messages"]] == [[1], [2]]
    leave(reliable_herald, again)


def test_an_overflowing_queue_asks_for_a_resync(reliable_herald):
    leave(reliable_herald, connect(reliable_herald, "jon"))
    for number in range(QUEUE_LIMIT + 2):
        send(reliable_herald, ["user_jon"], "message", number)
    back = connect(reliable_herald, "jon")
    back.wait_for_type("resync")
    sentinel(reliable_herald, back, "jon")
    assert back.of_type("batch") == []
    leave(reliable_herald, back)
