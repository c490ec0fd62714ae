"""Two instances on one real redis-server: an event fired on one reaches the listeners of the other."""
from event_herald import TOKEN
from event_client import Listener, fire, sentinel


def test_an_event_fired_on_one_instance_reaches_listeners_on_the_other(pair):
    first, second = pair
    on_second = Listener(second).subscribe(TOKEN, ["order", "sentinel"])
    on_first = Listener(first).subscribe(TOKEN, ["order", "sentinel"])
    assert fire(first, "order", {"from": "a"}, token=TOKEN) == (200, {"code": "OK"})
    assert on_second.next() == {"type": "event", "event": "order", "data": {"from": "a"}}
    assert on_first.next() == {"type": "event", "event": "order", "data": {"from": "a"}}  # once, not echoed back
    assert fire(second, "order", {"from": "b"}, token=TOKEN) == (200, {"code": "OK"})
    assert on_first.next() == {"type": "event", "event": "order", "data": {"from": "b"}}
    assert on_second.next() == {"type": "event", "event": "order", "data": {"from": "b"}}
    # Types stay separate across instances too, and nothing arrives twice: the sentinel is next.
    assert fire(first, "refund", 1, token=TOKEN) == (200, {"code": "OK"})
    assert sentinel(first, on_second, TOKEN)["event"] == "sentinel"
    assert on_first.next()["event"] == "sentinel"
    on_first.close()
    on_second.close()
