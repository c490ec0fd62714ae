"""The admin API as an operator uses it: 404 without `admin.key`, 401 without the key, lists of this instance's
sites, rooms and sockets, and disconnects that real clients observe."""
import datetime
import tempfile
import threading
import time
import urllib.parse

import pytest
import requests

from conftest import RunningHerald, sentinel
from site_client import SiteClient

ADMIN_KEY = "admin-key-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def admin_herald(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, admin_key=ADMIN_KEY)
        yield running
        running.assert_alive()
        running.stop()


class ObservedClient(SiteClient):
    """A site client that records when the server disconnects it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disconnected = threading.Event()
        self.client.on("disconnect", self.disconnected.set, namespace=self.namespace)


@pytest.fixture
def connect(admin_herald):
    opened = []

    def open_client(token, device, transports=("websocket",)):
        client = ObservedClient(admin_herald, "shop", token, device=device, transports=transports).connect()
        client.wait_for("_settings")
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()


def get(herald, path, headers=AUTH):
    return requests.get(f"{herald.url}{path}", headers=headers, timeout=5)


def delete(herald, path, headers=AUTH):
    return requests.delete(f"{herald.url}{path}", headers=headers, timeout=5)


def shop_summary(herald):
    response = get(herald, "/admin/api/sites")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "cluster"
    return {site["name"]: site for site in body["sites"]}["shop"]


def test_without_admin_key_configured_admin_is_not_found(herald):
    for path in ("/admin", "/admin/api/sites", "/admin/api/sites/shop/rooms"):
        assert get(herald, path).status_code == 404, path
    assert delete(herald, "/admin/api/sites/shop/users/amy").status_code == 404


def test_without_the_key_every_route_is_unauthorized(admin_herald):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {ADMIN_KEY}"}):
        assert get(admin_herald, "/admin/api/sites", headers).status_code == 401
        assert get(admin_herald, "/admin/api/sites/shop/rooms", headers).status_code == 401
        assert get(admin_herald, "/admin/api/sites/shop/rooms/news/sockets", headers).status_code == 401
        assert delete(admin_herald, "/admin/api/sites/shop/sockets/x", headers).status_code == 401
        assert delete(admin_herald, "/admin/api/sites/shop/users/amy", headers).status_code == 401
    assert get(admin_herald, "/admin", {}).status_code == 200


def test_lists_show_this_instances_sockets_and_disconnects_reach_clients(admin_herald, connect):
    phone = connect("good-amy", "phone")
    tablet = connect("good-amy", "tablet", transports=("polling",))
    ben = connect("good-ben", "laptop")

    shop = shop_summary(admin_herald)
    assert shop["connections"] == 3
    assert shop["transports"] == {"polling": 1, "websocket": 2, "websocket-json": 0, "sse": 0}

    rooms = get(admin_herald, "/admin/api/sites/shop/rooms").json()
    members = {room["name"]: room["members"] for room in rooms["rooms"]}
    assert members == {"user_amy": 2, "user_ben": 1, "news": 3, "#herald/reliable": 3}, "no socket-ID rooms"

    sockets = get(admin_herald, "/admin/api/sites/shop/rooms/user_amy/sockets").json()["sockets"]
    assert sorted((s["deviceId"], s["transport"]) for s in sockets) == [("phone", "websocket"), ("tablet", "polling")]
    for entry in sockets:
        since = datetime.datetime.fromisoformat(entry["connectedSince"].replace("Z", "+00:00"))
        assert abs((datetime.datetime.now(datetime.timezone.utc) - since).total_seconds()) < 60

    reliable = urllib.parse.quote("#herald/reliable", safe="")
    assert len(get(admin_herald, f"/admin/api/sites/shop/rooms/{reliable}/sockets").json()["sockets"]) == 3

    ben_id = get(admin_herald, "/admin/api/sites/shop/rooms/user_ben/sockets").json()["sockets"][0]["id"]
    response = delete(admin_herald, f"/admin/api/sites/shop/sockets/{urllib.parse.quote(ben_id, safe='')}")
    assert (response.status_code, response.json()) == (200, {"disconnected": 1})
    assert ben.disconnected.wait(5), "ben's client did not see the disconnect"
    # A message to amy after ben's disconnect: had amy's sockets been cut too, it could not arrive.
    sentinel(admin_herald, phone, "user_amy")
    tablet.wait_for("sentinel")
    assert not phone.disconnected.is_set() and not tablet.disconnected.is_set()
    assert delete(admin_herald, f"/admin/api/sites/shop/sockets/{urllib.parse.quote(ben_id, safe='')}").status_code == 404

    response = delete(admin_herald, "/admin/api/sites/shop/users/amy")
    assert (response.status_code, response.json()) == (200, {"disconnected": 2})
    assert phone.disconnected.wait(5) and tablet.disconnected.wait(5), "amy's clients did not see the disconnect"
    deadline = time.monotonic() + 5
    while shop_summary(admin_herald)["connections"] != 0:
        assert time.monotonic() < deadline, "disconnected sockets still counted"
        time.sleep(0.1)

def test_unknown_site_and_site_without_user_rooms_are_not_found(admin_herald):
    assert get(admin_herald, "/admin/api/sites/nowhere/rooms").status_code == 404
    assert delete(admin_herald, "/admin/api/sites/plain/users/amy").status_code == 404
