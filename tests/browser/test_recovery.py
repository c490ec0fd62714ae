"""Socket.IO connection state recovery, end to end with the stock browser client (socket.io-client 4.8.1 in headless
Chromium): a site with `recovery:` gives a client that lost its transport abruptly its socket ID, its rooms and every
room event it missed, exactly once and in order, and says so with `socket.recovered === true`.

Each client talks to Herald through its own TCP proxy, which cuts the connection the way a network does (TCP resets
both ways, no Socket.IO DISCONNECT) and keeps refusing new connections until the test has sent what the client is to
miss. Nothing is sent "while away" before Herald itself has logged the socket's disconnect, and every "not received"
is judged after a later packet arrived on the same socket (a sentinel event, or the CONNECT_ERROR of a refusal), so
no test sleeps to wait for something not to happen.

Run with `scripts/run-browser-tests.sh tests/browser/test_recovery.py` (needs redis-server for the Redis cases).
"""
import shutil
import tempfile
import time
import uuid

import pytest

from recovery_support import (
    AuthStub, HeraldProcess, ProxyControl, RecoveryPage, RedisServer, Stream, send, site,
    sites_yaml, wait_until, write_files,
)

EVENT = "item"
NEWS_KEY = "news-api-key-0123456789"  # recovery for 120 s, authUrl skipped on recovery
RECHECK_KEY = "recheck-api-key-0123456789"  # recovery for 120 s, authUrl asked again on recovery
BRIEF_KEY = "brief-api-key-0123456789"  # recovery for 1 s
BRIEF_WINDOW = 1
TRANSPORTS = ["websocket", "polling"]


@pytest.fixture
def stub():
    auth = AuthStub()
    yield auth
    auth.stop()


@pytest.fixture
def workdir():
    directory = tempfile.mkdtemp(prefix="herald-recovery-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def recovery_sites(stub):
    auth_url = f"{stub.url}/auth"
    return sites_yaml({
        "news": site(auth_url, NEWS_KEY),
        "recheck": site(auth_url, RECHECK_KEY, skip_auth=False),
        "brief": site(auth_url, BRIEF_KEY, max_disconnection_seconds=BRIEF_WINDOW),
    })


@pytest.fixture
def memory_herald(stub, workdir):
    """One Herald, everything in memory, with the sites news, recheck and brief."""
    write_files(workdir, recovery_sites(stub))
    herald = HeraldProcess(workdir)
    try:
        yield herald
        herald.assert_alive()
    finally:
        print(f"herald log:\n{herald.output()[-20000:]}")
        herald.stop()


@pytest.fixture
def redis_pair(stub, workdir):
    """Two Herald instances, A and B, on one redis-server."""
    redis = RedisServer()
    instances = []
    try:
        write_files(workdir, recovery_sites(stub))
        instances.append(HeraldProcess(workdir, name="herald-a", redis_url=redis.url, worker=1))
        instances.append(HeraldProcess(workdir, name="herald-b", redis_url=redis.url, worker=2))
        yield instances
    finally:
        for instance in instances:
            print(f"{instance.name} log:\n{instance.output()[-20000:]}")
            instance.stop()
        redis.stop()


@pytest.fixture
def proxies():
    """Makes a proxy to an upstream port; closes every one after the test."""
    made = []

    def make(upstream_port):
        made.append(ProxyControl(upstream_port))
        return made[-1]

    yield make
    for proxy in made:
        proxy.close()


@pytest.fixture
def streams():
    """Makes a `Stream` of sends; stops every one after the test."""
    made = []

    def make(*arguments, **options):
        made.append(Stream(*arguments, **options))
        return made[-1]

    yield make
    for stream in made:
        stream.stopping.set()
        stream.thread.join(timeout=10)


class Client:
    """One browser's socket on a site, its room, and the events the test sent to that room."""

    def __init__(self, open_browser, stub, page_url, socket_base_url, site_name, transport="websocket"):
        tag = uuid.uuid4().hex[:12]
        self.room = f"room-{tag}"
        self.token = f"token-{tag}"
        self.site = site_name
        self.run = tag
        stub.grant(self.token, [self.room])
        self.page = RecoveryPage(open_browser(), page_url)
        self.page.open_socket(f"{socket_base_url}/{site_name}", self.token, transport)
        self.first = self.page.wait_connects(1)[0]
        assert not self.first["recovered"], self.first
        assert self.first["transport"] == transport, self.first

    def send(self, herald_url, api_key, label, room=None):
        send(herald_url, self.site, api_key, [room or self.room], EVENT, [{"n": label, "run": self.run}])

    def receive(self, label):
        self.page.wait_label(EVENT, label)

    def labels(self):
        return self.page.labels(EVENT)


def assert_recovered(client, transport):
    connects = client.page.wait_connects(2)
    assert connects[1] == {"id": client.first["id"], "recovered": True, "transport": transport}, (
        f"expected the session back: {client.page.describe()}"
    )
    answers = client.page.wire_connects()
    assert answers[1]["sid"] == answers[0]["sid"] and answers[1]["pid"] == answers[0]["pid"], answers


def cut_and_wait_for_herald(client, proxy, herald):
    """Cuts the client's connections and waits until both ends know: the page saw its disconnect, and Herald
    logged the socket's disconnect."""
    proxy.cut_and_hold()
    client.page.wait_disconnects(1)
    herald.wait_disconnect_logged(client.first["id"])


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_missed_room_events_arrive_once_and_in_order_after_an_abrupt_cut(
    memory_herald, stub, proxies, open_browser, transport,
):
    herald = memory_herald
    proxy = proxies(herald.port)
    client = Client(open_browser, stub, proxy.url, proxy.url, "news", transport)
    answer = client.page.wire_connects()[0]
    # socket.io 4.6+: the CONNECT answer of a site with recovery is {sid, pid}.
    assert set(answer) == {"sid", "pid"} and answer["sid"] == client.first["id"], answer
    assert isinstance(answer["pid"], str) and answer["pid"], answer

    client.send(herald.url, NEWS_KEY, "A")
    client.receive("A")
    cut_and_wait_for_herald(client, proxy, herald)
    client.send(herald.url, NEWS_KEY, "B")
    client.send(herald.url, NEWS_KEY, "C")
    proxy.release()

    assert_recovered(client, transport)
    client.send(herald.url, NEWS_KEY, "D")
    client.receive("D")
    assert client.labels() == ["A", "B", "C", "D"], client.page.describe()
    offsets = [args[-1] for args in client.page.events(EVENT)]
    assert len(set(offsets)) == 4, f"each event should carry its own offset: {offsets}"
    # `_settings` comes on every connect, the room's current offset as an extra last argument.
    settings = client.page.events("_settings")
    assert len(settings) == 2, settings
    for args in settings:
        assert len(args) == 2 and isinstance(args[0], dict) and "device_ttl" in args[0], args
        assert isinstance(args[1], str), args


@pytest.mark.parametrize("how", ["unknown-pid", "expired"])
def test_a_session_that_cannot_be_recovered_starts_afresh(memory_herald, stub, proxies, open_browser, how):
    herald = memory_herald
    site_name, key = ("news", NEWS_KEY) if how == "unknown-pid" else ("brief", BRIEF_KEY)
    proxy = proxies(herald.port)
    client = Client(open_browser, stub, proxy.url, proxy.url, site_name)
    client.send(herald.url, key, "A")
    client.receive("A")
    if how == "unknown-pid":
        client.page.tamper_pid(f"unknown-{uuid.uuid4().hex[:16]}")

    cut_and_wait_for_herald(client, proxy, herald)
    noticed = time.monotonic()
    client.send(herald.url, key, "B")
    if how == "expired":
        # The window itself must run out; this waits for that condition, not for another process.
        expired_at = noticed + BRIEF_WINDOW + 1.5
        wait_until(lambda: time.monotonic() >= expired_at, lambda: "the recovery window to pass")
    proxy.release()

    connects = client.page.wait_connects(2)
    assert connects[1]["recovered"] is False, client.page.describe()
    assert connects[1]["id"] != client.first["id"], client.page.describe()
    answers = client.page.wire_connects()
    assert answers[1]["pid"] != answers[0]["pid"], answers
    # A fresh session is authenticated again, skipAuth or not, and still gets the room's later events.
    assert stub.calls_for(client.token) == 2
    client.send(herald.url, key, "D")
    client.receive("D")
    assert client.labels() == ["A", "D"], client.page.describe()


@pytest.mark.parametrize(
    "site_name, key, skip_auth",
    [("news", NEWS_KEY, True), ("recheck", RECHECK_KEY, False)],
    ids=["skipAuth-true", "skipAuth-false"],
)
def test_skip_auth_decides_whether_a_recovered_client_is_authenticated_again(
    memory_herald, stub, proxies, open_browser, site_name, key, skip_auth,
):
    herald = memory_herald
    proxy = proxies(herald.port)
    client = Client(open_browser, stub, proxy.url, proxy.url, site_name)
    assert stub.calls_for(client.token) == 1
    client.send(herald.url, key, "A")
    client.receive("A")

    cut_and_wait_for_herald(client, proxy, herald)
    client.send(herald.url, key, "B")
    proxy.release()

    assert_recovered(client, "websocket")
    client.send(herald.url, key, "D")
    client.receive("D")
    assert client.labels() == ["A", "B", "D"], client.page.describe()
    assert stub.calls_for(client.token) == (1 if skip_auth else 2)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_recovery_survives_the_instance_being_killed(redis_pair, stub, proxies, open_browser, transport):
    a, b = redis_pair
    proxy = proxies(a.port)
    client = Client(open_browser, stub, proxy.url, proxy.url, "news", transport)
    client.send(a.url, NEWS_KEY, "A")
    client.receive("A")

    proxy.hold()
    a.kill()
    client.page.wait_disconnects(1)
    proxy.point_to(b.port)
    client.send(b.url, NEWS_KEY, "B")
    client.send(b.url, NEWS_KEY, "C")
    proxy.release()

    assert_recovered(client, transport)
    client.send(b.url, NEWS_KEY, "D")
    client.receive("D")
    assert client.labels() == ["A", "B", "C", "D"], client.page.describe()
    b.assert_alive()


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_events_sent_throughout_a_cut_arrive_exactly_once_and_in_order(
    stub, workdir, proxies, streams, open_browser, store,
):
    """A backend that keeps sending while the client drops and recovers: every event, whether it reached the client
    live, in the recovery's replay or while the replay was being read, arrives exactly once and in order. With Redis
    the client comes back to the other instance while the sends keep going to the first one."""
    write_files(workdir, recovery_sites(stub))
    instances = []
    redis = RedisServer() if store == "redis" else None
    try:
        instances.append(HeraldProcess(workdir, name="herald-a", redis_url=redis and redis.url, worker=1))
        if redis:
            instances.append(HeraldProcess(workdir, name="herald-b", redis_url=redis.url, worker=2))
        first, back = instances[0], instances[-1]
        proxy = proxies(first.port)
        client = Client(open_browser, stub, proxy.url, proxy.url, "news")
        stream = streams(first.url, "news", NEWS_KEY, client.room, EVENT, client.run)
        client.receive("s5")

        cut_and_wait_for_herald(client, proxy, first)
        proxy.point_to(back.port)
        stream.wait_more(10)
        proxy.release()
        assert_recovered(client, "websocket")
        stream.wait_more(10)
        sent = stream.stop()

        client.send(first.url, NEWS_KEY, "end")
        client.receive("end")
        received = client.labels()
        assert received == sent + ["end"], (
            f"{len(sent)} sent; missing {sorted(set(sent) - set(received), key=lambda n: int(n[1:]))}, "
            f"received {len(received)}: {received}"
        )
        for instance in instances:
            instance.assert_alive()
    finally:
        for instance in instances:
            print(f"{instance.name} log:\n{instance.output()[-20000:]}")
            instance.stop()
        if redis:
            redis.stop()


def test_a_client_refused_on_recovery_gets_none_of_the_missed_events(memory_herald, stub, proxies, open_browser):
    """skipAuth false and the backend refuses the token now: the client gets the refusal and not one of the events it
    missed, not even on the wire."""
    herald = memory_herald
    proxy = proxies(herald.port)
    client = Client(open_browser, stub, proxy.url, proxy.url, "recheck")
    client.send(herald.url, RECHECK_KEY, "A")
    client.receive("A")

    cut_and_wait_for_herald(client, proxy, herald)
    client.send(herald.url, RECHECK_KEY, "secret")
    stub.revoke(client.token)
    proxy.release()

    # The refusal is the last packet of the namespace on that connection: what did not come before it never comes.
    client.page.wait(lambda: "Authentication failed" in client.page.errors(), "the CONNECT_ERROR")
    assert stub.calls_for(client.token) == 2
    assert [args[0]["n"] for args in client.page.wire_events(EVENT)] == ["A"], client.page.describe()
    assert len(client.page.connects()) == 1, client.page.describe()


def test_a_room_lost_while_away_is_not_replayed(memory_herald, stub, proxies, open_browser):
    """skipAuth false and the backend now grants another room: the session comes back in the rooms granted now; the
    events of the room it lost are neither replayed nor delivered later."""
    herald = memory_herald
    proxy = proxies(herald.port)
    client = Client(open_browser, stub, proxy.url, proxy.url, "recheck")
    other_room = f"{client.room}-new"
    client.send(herald.url, RECHECK_KEY, "A")
    client.receive("A")

    cut_and_wait_for_herald(client, proxy, herald)
    stub.grant(client.token, [other_room])
    client.send(herald.url, RECHECK_KEY, "lost-while-away")
    proxy.release()

    assert_recovered(client, "websocket")
    client.send(herald.url, RECHECK_KEY, "lost-after", room=client.room)
    client.send(herald.url, RECHECK_KEY, "granted-after", room=other_room)
    client.receive("granted-after")
    assert [args[0]["n"] for args in client.page.wire_events(EVENT)] == ["A", "granted-after"], client.page.describe()
