"""Three Herald instances behind nginx round robin (deploy/nginx-round-robin.conf, no stickiness): every request of an
Engine.IO session may reach any instance, and the one that does not hold the session forwards it to the one that does
(owner recorded in Redis, requests signed with cluster.secret). What a user sees must be what one instance gives."""
import hashlib
import hmac
import json
import os
import socket
import tempfile
import threading
import time
import urllib.parse

import pytest
import requests
import socketio

from conftest import ROOT, SHOP_KEY, running_cluster
from metrics_scrape import scrape, value
from server_state import acked
from site_client import GENERATION, SiteClient
from loopback import wait_until
from redis_server import RedisServer
from stub_hooks import StubHooks
from interaction_hooks import InteractionHooks

import sys  # noqa: E402 (after the suite's own imports, which set the path)

sys.path.insert(0, os.path.join(ROOT, "tests", "deploy"))
from loopback_nginx import LoopbackNginx  # noqa: E402

SECRET = "round-robin-cluster-secret-0123"
PING_INTERVAL_MS = 300
PING_TIMEOUT_MS = 2000
MAX_PAYLOAD = 100_000
FORWARD_HEADER = "X-Herald-Forwarded"
UPSTREAMS = ("herald1", "herald2", "herald3")


class Endpoint:
    """What SiteClient needs of a server: its URL (here nginx's)."""

    def __init__(self, url):
        self.url = url


@pytest.fixture(scope="module")
def deployment():
    hooks = StubHooks()
    interaction = InteractionHooks()
    redis = RedisServer()
    sites = (
        "shop:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {SHOP_KEY}\n"
        "  userRoomPrefix: user_\n"
        f"  rpcUrl: {interaction.url}/rpc\n"
    )
    io = f"  io:\n    pingInterval: {PING_INTERVAL_MS}\n    pingTimeout: {PING_TIMEOUT_MS}\n    maxPayload: {MAX_PAYLOAD}\n"
    try:
        with running_cluster(sites, redis.url, cluster_extra=f"    secret: {SECRET}\n", io_text=io) as instances:
            with tempfile.TemporaryDirectory(prefix="herald-rr-") as workdir:
                nginx = LoopbackNginx(
                    os.path.join(workdir, "nginx"),
                    {name: instance.port for name, instance in zip(UPSTREAMS, instances)},
                    balancing=None,
                    config="nginx-round-robin.conf",
                )
                try:
                    yield instances, nginx, redis
                finally:
                    nginx.stop()
    finally:
        redis.stop()
        hooks.stop()
        interaction.stop()


def send(url, room, event, *args):
    response = requests.post(
        f"{url}/send",
        params={"site": "shop", "apiKey": SHOP_KEY},
        json={"rooms": [room], "event": event, "args": list(args)},
        timeout=5,
    )
    assert (response.status_code, response.text) == (200, "OK")


def owner_record(redis, sid):
    reply = redis.command("GET", f"herald:{{sid:{sid}}}:owner")
    return None if reply.startswith(b"$-1") else reply.split(b"\r\n")[1].decode()


def owner_of(instances, redis, sid):
    instance_id = owner_record(redis, sid).split(" ")[0]
    return next(instance for instance in instances if f"instance-{instance.number}" == instance_id)


def requests_of(nginx, sid):
    return [record for record in nginx.probe_records() if record[1] == sid]


def wait_for_polls_on_every_instance(nginx, instances, sid, count):
    """Waits until `count` requests of session `sid` went through nginx and reached all three instances: the client
    polled across several ping intervals (each held poll ends at a ping), round robin spread them."""
    ports = {instance.port for instance in instances}

    def spread():
        records = requests_of(nginx, sid)
        return len(records) >= count and {port for _, _, port, _ in records} == ports

    wait_until(spread, lambda: f"{count} requests of {sid} over {ports}: {requests_of(nginx, sid)}", timeout=20)
    return requests_of(nginx, sid)


@pytest.mark.parametrize("transports", [("polling",), ("polling", "websocket")], ids=["polling", "upgrade"])
def test_client_through_round_robin_nginx_receives_acks_and_stays_connected(deployment, transports):
    instances, nginx, redis = deployment
    client = SiteClient(Endpoint(nginx.url), "shop", f"good-rr{len(transports)}", device="phone", transports=transports)
    client.connect()
    try:
        client.wait_for("_settings")
        sid = client.client.eio.sid
        before = sum(acked(instance) for instance in instances)
        send(nginx.url, f"user_rr{len(transports)}", "news", {"n": 1})
        assert client.wait_for("news") == [[{"n": 1}]]
        # The reliable message's ack travelled back (a POST, perhaps through another instance) and was stored.
        wait_until(lambda: sum(acked(instance) for instance in instances) >= before + 1, lambda: "the news ack")
        if transports == ("polling",):
            records = wait_for_polls_on_every_instance(nginx, instances, sid, count=12)
            assert all(status == 200 for _, _, _, status in records), records
        else:
            # The upgrade went through whichever instance nginx chose: spliced to the owner when it was another.
            wait_until(lambda: client.client.eio.current_transport == "websocket", lambda: "the upgrade to WebSocket")
        send(nginx.url, f"user_rr{len(transports)}", "news", {"n": 2})
        assert client.wait_for("news", count=2) == [[{"n": 1}], [{"n": 2}]]
        assert client.client.connected and not client.disconnected.is_set()
    finally:
        client.close()
    wait_until(lambda: owner_record(redis, sid) is None, lambda: f"the owner record of {sid} deleted")


def test_client_emit_with_ack_through_round_robin(deployment):
    instances, nginx, _ = deployment
    client = SiteClient(Endpoint(nginx.url), "shop", "good-emitter", transports=("polling",))
    client.connect()
    try:
        client.wait_for("_settings")
        # `_rpc` goes to the site's rpcUrl and its answer comes back as the ack: the emit reached the session's
        # owner and the ack came back, whichever instances carried the POST and the poll.
        for number in range(3):
            answer = client.client.call("_rpc", {"method": "echo", "params": {"n": number}}, namespace="/shop", timeout=10)
            assert answer["echo"] == {"n": number}
    finally:
        client.close()


def raw_handshake(url, eio="4"):
    response = requests.get(f"{url}/socket.io/", params={"EIO": eio, "transport": "polling"}, timeout=5)
    assert response.status_code == 200, response.text
    text = response.text if eio == "4" else response.content.decode(errors="replace")
    return json.loads(text[text.index("{"):text.rindex("}") + 1])["sid"]


def signed(target, method="GET", client_address="-", expiry=None):
    expiry = expiry if expiry is not None else int(time.time() * 1000) + 20_000
    text = f"{expiry}\n{method}\n{target}\n{client_address}".encode()
    mac = hmac.new(SECRET.encode(), text, hashlib.sha256).hexdigest()
    return f"{expiry} {client_address} {mac}"


def forwarded(instance, transport, outcome):
    """How many requests for another instance's session `instance` handled with `outcome` (its /metrics)."""
    return value(scrape(instance), "herald_forwarded_requests_total", transport=transport, outcome=outcome)


def markers_refused(instance):
    return value(scrape(instance), "herald_forward_markers_refused_total")


def test_a_poll_reaching_another_instance_is_answered_by_the_owner(deployment):
    instances, _, redis = deployment
    before = [forwarded(other, "polling", "answered") for other in instances[1:]]
    sid = raw_handshake(instances[0].url)
    assert owner_record(redis, sid).startswith("instance-1 ")
    for other in instances[1:]:
        response = requests.post(
            f"{other.url}/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid}, data="40/shop,", timeout=5
        )
        assert (response.status_code, response.text) == (200, "ok")
    response = requests.get(f"{instances[2].url}/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid}, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    # Operators see the forwards: one POST through instance 2, a POST and a GET through instance 3. At least: clients
    # of earlier tests in this deployment may still be polling through nginx meanwhile.
    counted = [forwarded(other, "polling", "answered") - count for other, count in zip(instances[1:], before)]
    assert counted[0] >= 1 and counted[1] >= 2, counted


def test_a_forged_forward_header_is_refused(deployment):
    instances, _, _ = deployment
    before = [markers_refused(instance) for instance in instances]
    sid = raw_handshake(instances[0].url)
    target = f"/socket.io/?EIO=4&transport=polling&sid={sid}"
    forged = [
        f"{int(time.time() * 1000) + 20_000} 10.9.9.9 {'0' * 64}",
        "garbage",
        signed(target, client_address="10.9.9.9", expiry=int(time.time() * 1000) - 1),
        signed(target.replace(sid, "other"), client_address="10.9.9.9"),
    ]
    for value in forged:
        for instance in instances:
            response = requests.get(f"{instance.url}{target}", headers={FORWARD_HEADER: value}, timeout=5)
            assert response.status_code == 403, (value, response.status_code, response.text)
    assert [markers_refused(instance) - count for instance, count in zip(instances, before)] == [len(forged)] * 3


def test_a_signed_forward_is_never_forwarded_again(deployment):
    instances, _, redis = deployment
    sid = raw_handshake(instances[0].url)
    target = f"/socket.io/?EIO=4&transport=polling&sid={sid}"
    # Signed as an instance would: instance 2 does not hold the session and answers itself instead of forwarding.
    response = requests.get(f"{instances[1].url}{target}", headers={FORWARD_HEADER: signed(target)}, timeout=5)
    assert response.status_code == 400 and response.json() == {"code": 1, "message": "Session ID unknown"}
    # A record naming instance 2's own address (as a stale or hostile record could): the forward it makes is not
    # forwarded again, so there is no loop.
    redis.command("SET", "herald:{sid:looping}:owner", f"instance-9 127.0.0.1:{instances[1].port}", "PX", "60000")
    response = requests.get(
        f"{instances[1].url}/socket.io/", params={"EIO": "4", "transport": "polling", "sid": "looping"}, timeout=10
    )
    assert response.status_code == 400 and response.json() == {"code": 1, "message": "Session ID unknown"}


def test_an_unknown_session_is_unknown_on_every_instance(deployment):
    instances, _, _ = deployment
    for instance in instances:
        response = requests.get(
            f"{instance.url}/socket.io/", params={"EIO": "4", "transport": "polling", "sid": "nobody"}, timeout=5
        )
        assert response.status_code == 400 and response.json() == {"code": 1, "message": "Session ID unknown"}


def test_an_oversized_body_through_the_forward_is_still_413(deployment):
    instances, _, _ = deployment
    before = forwarded(instances[1], "polling", "too_large")
    sid = raw_handshake(instances[0].url)
    response = requests.post(
        f"{instances[1].url}/socket.io/",
        params={"EIO": "4", "transport": "polling", "sid": sid},
        data="4" + "x" * (MAX_PAYLOAD + 10),
        timeout=10,
    )
    assert response.status_code == 413
    assert forwarded(instances[1], "polling", "too_large") == before + 1


@pytest.mark.parametrize("eio", ["3", "4"])
def test_a_websocket_upgrade_reaching_another_instance_is_spliced_to_the_owner(deployment, eio):
    import websocket

    instances, _, redis = deployment
    alive = [instance for instance in instances if instance.alive()]
    owner, other = alive[0], alive[1]
    tunnelled = forwarded(other, "websocket", "tunnelled")
    sid = raw_handshake(owner.url, eio)
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{other.port}/socket.io/?EIO={eio}&transport=websocket&sid={sid}", timeout=10
    )
    try:
        ws.send("2probe")
        assert ws.recv() == "3probe"
        assert forwarded(other, "websocket", "tunnelled") >= tunnelled + 1  # at least: other clients may upgrade too
        ws.send("5")
        # The session is the owner's, now on the spliced WebSocket: heartbeats pass both ways (the server pings in
        # Engine.IO 4, the client in 3), and the owner keeps the polling session's record until it closes.
        for _ in range(2):
            if eio == "4":
                assert ws.recv() == "2"
                ws.send("3")
            else:
                ws.send("2")
                assert ws.recv() == "3"
        assert owner_record(redis, sid).startswith(f"instance-{owner.number} ")
    finally:
        ws.close()
    wait_until(lambda: owner_record(redis, sid) is None, lambda: f"the owner record of {sid} deleted after the close")


def test_forwards_beyond_max_forwards_are_answered_503():
    hooks = StubHooks()
    redis = RedisServer()
    io = "  io:\n    pingInterval: 3000\n    pingTimeout: 2000\n"
    extra = f"    secret: {SECRET}\n    maxForwards: 1\n"
    try:
        with running_cluster(f"shop:\n  authUrl: {hooks.url}/auth\n  apiKey: {SHOP_KEY}\n", redis.url, count=2,
                             cluster_extra=extra, io_text=io) as (owner, other):
            sid = raw_handshake(owner.url)
            url = f"{other.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
            # A POST whose body never ends: its forward holds the one slot while it waits for the rest. A probe sent
            # at the same moment may take the slot first (the stalled POST is then the one refused): start over.
            stalled = []
            probes = []

            def refused_beside_a_stalled_upload():
                for connection in stalled:
                    connection.close()
                stalled.clear()
                slow = socket.create_connection(("127.0.0.1", other.port), timeout=10)
                stalled.append(slow)
                slow.sendall(
                    f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: herald\r\n"
                    "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 10\r\n\r\n6".encode()
                )
                probes.append(requests.post(url, data="6", timeout=5))
                return probes[-1].status_code == 503

            try:
                wait_until(refused_beside_a_stalled_upload, lambda: "a 503 beside a stalled forwarded upload")
                assert probes[-1].headers["Retry-After"] == "1"
                assert forwarded(other, "polling", "busy") >= 1
            finally:
                for connection in stalled:
                    connection.close()
            # The slot is free again once the stalled upload is gone.
            wait_until(lambda: requests.post(url, data="6", timeout=5).status_code == 200, lambda: "a forward after it")
    finally:
        redis.stop()
        hooks.stop()


def connect_victim(nginx, reconnection):
    client = socketio.Client(reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=0.5)
    news = []
    client.on("news", lambda *args: news.append(list(args)), namespace="/shop")
    client.on("_settings", lambda *args: news.append(["_settings"]), namespace="/shop")
    query = urllib.parse.urlencode({"token": "good-victim", "deviceId": "phone"})
    kwargs = {"wait_timeout": 8} if GENERATION >= 5 else {}
    client.connect(f"{nginx.url}?{query}", namespaces=["/shop"], transports=["polling"], **kwargs)
    return client, news


def test_owner_killed_mid_poll_the_client_reconnects(deployment):
    instances, nginx, redis = deployment
    client, news = connect_victim(nginx, reconnection=True)
    first_sid = client.eio.sid
    try:
        owner = owner_of(instances, redis, first_sid)
        owner.kill()
        if GENERATION >= 5:
            # Requests of the dead session get "Session ID unknown" (or nginx's 502 while it still tries the dead
            # upstream); the client starts over on a live instance by itself.
            wait_until(
                lambda: client.connected and client.eio.sid not in (None, first_sid)
                and owner_record(redis, client.eio.sid) is not None and owner_of(instances, redis, client.eio.sid).alive(),
                lambda: f"a reconnect to a live instance; session {client.eio.sid}, state {client.eio.state}",
                timeout=30,
            )
        else:
            # python-socketio 4 gives up without reconnecting (or calling its disconnect handler) when a POST is
            # answered with an error: its write loop resets the Engine.IO client, as behind sticky nginx when the
            # instance dies. An application that watches the state connects again, which works at once.
            wait_until(lambda: client.eio.state == "disconnected", lambda: f"the session gone ({client.eio.state})", timeout=30)
            client.disconnect()
            client, news = connect_victim(nginx, reconnection=False)
            wait_until(lambda: ["_settings"] in news, lambda: "the new connection admitted")
            assert owner_of(instances, redis, client.eio.sid).alive()
        survivor = next(instance for instance in instances if instance.alive())
        send(survivor.url, "user_victim", "news", "after the crash")
        wait_until(lambda: ["after the crash"] in news, lambda: f"the news after the reconnect; got {news}")
    finally:
        client.disconnect()
