"""Reliable delivery with stock python-socketio clients (which ack every event): queues, _batch, expiry, overflow."""
import time

import pytest

from conftest import QUEUE_LIMIT, SHORT_TTL, sentinel
from conftest import send_to_rooms as send
from server_state import acked, wait_for_acks, wait_for_connected_sockets
from site_client import SiteClient


@pytest.fixture
def connect(reliable_herald):
    opened = []

    def open_client(token, device):
        client = SiteClient(reliable_herald, "shop", token, device=device).connect()
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()


def test_missed_messages_arrive_as_one_batch_oldest_first_and_its_ack_clears_them(reliable_herald, connect):
    first = connect("good-amy", "phone")
    first.wait_for("_settings")
    first.close()
    wait_for_connected_sockets(reliable_herald, 0)
    send(reliable_herald, ["user_amy"], "news", {"n": 1})
    send(reliable_herald, ["user_amy"], "update", "two", 2)
    before = acked(reliable_herald)
    again = connect("good-amy", "phone")
    batch = again.wait_for("_batch")
    assert batch == [[[["news", {"n": 1}], ["update", "two", 2]]]]
    assert again.received("news") == []
    wait_for_acks(reliable_herald, before, 2)
    again.close()
    wait_for_connected_sockets(reliable_herald, 0)
    third = connect("good-amy", "phone")
    third.wait_for("_settings")
    sentinel(reliable_herald, third, "user_amy")
    assert third.received("_batch") == []


def test_acked_live_message_is_not_replayed(reliable_herald, connect):
    live = connect("good-ben", "phone")
    live.wait_for("_settings")
    before = acked(reliable_herald)
    send(reliable_herald, ["user_ben"], "news", "live")
    assert live.wait_for("news") == [["live"]]
    wait_for_acks(reliable_herald, before, 1)
    live.close()
    wait_for_connected_sockets(reliable_herald, 0)
    back = connect("good-ben", "phone")
    back.wait_for("_settings")
    sentinel(reliable_herald, back, "user_ben")
    assert back.received("_batch") == []


def test_every_device_of_the_user_gets_the_message(reliable_herald, connect):
    phone = connect("good-cat", "phone")
    laptop = connect("good-cat", "laptop")
    tablet = connect("good-cat", "tablet")
    tablet.wait_for("_settings")
    tablet.close()
    wait_for_connected_sockets(reliable_herald, 2)
    send(reliable_herald, ["user_cat"], "news", "all devices")
    assert phone.wait_for("news") == [["all devices"]]
    assert laptop.wait_for("news") == [["all devices"]]
    tablet_again = connect("good-cat", "tablet")
    assert tablet_again.wait_for("_batch") == [[[["news", "all devices"]]]]


def test_shared_room_reaches_offline_members_when_they_return(reliable_herald, connect):
    dan = connect("good-dan", "phone")
    dan.wait_for("_settings")
    dan.close()
    wait_for_connected_sockets(reliable_herald, 0)
    send(reliable_herald, ["News"], "news", "for the room")
    back = connect("good-dan", "phone")
    assert back.wait_for("_batch") == [[[["news", "for the room"]]]]


def test_device_offline_longer_than_device_ttl_is_forgotten(reliable_herald, connect):
    eve = connect("good-eve", "phone")
    assert eve.wait_for("_settings") == [[{"device_ttl": SHORT_TTL}]]
    eve.close()
    wait_for_connected_sockets(reliable_herald, 0)
    # Not synchronisation: the behaviour under test is the passing of device_ttl (plus a margin for the store's
    # own record of the disconnect, made just after the socket count drops).
    time.sleep(SHORT_TTL + 1)
    send(reliable_herald, ["user_eve"], "news", "too late")
    back = connect("good-eve", "phone")
    back.wait_for("_settings")
    sentinel(reliable_herald, back, "user_eve")
    assert back.received("_batch") == []


def test_overflowing_queue_asks_for_resync_instead_of_a_partial_batch(reliable_herald, connect):
    fay = connect("good-fay", "phone")
    fay.wait_for("_settings")
    fay.close()
    wait_for_connected_sockets(reliable_herald, 0)
    for n in range(QUEUE_LIMIT + 2):
        send(reliable_herald, ["user_fay"], "news", n)
    back = connect("good-fay", "phone")
    back.wait_for("_resync")
    sentinel(reliable_herald, back, "user_fay")
    assert back.received("_batch") == []
    send(reliable_herald, ["user_fay"], "news", "fresh")
    assert back.wait_for("news") == [["fresh"]]
