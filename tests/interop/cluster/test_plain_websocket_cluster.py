"""Plain WebSocket devices on three instances sharing one Redis: messages sent through any instance reach the device
wherever it is connected, and a device hopping between instances gets every message exactly once."""
from conftest import SHOP_KEY
from plain_client import PlainClient, wait_connected
from server_state import acked, wait_for_acks, wait_for_connected_sockets
from site_client import SiteClient
from test_cluster import send

ROUNDS = 6


def connect(instance, user, device="sensor"):
    return wait_connected(PlainClient(instance.url, "shop", f"good-{user}", device=device))


def test_a_device_hopping_between_instances_gets_every_message_exactly_once(cluster):
    sent, received = [], []
    number = 0

    def send_through(instance):
        nonlocal number
        send(instance, "shop", SHOP_KEY, ["user_hop"], "message", number)
        sent.append(number)
        number += 1

    for round_number in range(ROUNDS):
        home = cluster[round_number % 3]
        others = [cluster[(round_number + 1) % 3], cluster[(round_number + 2) % 3]]
        before = acked(home)
        client = connect(home, "hop")
        for other in others:
            send_through(other)
        client.wait_for_event("message", 2)
        batches = client.of_type("batch")
        assert len(batches) <= 1
        batch = batches[0]["messages"] if batches else []
        live = client.events("message")
        for message in batch + live:
            received.append((message["id"], message["args"][0]))
        client.ack(*[message["id"] for message in batch + live])
        wait_for_acks(home, before, len(batch) + len(live))
        client.close()
        wait_for_connected_sockets(home, 0)
        for other in others:
            send_through(other)
    last = connect(cluster[0], "hop")
    send(cluster[1], "shop", SHOP_KEY, ["user_hop"], "sentinel")
    last.wait_for_event("sentinel")
    for message in (last.of_type("batch") or [{"messages": []}])[0]["messages"]:
        received.append((message["id"], message["args"][0]))
    last.close()
    numbers = [number for _, number in received]
    assert sorted(numbers) == sent, "every message once, none twice"
    assert len({message_id for message_id, _ in received}) == len(received)


def test_socketio_and_plain_devices_on_different_instances_each_get_a_copy(cluster):
    browser = SiteClient(cluster[0], "shop", "good-kim", device="browser").connect()
    sensor = connect(cluster[1], "kim")
    try:
        send(cluster[2], "shop", SHOP_KEY, ["user_kim"], "message", "everywhere")
        assert browser.wait_for("message") == [["everywhere"]]
        assert [m["args"] for m in sensor.wait_for_event("message")] == [["everywhere"]]
    finally:
        browser.close()
        sensor.close()
