"""Hostile POST /send bodies from the holder of one site's apiKey: each gets a clear 400 (or the 200 the Node service's
`qs` reading gives), and afterwards the process is up, /healthcheck answers and a client of ANOTHER site still
receives a /send.

The first case is the body that used to kill the process (issue 11): an array index past Int.max."""
import itertools
import tempfile

import pytest
import requests

from conftest import PLAIN_KEY, SHOP_KEY, RunningHerald
from site_client import SiteClient

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
ROOMS_NOT_A_LIST = "'rooms' must be a list of non-empty room names"

CASES = [
    ("index-past-int-max", FORM, "rooms[9223372036854775807]=a&rooms[]=b&event=x", 400, ROOMS_NOT_A_LIST),
    ("index-21-is-an-object-key", FORM, "rooms[21]=a&event=x", 400, ROOMS_NOT_A_LIST),
    ("index-20-is-a-list", FORM, "rooms[20]=lobby&event=x", 200, "OK"),
    ("form-nested-10000-levels", FORM, "rooms=lobby&event=x&args" + "[0]" * 10_000 + "=deep", 200, "OK"),
    ("form-object-nested-10000-levels", FORM, "rooms=lobby&event=x&args" + "[a]" * 10_000 + "=deep", 400,
     "'args' must be a list"),
    ("form-5000-params-extras-ignored", FORM, "rooms=lobby&event=x&" + "&".join(f"k{n}=v" for n in range(5_000)), 200,
     "OK"),
    ("form-rooms-after-the-1000th-param", FORM, "&".join(f"k{n}=v" for n in range(1_000)) + "&rooms=lobby&event=x",
     400, "Missing 'rooms'"),
    ("form-duplicate-event", FORM, "rooms=lobby&event=a&event=b", 400, "Missing 'event'"),
    ("form-invalid-utf8", FORM, b"rooms=\xff\xfe&event=\xc3\x28&args[]=%C3%28", 200, "OK"),
    ("form-nul-bytes", FORM, b"rooms=lobby\x00&event=%00&args[]=\x00", 200, "OK"),
    ("json-100000-brackets", JSON, "[" * 100_000, 400, "Invalid JSON body: nesting deeper than 64 at byte 64"),
    ("json-100000-objects", JSON, '{"a":' * 100_000, 400, "Invalid JSON body: nesting deeper than 64 at byte 320"),
    ("json-huge-numbers-in-args", JSON,
     '{"rooms":["lobby"],"event":"x","args":[1e999999,-1e999999,123456789012345678901234567890,1e-999999]}', 200, "OK"),
    ("json-huge-number-as-room", JSON, '{"rooms":[123456789012345678901234567890],"event":"x"}', 400, ROOMS_NOT_A_LIST),
    ("json-invalid-utf8", JSON, b'{"rooms":["\xff"],"event":"x"}', 400, "Invalid JSON body: invalid UTF-8 at byte 0"),
    ("json-raw-nul", JSON, b'{"rooms":["lobby\x00"],"event":"x"}', 400,
     "Invalid JSON body: control character in string at byte 16"),
    ("json-escaped-nul", JSON, '{"rooms":["lobby\\u0000"],"event":"x\\u0000"}', 200, "OK"),
    ("json-duplicate-keys-last-wins", JSON, '{"rooms":7.5,"rooms":["lobby"],"event":"x"}', 200, "OK"),
    ("json-batch-of-100000", JSON, "[" + ",".join(["1"] * 100_000) + "]", 413,
     "Too many messages: the array holds 100000, at most 1000 are accepted per request."),
    ("json-batch-of-deep-items", JSON, "[" + ",".join(["[" * 60 + "]" * 60] * 500) + "]", 200, None),
    ("empty-body", JSON, "", 400, "Invalid JSON body: unexpected end of input at byte 0"),
]


@pytest.fixture(scope="module")
def hostile_herald(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, max_body=2 << 20)
        yield running
        running.assert_alive()
        running.stop()


@pytest.fixture(scope="module")
def other_site_client(hostile_herald):
    """A client of the site `plain`; the hostile bodies go to `shop`."""
    client = SiteClient(hostile_herald, "plain", "good-watcher").connect()
    yield client
    client.close()


sentinels = itertools.count(1)


@pytest.mark.parametrize("content_type,body,status,text", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_hostile_body_is_answered_and_every_tenant_keeps_working(hostile_herald, other_site_client, content_type, body,
                                                                  status, text):
    response = requests.post(
        f"{hostile_herald.url}/send", params={"site": "shop", "apiKey": SHOP_KEY}, data=body,
        headers={"Content-Type": content_type}, timeout=10,
    )
    assert response.status_code == status, response.text
    if text is not None:
        assert response.text == text

    hostile_herald.assert_alive()
    health = requests.get(f"{hostile_herald.url}/healthcheck", timeout=5)
    assert (health.status_code, health.text) == (200, "ok")
    sentinel = next(sentinels)
    sent = requests.post(
        f"{hostile_herald.url}/send", params={"site": "plain", "apiKey": PLAIN_KEY},
        json={"rooms": ["news"], "event": "news", "args": [sentinel]}, timeout=5,
    )
    assert (sent.status_code, sent.text) == (200, "OK")
    assert other_site_client.wait_for("news", count=sentinel)[-1] == [sentinel]
