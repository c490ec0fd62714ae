"""Reliable delivery where the test decides when a client acks: redelivery, exact batch acks, resync."""
import time

from conftest import send_to_rooms as send
from raw_client import RawSiteClient


def reconnect(herald, client, token, device):
    client.close()
    time.sleep(0.2)
    return RawSiteClient(herald, "shop", token, device)


def test_unacked_live_message_is_replayed_in_the_next_batch(reliable_herald):
    client = RawSiteClient(reliable_herald, "shop", "good-gus", "phone")
    send(reliable_herald, ["user_gus"], "news", "unacked")
    name, args, ack_id = client.next_event()
    assert (name, args) == ("news", ["unacked"]) and ack_id is not None
    client = reconnect(reliable_herald, client, "good-gus", "phone")
    name, args, ack_id = client.next_event()
    assert (name, args) == ("_batch", [[["news", "unacked"]]])
    client.ack(ack_id)
    client = reconnect(reliable_herald, client, "good-gus", "phone")
    assert client.nothing_more(), client.unexpected
    client.close()


def test_batch_ack_removes_exactly_the_batch_and_nothing_newer(reliable_herald):
    client = RawSiteClient(reliable_herald, "shop", "good-hal", "phone")
    client.close()
    time.sleep(0.2)
    send(reliable_herald, ["user_hal"], "news", "old")
    client = RawSiteClient(reliable_herald, "shop", "good-hal", "phone")
    name, args, batch_ack = client.next_event()
    assert (name, args) == ("_batch", [[["news", "old"]]])
    send(reliable_herald, ["user_hal"], "news", "newer")
    name, args, _ = client.next_event()
    assert (name, args) == ("news", ["newer"])
    client.ack(batch_ack)
    time.sleep(0.2)
    client = reconnect(reliable_herald, client, "good-hal", "phone")
    name, args, _ = client.next_event()
    assert (name, args) == ("_batch", [[["news", "newer"]]])
    client.close()


def test_out_of_order_ack_with_resync_clears_the_event_queue_and_asks_for_resync(reliable_herald):
    client = RawSiteClient(reliable_herald, "shop", "good-ida", "phone")
    send(reliable_herald, ["user_ida"], "update", 1, resync=True)
    send(reliable_herald, ["user_ida"], "update", 2, resync=True)
    send(reliable_herald, ["user_ida"], "chat", "keep")
    first = client.next_event()
    second = client.next_event()
    chat = client.next_event()
    assert [first[:2], second[:2], chat[:2]] == [("update", [1]), ("update", [2]), ("chat", ["keep"])]
    client.ack(second[2])
    assert client.next_event()[:2] == ("_resync", ["update"])
    client = reconnect(reliable_herald, client, "good-ida", "phone")
    name, args, _ = client.next_event()
    assert (name, args) == ("_batch", [[["chat", "keep"]]])
    client.close()


def test_in_order_acks_with_resync_just_remove(reliable_herald):
    client = RawSiteClient(reliable_herald, "shop", "good-jon", "phone")
    send(reliable_herald, ["user_jon"], "update", 1, resync=True)
    send(reliable_herald, ["user_jon"], "update", 2, resync=True)
    first = client.next_event()
    second = client.next_event()
    client.ack(first[2])
    client.ack(second[2])
    assert client.nothing_more(), client.unexpected
    client = reconnect(reliable_herald, client, "good-jon", "phone")
    assert client.nothing_more(), client.unexpected
    client.close()
