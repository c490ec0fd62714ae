"""Plain WebSocket JSON clients (`/ws/<site>`) subscribe, publish and call RPCs with `{"type": ..., "ref": N}`
requests answered by `{"type":"reply"}`, and answer a backend's `POST /rpc` `call` with a `reply` (docs/protocols.md,
docs/interactive.md). The site and hooks are test_interactive's."""
import threading

import requests

from plain_client import PlainClient, wait_connected
from site_client import SiteClient
from test_interactive import backend, herald, refusing_port, send  # noqa: F401 (fixtures)


def plain(herald, user, device=None):
    return wait_connected(PlainClient(herald.url, "talk", token=f"good-{user}", device=device or f"{user}-plain"))


def test_a_plain_client_subscribes_and_receives_the_rooms_messages(herald):
    client = plain(herald, "pam")
    try:
        assert client.request("subscribe", 1, room="open-plain") == {"ok": True, "room": "open-plain"}
        send(herald, ["open-plain"], "message", "to subscribers")
        assert [m["args"] for m in client.wait_for_event("message")] == [["to subscribers"]]
        assert client.request("subscribe", 2, room="closed-plain") == {"error": "Members only", "code": "forbidden"}
        assert client.request("unsubscribe", 3, room="open-plain") == {"ok": True, "room": "open-plain"}
    finally:
        client.close()


def test_a_plain_client_publishes_to_socketio_subscribers_and_calls_rpcs(herald):
    writer = plain(herald, "quill")
    reader = SiteClient(herald, "talk", "good-rex", device="rex-phone").connect()
    try:
        reader.client.call("_subscribe", {"room": "open-mixed"}, namespace=reader.namespace, timeout=5)
        answer = writer.request("publish", 1, room="open-mixed", event="message", args=["from plain"])
        assert answer["ok"] is True
        assert reader.wait_for("message") == [["from plain"]]
        assert writer.request("rpc", 2, method="echo", params=[1]) == {"echo": [1], "token": "good-quill"}
        assert writer.request("rpc", 3, method="garbage")["code"] == "hook_invalid_answer"
    finally:
        writer.close()
        reader.close()


def test_a_request_without_ref_is_carried_out_unanswered(herald):
    client = plain(herald, "sal")
    try:
        client.send({"type": "subscribe", "room": "open-noref"})
        assert client.request("rpc", 9, method="echo") is not None
        send(herald, ["open-noref"], "message", "arrived")
        client.wait_for_event("message")
        assert [m["ref"] for m in client.of_type("reply")] == [9]
    finally:
        client.close()


def test_a_plain_client_answers_a_backend_rpc(herald):
    client = plain(herald, "tom")
    try:
        calls = []

        def answer_calls():
            client.wait_for(lambda ms: any(m["type"] == "call" for m in ms), "a call")
            call = client.of_type("call")[0]
            calls.append(call)
            client.send({"type": "reply", "ref": call["ref"], "data": {"at": "plain"}})

        answering = threading.Thread(target=answer_calls)
        answering.start()
        response = backend(herald, "rpc", {"user": "tom", "event": "where", "args": ["now"], "timeoutMs": 3000})
        answering.join(10)
        assert response.status_code == 200, response.text
        assert [(a["deviceId"], a["answer"]) for a in response.json()] == [("tom-plain", {"at": "plain"})]
        assert calls[0]["event"] == "where" and calls[0]["args"] == ["now"]
    finally:
        client.close()


def test_malformed_requests_close_the_connection_with_4400(herald):
    for message in ({"type": "rpc", "ref": -1, "method": "echo"}, {"type": "reply", "data": 1}, {"type": "rpc", "ref": "one"}):
        client = plain(herald, "uma")
        try:
            client.send(message)
            assert client.wait_closed() == 4400
        finally:
            client.close()
    other = plain(herald, "vic")
    try:
        assert other.request("rpc", 1, method="echo")["token"] == "good-vic"
    finally:
        other.close()


def test_sse_clients_are_not_counted_by_backend_rpc(herald):
    response = requests.get(f"{herald.url}/sse/talk", params={"token": "good-wes", "deviceId": "wes-sse"}, stream=True, timeout=5)
    try:
        assert response.status_code == 200
        next(response.iter_lines())
        assert backend(herald, "rpc", {"user": "wes", "event": "where", "timeoutMs": 300}).status_code == 404
    finally:
        response.close()
