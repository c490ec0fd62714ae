"""Three Herald instances on one Redis act as one service."""
import json
import time

import requests

from conftest import DEVICE_TTL, INSTANCE_TIMEOUT_MS, PLAIN_KEY, SHOP_KEY, SHUTDOWN_BOUND
from server_state import acked, wait_for_acks, wait_for_connected_sockets
from site_client import SiteClient

KEYS = {"shop": SHOP_KEY, "plain": PLAIN_KEY}


def send(instance, site, key, rooms, event, *args):
    response = requests.post(
        f"{instance.url}/send",
        params={"site": site, "apiKey": key},
        json={"rooms": rooms, "event": event, "args": list(args)},
        timeout=5,
    )
    assert (response.status_code, response.text) == (200, "OK")


def connect(instance, site, token, device="phone"):
    return SiteClient(instance, site, token, device=device).connect()


def sentinel(instance, site, room, clients):
    """Sends a `sentinel` through `instance` to `room` and waits until each client has it: messages from one
    instance reach a socket in order, so whatever that instance sent them before has arrived by then."""
    counts = [len(client.received("sentinel")) + 1 for client in clients]
    send(instance, site, KEYS[site], [room], "sentinel")
    for client, count in zip(clients, counts):
        client.wait_for("sentinel", count=count)


def test_room_broadcast_sent_to_one_instance_reaches_clients_on_all_three_exactly_once(cluster):
    clients = [connect(instance, "plain", f"good-p{instance.number}") for instance in cluster]
    extra = connect(cluster[2], "plain", "good-p4")
    try:
        for client in clients + [extra]:
            client.wait_for("_settings")
        send(cluster[0], "plain", PLAIN_KEY, ["news"], "news", {"n": 1})
        send(cluster[0], "plain", PLAIN_KEY, ["news", "user_p2"], "news", {"n": 2})
        for client in clients + [extra]:
            assert client.wait_for("news", count=2) == [[{"n": 1}], [{"n": 2}]]
        sentinel(cluster[0], "plain", "news", clients + [extra])
        for client in clients + [extra]:
            assert len(client.received("news")) == 2
    finally:
        for client in clients + [extra]:
            client.close()


def test_reliable_message_reaches_devices_on_other_instances_and_their_acks_remove_it(cluster):
    phone = connect(cluster[1], "shop", "good-alice", device="phone")
    laptop = connect(cluster[2], "shop", "good-alice", device="laptop")
    phone.wait_for("_settings")
    laptop.wait_for("_settings")
    before = [acked(cluster[1]), acked(cluster[2])]
    send(cluster[0], "shop", SHOP_KEY, ["user_alice"], "news", "to both")
    assert phone.wait_for("news") == [["to both"]]
    assert laptop.wait_for("news") == [["to both"]]
    wait_for_acks(cluster[1], before[0], 1)
    wait_for_acks(cluster[2], before[1], 1)
    phone.close()
    laptop.close()
    wait_for_connected_sockets(cluster[1], 0)
    wait_for_connected_sockets(cluster[2], 0)
    phone_again = connect(cluster[0], "shop", "good-alice", device="phone")
    laptop_again = connect(cluster[0], "shop", "good-alice", device="laptop")
    try:
        phone_again.wait_for("_settings")
        laptop_again.wait_for("_settings")
        sentinel(cluster[0], "shop", "user_alice", [phone_again, laptop_again])
        assert phone_again.received("_batch") == [] and laptop_again.received("_batch") == []
        assert phone_again.received("news") == [] and laptop_again.received("news") == []
    finally:
        phone_again.close()
        laptop_again.close()


def test_shared_room_expands_to_users_connected_only_elsewhere(cluster):
    bob = connect(cluster[2], "shop", "good-bob")
    bob.wait_for("_settings")
    try:
        send(cluster[0], "shop", SHOP_KEY, ["NEWS"], "news", "for the room")
        assert bob.wait_for("news") == [["for the room"]]
        sentinel(cluster[0], "shop", "user_bob", [bob])
        assert bob.received("news") == [["for the room"]]
    finally:
        bob.close()


def test_killed_instance_clients_reconnecting_elsewhere_get_their_batch(cluster):
    carol = connect(cluster[1], "shop", "good-carol")
    carol.wait_for("_settings")
    cluster[1].kill()
    send(cluster[0], "shop", SHOP_KEY, ["user_carol"], "news", "while dead")
    # Reconnect at once, as a client library does; closing the dead connection first can take longer than the
    # device_ttl of this harness on some client versions.
    again = connect(cluster[2], "shop", "good-carol")
    try:
        assert again.wait_for("_batch") == [[[["news", "while dead"]]]]
    finally:
        again.close()
        carol.close()


def reaped_by_survivors(cluster, dead):
    for instance in cluster:
        if instance.alive():
            for line in instance.output().splitlines():
                if "stopped answering" in line and json.loads(line)["instance"] == dead:
                    return True
    return False


def test_devices_of_a_dead_instance_start_their_device_ttl_clock(cluster):
    dave = connect(cluster[1], "shop", "good-dave")
    dave.wait_for("_settings")
    killed = time.time()
    cluster[1].kill()
    dave.close()
    while not reaped_by_survivors(cluster, "instance-2"):
        assert time.time() - killed < INSTANCE_TIMEOUT_MS / 1000 + 5, "no instance noticed instance-2 died"
        time.sleep(0.1)
    # Not synchronisation: the behaviour under test is the passing of device_ttl from the reaping, plus a margin.
    time.sleep(DEVICE_TTL + 1)
    send(cluster[0], "shop", SHOP_KEY, ["user_dave"], "news", "too late")
    again = connect(cluster[2], "shop", "good-dave")
    try:
        again.wait_for("_settings")
        sentinel(cluster[2], "shop", "user_dave", [again])
        assert again.received("_batch") == []
    finally:
        again.close()


def test_sigterm_drains_within_the_bound_and_records_disconnects(cluster):
    eve = connect(cluster[2], "shop", "good-eve")
    fay = SiteClient(cluster[2], "shop", "good-fay", transports=("polling",)).connect()
    eve.wait_for("_settings")
    fay.wait_for("_settings")
    started = time.time()
    cluster[2].terminate()
    cluster[2].process.wait(timeout=SHUTDOWN_BOUND + 2)
    elapsed = time.time() - started
    assert elapsed < SHUTDOWN_BOUND, f"drain took {elapsed:.1f}s"
    assert cluster[2].process.returncode == 0, cluster[2].output()
    assert "drained: every client disconnect recorded" in cluster[2].output()
    for client in (eve, fay):
        deadline = time.time() + 5
        while client.client.connected and time.time() < deadline:
            time.sleep(0.05)
        assert not client.client.connected
        client.close()
    # Not synchronisation: the drain recorded the disconnects; what is tested is device_ttl passing after them.
    time.sleep(DEVICE_TTL + 1)
    send(cluster[0], "shop", SHOP_KEY, ["user_eve", "user_fay"], "news", "after the ttl")
    for token in ("good-eve", "good-fay"):
        back = connect(cluster[1], "shop", token)
        try:
            back.wait_for("_settings")
            sentinel(cluster[1], "shop", f"user_{token[5:]}", [back])
            assert back.received("_batch") == []
        finally:
            back.close()
