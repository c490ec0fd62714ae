"""Client subscribe, publish and RPC through a site's hooks, and the backend's `POST /rpc` and `POST /disconnect`
(docs/interactive.md), with real python-socketio clients, a stub authUrl and a stub of the interaction hooks."""
import time

import pytest
import requests

from conftest import running_herald
from metrics_scrape import scrape, value
from interaction_hooks import RefusingPort
from server_state import wait_for_connected_sockets
from site_client import SiteClient

TALK_KEY = "talk-api-key-0123456789"
DOWN_KEY = "down-api-key-0123456789"
QUIET_KEY = "quiet-api-key-0123456789"
ACK_TIMEOUT = 5


@pytest.fixture(scope="module")
def refusing_port():
    port = RefusingPort()
    yield port
    port.close()


@pytest.fixture(scope="module")
def herald(hooks, interaction, refusing_port):
    sites = (
        "talk:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {TALK_KEY}\n"
        "  userRoomPrefix: user_\n"
        f"  subscribeUrl: {interaction.url}/subscribe\n"
        f"  publishUrl: {interaction.url}/publish\n"
        f"  rpcUrl: {interaction.url}/rpc\n"
        "  maxRoomsPerClient: 4\n"
        "  maxClientPublishesPerSecond: 3\n"
        "  maxPayloadBytes: 2048\n"
        "down:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {DOWN_KEY}\n"
        "  userRoomPrefix: user_\n"
        f"  subscribeUrl: {refusing_port.url}/subscribe\n"
        f"  rpcUrl: {refusing_port.url}/rpc\n"
        "quiet:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {QUIET_KEY}\n"
        "  userRoomPrefix: user_\n"
    )
    with running_herald(hooks, sites=sites) as running:
        yield running


def connect(herald, user, site="talk", device=None):
    return SiteClient(herald, site, f"good-{user}", device=device or f"{user}-phone").connect()


def call(client, event, data):
    return client.client.call(event, data, namespace=client.namespace, timeout=ACK_TIMEOUT)


def send(herald, rooms, event, *args, site="talk", key=TALK_KEY):
    response = requests.post(
        f"{herald.url}/send", params={"site": site, "apiKey": key},
        json={"rooms": rooms, "event": event, "args": list(args)}, timeout=5,
    )
    assert response.status_code == 200, response.text
    return response


def sentinel(herald, client, user):
    """A `sentinel` to the client's user room, waited for: what was sent before it has arrived by then."""
    count = len(client.received("sentinel")) + 1
    send(herald, [f"user_{user}"], "sentinel")
    client.wait_for("sentinel", count=count)


def backend(herald, path, body, site="talk", key=TALK_KEY, timeout=10):
    return requests.post(f"{herald.url}/{path}", params={"site": site, "apiKey": key}, json=body, timeout=timeout)


# Subscribe and unsubscribe


def test_subscribe_allowed_by_the_hook_joins_the_room_and_the_hook_hears_who_asks(herald, interaction):
    alice = connect(herald, "alice")
    try:
        assert call(alice, "_subscribe", {"room": "open-chat"}) == {"ok": True, "room": "open-chat"}
        body = interaction.calls_to("/subscribe")[-1]["body"]
        assert body["site"] == "talk" and body["room"] == "open-chat" and body["token"] == "good-alice"
        assert body["deviceId"] == "alice-phone" and sorted(body["rooms"]) == ["news", "user_alice"]
        assert interaction.calls_to("/subscribe")[-1]["authorization"] == "Bearer good-alice"
        send(herald, ["open-chat"], "message", "hello room")
        assert alice.wait_for("message") == [["hello room"]]
    finally:
        alice.close()


def test_subscribe_refused_by_the_hook_gets_its_reason_and_no_messages_of_the_room(herald):
    bob = connect(herald, "bob")
    try:
        assert call(bob, "_subscribe", {"room": "closed-vip"}) == {"error": "Members only", "code": "forbidden"}
        send(herald, ["closed-vip"], "message", "secret")
        sentinel(herald, bob, "bob")
        assert bob.received("message") == []
    finally:
        bob.close()


def test_unsubscribe_leaves_the_room(herald):
    carol = connect(herald, "carol")
    try:
        call(carol, "_subscribe", {"room": "open-leave"})
        assert call(carol, "_unsubscribe", {"room": "open-leave"}) == {"ok": True, "room": "open-leave"}
        send(herald, ["open-leave"], "message", "after leaving")
        sentinel(herald, carol, "carol")
        assert carol.received("message") == []
    finally:
        carol.close()


@pytest.mark.parametrize("room", ["user_alice", "user_dave"])
def test_user_rooms_are_reserved_and_the_hook_is_not_asked(herald, interaction, room):
    dave = connect(herald, "dave")
    try:
        before = len(interaction.calls_to("/subscribe"))
        assert call(dave, "_subscribe", {"room": room})["code"] == "reserved_room"
        assert call(dave, "_unsubscribe", {"room": "user_dave"})["code"] == "reserved_room"
        assert len(interaction.calls_to("/subscribe")) == before
    finally:
        dave.close()


def test_max_rooms_per_client_caps_subscriptions(herald):
    erin = connect(herald, "erin")
    try:
        assert call(erin, "_subscribe", {"room": "open-1"})["ok"] is True
        assert call(erin, "_subscribe", {"room": "open-2"})["ok"] is True
        refused = call(erin, "_subscribe", {"room": "open-3"})
        assert refused["code"] == "room_limit" and "maxRoomsPerClient" in refused["error"]
    finally:
        erin.close()


@pytest.mark.parametrize("data", ["open-x", {"room": ""}, {"room": 7}, {"room": "r" * 300}, None])
def test_malformed_subscribe_gets_invalid_request(herald, data):
    frank = connect(herald, "frank")
    try:
        assert call(frank, "_subscribe", data)["code"] == "invalid_request"
    finally:
        frank.close()


@pytest.mark.parametrize(
    "room, code",
    [("slow-a", "hook_timeout"), ("broken-a", "hook_failed"), ("garbage-a", "hook_invalid_answer")],
)
def test_a_slow_failing_or_garbled_hook_gives_a_clear_error_and_other_clients_are_unaffected(herald, room, code):
    gina, hank = connect(herald, "gina"), connect(herald, "hank")
    try:
        assert call(gina, "_subscribe", {"room": room})["code"] == code
        assert call(hank, "_subscribe", {"room": "open-unaffected"})["ok"] is True
        send(herald, ["open-unaffected"], "message", "still here")
        assert hank.wait_for("message") == [["still here"]]
    finally:
        gina.close()
        hank.close()


def test_an_unreachable_hook_gives_hook_unavailable_and_the_site_keeps_serving(herald):
    ivan = connect(herald, "ivan", site="down")
    try:
        assert call(ivan, "_subscribe", {"room": "any"})["code"] == "hook_unavailable"
        assert call(ivan, "_rpc", {"method": "echo"})["code"] == "hook_unavailable"
        assert call(ivan, "_publish", {"room": "any", "event": "message"})["code"] == "not_enabled"
        send(herald, ["user_ivan"], "sentinel", site="down", key=DOWN_KEY)
        ivan.wait_for("sentinel")
    finally:
        ivan.close()


def test_too_many_waiting_hook_calls_are_refused_at_once(herald):
    judy = connect(herald, "judy")
    try:
        answers = []
        for number in range(10):
            judy.client.emit("_rpc", {"method": f"slow-{number}"}, namespace=judy.namespace, callback=lambda a: answers.append(a))
        assert call(judy, "_rpc", {"method": "echo"})["code"] == "rate_limited"
    finally:
        judy.close()


# Publish


def test_publish_allowed_reaches_the_room_members(herald, interaction):
    kate, leo = connect(herald, "kate"), connect(herald, "leo")
    try:
        call(leo, "_subscribe", {"room": "open-lounge"})
        answer = call(kate, "_publish", {"room": "open-lounge", "event": "message", "args": ["hi", {"n": 1}]})
        assert answer["ok"] is True
        assert leo.wait_for("message") == [["hi", {"n": 1}]]
        body = interaction.calls_to("/publish")[-1]["body"]
        assert (body["room"], body["event"], body["args"], body["token"]) == ("open-lounge", "message", ["hi", {"n": 1}], "good-kate")
    finally:
        kate.close()
        leo.close()


def test_the_hook_can_replace_what_is_published(herald):
    mia, ned = connect(herald, "mia"), connect(herald, "ned")
    try:
        call(ned, "_subscribe", {"room": "filter-room"})
        assert call(mia, "_publish", {"room": "filter-room", "event": "message", "args": ["rude words"]})["ok"] is True
        assert ned.wait_for("message") == [["[filtered]"]]
    finally:
        mia.close()
        ned.close()


def test_a_private_message_to_another_user_is_stored_for_that_user_and_replayed(herald):
    """A publish to a user room (the hook allows it) goes through /send's delivery: kept for the user's device
    until acknowledged, so a device that was away gets it in its `_batch`."""
    olga = connect(herald, "olga")
    pete = connect(herald, "pete", device="pete-tablet")
    pete.close()
    wait_for_connected_sockets(herald, 1, site="talk")
    try:
        answer = call(olga, "_publish", {"room": "user_pete", "event": "message", "args": ["psst"]})
        assert answer["ok"] is True and answer["id"]
        pete = connect(herald, "pete", device="pete-tablet")
        assert pete.wait_for("_batch") == [[[["message", "psst"]]]]
    finally:
        olga.close()
        pete.close()


def test_publish_refused_by_the_hook_sends_nothing(herald):
    quinn, rita = connect(herald, "quinn"), connect(herald, "rita")
    try:
        call(rita, "_subscribe", {"room": "open-watch"})
        assert call(quinn, "_publish", {"room": "closed-x", "event": "message", "args": ["no"]})["code"] == "forbidden"
        assert call(quinn, "_publish", {"room": "garbage-x", "event": "message"})["code"] == "hook_invalid_answer"
        send(herald, ["open-watch"], "sentinel")
        rita.wait_for("sentinel")
        assert rita.received("message") == []
    finally:
        quinn.close()
        rita.close()


@pytest.mark.parametrize("event", ["_batch", "_settings", "connect", "disconnect", ""])
def test_reserved_event_names_cannot_be_published(herald, event):
    sam = connect(herald, "sam")
    try:
        assert call(sam, "_publish", {"room": "open-r", "event": event})["code"] == "invalid_request"
    finally:
        sam.close()


def test_publishes_over_the_per_socket_rate_are_refused(herald):
    tina, uma = connect(herald, "tina"), connect(herald, "uma")
    try:
        answers = [call(tina, "_publish", {"room": "open-rate", "event": "message", "args": [n]}) for n in range(4)]
        assert [a.get("ok") for a in answers[:3]] == [True, True, True]
        assert answers[3]["code"] == "rate_limited"
        assert call(uma, "_publish", {"room": "open-rate", "event": "message"})["ok"] is True
    finally:
        tina.close()
        uma.close()


def test_a_publish_over_the_payload_limit_is_refused_before_the_hook(herald, interaction):
    vera = connect(herald, "vera")
    try:
        before = len(interaction.calls_to("/publish"))
        answer = call(vera, "_publish", {"room": "open-big", "event": "message", "args": ["x" * 3000]})
        assert answer["code"] == "payload_too_large"
        assert len(interaction.calls_to("/publish")) == before
    finally:
        vera.close()


# Client RPC


def test_rpc_answer_is_the_hooks_json(herald):
    walt = connect(herald, "walt")
    try:
        assert call(walt, "_rpc", {"method": "echo", "params": {"q": [1, 2]}}) == {"echo": {"q": [1, 2]}, "token": "good-walt"}
        assert call(walt, "_rpc", {"method": "empty"}) is None
        assert call(walt, "_rpc", {"method": "closed"}) == {"error": "Members only", "code": "forbidden"}
        assert call(walt, "_rpc", {"method": "broken"}) == {"error": "The site's hook answered 500", "code": "hook_failed"}
        assert call(walt, "_rpc", {"method": "garbage"})["code"] == "hook_invalid_answer"
    finally:
        walt.close()


def test_a_site_without_hooks_keeps_the_node_services_behaviour(herald):
    """No interaction hook: the events are not Herald's to answer, as on the Node service; the socket keeps
    working."""
    xena = connect(herald, "xena", site="quiet")
    try:
        answers = []
        xena.client.emit("_rpc", {"method": "echo"}, namespace=xena.namespace, callback=lambda *a: answers.append(a))
        send(herald, ["user_xena"], "sentinel", site="quiet", key=QUIET_KEY)
        xena.wait_for("sentinel")
        assert answers == []
    finally:
        xena.close()


# Backend RPC and disconnect


def test_backend_rpc_collects_each_socket_answer(herald):
    yara_phone = connect(herald, "yara", device="yara-phone")
    yara_laptop = connect(herald, "yara", device="yara-laptop")
    try:
        yara_phone.client.on("where", lambda *args: {"at": "phone", "asked": list(args)}, namespace=yara_phone.namespace)
        yara_laptop.client.on("where", lambda *args: {"at": "laptop"}, namespace=yara_laptop.namespace)
        response = backend(herald, "rpc", {"user": "yara", "event": "where", "args": ["now"], "timeoutMs": 3000})
        assert response.status_code == 200, response.text
        answers = sorted(response.json(), key=lambda a: a["deviceId"])
        assert [(a["deviceId"], a["user"], a["answer"]) for a in answers] == [
            ("yara-laptop", "yara", {"at": "laptop"}),
            ("yara-phone", "yara", {"at": "phone", "asked": ["now"]}),
        ]
        assert all(a["socket"] for a in answers)
    finally:
        yara_phone.close()
        yara_laptop.close()


def test_backend_rpc_answers_504_when_nobody_answers_and_404_when_nobody_matches(herald):
    zack = connect(herald, "zack")
    # python-socketio acks every event that asks for one, with None when it has no handler: this client answers
    # only after the RPC's 300 ms are over.
    zack.client.on("ignored", lambda *args: time.sleep(1), namespace=zack.namespace)
    try:
        silent = backend(herald, "rpc", {"user": "zack", "event": "ignored", "timeoutMs": 300})
        assert silent.status_code == 504 and silent.json()["matched"] == 1
        nobody = backend(herald, "rpc", {"user": "nobody-here", "event": "where"})
        assert nobody.status_code == 404
    finally:
        zack.close()


@pytest.mark.parametrize(
    "body",
    [{"event": "where"}, {"user": "a", "room": "b", "event": "where"}, {"user": "a"}, {"user": "a", "event": "_batch"},
     {"user": "a", "event": "where", "timeoutMs": 0}, {"user": "a", "event": "where", "timeoutMs": "soon"}, [1, 2]],
)
def test_backend_rpc_refuses_bodies_that_do_not_say_what_to_call(herald, body):
    response = backend(herald, "rpc", body)
    assert response.status_code == 400 and response.json()["error"]


def test_backend_calls_refuse_oversized_bodies(herald):
    response = backend(herald, "rpc", {"user": "a", "event": "e", "args": ["x" * 3000]})
    assert response.status_code == 413 and "2048" in response.json()["error"]


def test_backend_calls_need_the_sites_key(herald):
    assert backend(herald, "rpc", {"user": "a", "event": "e"}, key="wrong").status_code == 401
    assert backend(herald, "disconnect", {"user": "a"}, key=DOWN_KEY).status_code == 401
    response = requests.post(f"{herald.url}/rpc", params={"site": "talk"}, json={}, timeout=5)
    assert response.status_code == 400


def test_backend_disconnect_logs_a_user_out_and_leaves_others_connected(herald):
    amy_one, amy_two, ben = connect(herald, "amy", device="a1"), connect(herald, "amy", device="a2"), connect(herald, "ben")
    try:
        response = backend(herald, "disconnect", {"user": "amy"})
        assert response.json() == {"disconnected": 2}
        for client in (amy_one, amy_two):
            assert client.wait_disconnected(), "amy's socket stayed connected"
        send(herald, ["user_ben"], "sentinel")
        ben.wait_for("sentinel")
    finally:
        for client in (amy_one, amy_two, ben):
            client.close()


def test_each_request_is_counted_by_command_and_outcome(herald):
    def count(command, outcome):
        return value(scrape(herald), "herald_client_commands_total", site="talk", command=command, outcome=outcome)

    before = {(c, o): count(c, o) for c, o in [("subscribe", "ok"), ("subscribe", "forbidden"), ("rpc", "ok")]}
    nora = connect(herald, "nora")
    try:
        call(nora, "_subscribe", {"room": "open-counted"})
        call(nora, "_subscribe", {"room": "closed-counted"})
        call(nora, "_rpc", {"method": "echo"})
    finally:
        nora.close()
    assert {key: count(*key) - was for key, was in before.items()} == {
        ("subscribe", "ok"): 1, ("subscribe", "forbidden"): 1, ("rpc", "ok"): 1,
    }
