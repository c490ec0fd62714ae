"""Room presence (docs/interactive.md, "Presence"): `_join`/`_leave` to a room's members, debounced by the site's
`presence.graceSeconds`, and `GET /presence`, with real python-socketio clients and a stub authUrl (`good-<user>` is
granted `user_<user>` and `news`)."""
import pytest
import requests

from conftest import running_herald
from plain_client import PlainClient, wait_connected
from site_client import SiteClient

LIVE_KEY = "live-api-key-0123456789"
QUIET_KEY = "quiet-api-key-0123456789"
GRACE_SECONDS = 1


@pytest.fixture(scope="module")
def herald(hooks, interaction):
    sites = (
        "live:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {LIVE_KEY}\n"
        "  userRoomPrefix: user_\n"
        f"  subscribeUrl: {interaction.url}/subscribe\n"
        f"  presence: {{graceSeconds: {GRACE_SECONDS}}}\n"
        "quiet:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {QUIET_KEY}\n"
        "  userRoomPrefix: user_\n"
    )
    with running_herald(hooks, sites=sites) as running:
        yield running


def connect(herald, user, device=None, site="live"):
    return SiteClient(herald, site, f"good-{user}", device=device or f"{user}-phone").connect()


def member(user, device=None):
    return {"user": user, "deviceId": device or f"{user}-phone"}


def events_about(client, event, user):
    return [args for args in client.received(event) if args and args[0].get("user") == user]


def wait_about(client, event, user, count=1, timeout=5):
    with client.condition:
        assert client.condition.wait_for(lambda: len(events_about(client, event, user)) >= count, timeout), (
            f"no {count}x {event} about {user}; got {client.events}"
        )
    return events_about(client, event, user)


def presence(herald, room="news", site="live", key=LIVE_KEY):
    params = {"site": site, "room": room}
    if key is not None:
        params["apiKey"] = key
    return requests.get(f"{herald.url}/presence", params=params, timeout=5)


def test_a_member_of_the_room_sees_another_device_join_and_leave_after_the_grace(herald):
    watcher = connect(herald, "wanda")
    try:
        comer = connect(herald, "carl")
        assert wait_about(watcher, "_join", "carl") == [[member("carl")]]
        comer.close()
        assert wait_about(watcher, "_leave", "carl") == [[member("carl")]]
        assert member("carl") not in presence(herald).json()["members"]
    finally:
        watcher.close()


def test_a_reconnect_within_the_grace_produces_neither_join_nor_leave(herald):
    watcher = connect(herald, "wendy")
    try:
        first = connect(herald, "rita", device="rita-tab")
        wait_about(watcher, "_join", "rita")
        first.close()
        again = connect(herald, "rita", device="rita-tab")
        # A device that leaves after Rita came back: its _leave comes a grace after its departure, so Rita's own timer,
        # started earlier, has run by then.
        marker = connect(herald, "mark")
        marker.close()
        wait_about(watcher, "_leave", "mark")
        assert events_about(watcher, "_leave", "rita") == []
        assert events_about(watcher, "_join", "rita") == [[member("rita", "rita-tab")]]
        assert member("rita", "rita-tab") in presence(herald).json()["members"]
        again.close()
        wait_about(watcher, "_leave", "rita")
    finally:
        watcher.close()


def test_several_sockets_of_one_device_count_once(herald):
    watcher = connect(herald, "willa")
    try:
        one, two = connect(herald, "dora", device="dora-pc"), connect(herald, "dora", device="dora-pc")
        wait_about(watcher, "_join", "dora")
        one.close()
        marker = connect(herald, "mo")
        marker.close()
        wait_about(watcher, "_leave", "mo")
        assert events_about(watcher, "_leave", "dora") == []
        assert len(events_about(watcher, "_join", "dora")) == 1
        two.close()
        wait_about(watcher, "_leave", "dora")
    finally:
        watcher.close()


def test_get_presence_lists_users_and_their_devices_sorted(herald):
    clients = [connect(herald, "zed", "z1"), connect(herald, "amy", "a2"), connect(herald, "amy", "a1")]
    try:
        for client in clients:
            client.wait_for("_settings")
        watcher = clients[0]
        wait_about(watcher, "_join", "amy", count=2)
        listed = presence(herald)
        assert listed.status_code == 200
        body = listed.json()
        assert body["room"] == "news"
        ours = [m for m in body["members"] if m["user"] in ("amy", "zed")]
        assert ours == [member("amy", "a1"), member("amy", "a2"), member("zed", "z1")]
        assert body["members"] == sorted(body["members"], key=lambda m: (m["user"], m["deviceId"]))
        assert presence(herald, room="user_amy").json() == {"room": "user_amy", "members": []}
    finally:
        for client in clients:
            client.close()


def test_a_subscription_counts_under_the_rooms_own_name(herald):
    sam = connect(herald, "sam")
    try:
        answer = sam.client.call("_subscribe", {"room": "open-lounge"}, namespace=sam.namespace, timeout=5)
        assert answer == {"ok": True, "room": "open-lounge"}
        assert presence(herald, room="open-lounge").json()["members"] == [member("sam")]
        tom = connect(herald, "tom")
        tom.client.call("_subscribe", {"room": "open-lounge"}, namespace=tom.namespace, timeout=5)
        assert wait_about(sam, "_join", "tom")
        tom.close()
        wait_about(sam, "_leave", "tom")
    finally:
        sam.close()


def test_a_plain_websocket_client_gets_join_and_leave_under_their_plain_names(herald):
    watcher = wait_connected(PlainClient(herald.url, "live", "good-pia", "pia-ws"))
    try:
        comer = connect(herald, "quinn")
        quinn = {"user": "quinn", "deviceId": "quinn-phone"}
        watcher.wait_for(lambda ms: any(m.get("event") == "join" and m["args"] == [quinn] for m in ms), "quinn's join")
        comer.close()
        watcher.wait_for(lambda ms: any(m.get("event") == "leave" and m["args"] == [quinn] for m in ms), "quinn's leave")
        assert watcher.events("_join") == []
    finally:
        watcher.close()


def test_presence_errors(herald):
    assert presence(herald, key=None).status_code == 400
    assert presence(herald, key="wrong").status_code == 401
    no_room = requests.get(f"{herald.url}/presence", params={"site": "live", "apiKey": LIVE_KEY}, timeout=5)
    assert no_room.status_code == 400 and "room" in no_room.json()["error"]
    quiet = presence(herald, site="quiet", key=QUIET_KEY)
    assert quiet.status_code == 404 and "error" in quiet.json()


def test_a_site_without_presence_sends_no_presence_events(herald):
    watcher = connect(herald, "vera", site="quiet")
    try:
        other = connect(herald, "otto", site="quiet")
        other.close()
        requests.post(
            f"{herald.url}/send", params={"site": "quiet", "apiKey": QUIET_KEY},
            json={"rooms": ["user_vera"], "event": "sentinel", "args": []}, timeout=5,
        ).raise_for_status()
        watcher.wait_for("sentinel")
        assert watcher.received("_join") == [] and watcher.received("_leave") == []
    finally:
        watcher.close()
