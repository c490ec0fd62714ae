"""Reliable delivery where the test decides when a client acks: redelivery, exact batch acks, resync."""
from conftest import send_to_rooms as send
from raw_client import RawSiteClient
from server_state import acked, wait_for_acks, wait_for_connected_sockets


def reconnect(herald, client, token, device):
    client.close()
    wait_for_connected_sockets(herald, 0)
    return RawSiteClient(herald, "shop", token, device)


def nothing_before_a_sentinel(herald, client, room):
    """Sends a `sentinel` to `room` and checks it is the next event `client` gets (then acks it, so it leaves the
    queue): anything else sent to the client before it would have come first."""
    before = acked(herald)
    send(herald, [room], "sentinel")
    name, args, ack_id = client.next_event()
    assert name == "sentinel", f"unexpected {name!r} {args!r}"
    client.ack(ack_id)
    wait_for_acks(herald, before, 1)


def test_unacked_live_message_is_replayed_in_the_next_batch(reliable_herald):
    client = RawSiteClient(reliable_herald, "shop", "good-gus", "phone")
    send(reliable_herald, ["user_gus"], "news", "unacked")
    name, args, ack_id = client.next_event()
    assert (name, args) == ("news", ["unacked"]) and ack_id is not None
    client = reconnect(reliable_herald, client, "good-gus", "phone")
    name, args, ack_id = client.next_event()
    assert (name, args) == ("_batch", [[["news", "unacked"]]])
    before = acked(reliable_herald)
    client.ack(ack_id)
    wait_for_acks(reliable_herald, before, 1)
    client = reconnect(reliable_herald, client, "good-gus", "phone")
    nothing_before_a_sentinel(reliable_herald, client, "user_gus")
    client.close()


def test_batch_ack_removes_exactly_the_batch_and_nothing_newer(reliable_herald):
    client = RawSiteClient(reliable_herald, "shop", "good-hal", "phone")
    client.close()
    wait_for_connected_sockets(reliable_herald, 0)
    send(reliable_herald, ["user_hal"], "news", "old")
    client = RawSiteClient(reliable_herald, "shop", "good-hal", "phone")
    name, args, batch_ack = client.next_event()
    assert (name, args) == ("_batch", [[["news", "old"]]])
    send(reliable_herald, ["user_hal"], "news", "newer")
    name, args, _ = client.next_event()
    assert (name, args) == ("news", ["newer"])
    before = acked(reliable_herald)
    client.ack(batch_ack)
    wait_for_acks(reliable_herald, before, 1)
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
    before = acked(reliable_herald)
    client.ack(first[2])
    client.ack(second[2])
    wait_for_acks(reliable_herald, before, 2)
    nothing_before_a_sentinel(reliable_herald, client, "user_jon")
    client = reconnect(reliable_herald, client, "good-jon", "phone")
    nothing_before_a_sentinel(reliable_herald, client, "user_jon")
    client.close()
