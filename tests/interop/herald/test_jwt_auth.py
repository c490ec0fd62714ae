"""JWT authentication (`jwt:` in sites.yml) with a stock python-socketio client: tokens signed by PyJWT are
verified by Herald without any call to the site; `exp` refuses at connect and disconnects at expiry unless the
client sends `_refresh` with a newer token for the same user."""
import os
import tempfile
import threading
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import RunningHerald, wait_until
from site_client import SiteClient

APP_KEY = "app-api-key-0123456789"
SECRET = "interop-jwt-secret-of-32-bytes-or-more"


def token(sub="42", expires_in=300, secret=SECRET, **claims):
    payload = {"exp": int(time.time()) + expires_in, **claims}
    if sub is not None:
        payload["sub"] = sub
    return jwt.encode(payload, secret, algorithm="HS256")


# The ES256 site's key pair: the backend signs with the private key, Herald reads the public one from a file.
ES_KEY = ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def herald(hooks):
    sites = (
        "app:\n"
        f"  apiKey: {APP_KEY}\n"
        "  userRoomPrefix: user_\n"
        "  jwt:\n"
        "    algorithms: [HS256]\n"
        f"    secret: {SECRET}\n"
        "    leewaySeconds: 0\n"
        "appes:\n"
        f"  apiKey: {APP_KEY}\n"
        "  userRoomPrefix: user_\n"
        "  jwt:\n"
        "    algorithms: [ES256]\n"
        "    publicKeyFile: keys/es256.pem\n"
        "    audience: herald\n"
    )
    with tempfile.TemporaryDirectory() as workdir:
        os.mkdir(os.path.join(workdir, "keys"))
        with open(os.path.join(workdir, "keys", "es256.pem"), "wb") as f:
            f.write(ES_KEY.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        running = RunningHerald(hooks, workdir, sites=sites)
        yield running
        running.assert_alive()
        running.stop()


class JWTClient(SiteClient):
    """A `SiteClient` of a JWT site that also records `_expired` and its own disconnect."""

    def __init__(self, herald, jwt_token, site="app"):
        super().__init__(herald, site, jwt_token)
        self.disconnected = threading.Event()
        self.client.on("_expired", self._recorder("_expired"), namespace=self.namespace)
        self.client.on("disconnect", lambda *reason: self.disconnected.set(), namespace=self.namespace)

    def refresh(self, argument):
        return self.client.call("_refresh", argument, namespace=self.namespace, timeout=5)


@pytest.fixture
def connect(herald):
    opened = []

    def connect(jwt_token, expect_success=True, site="app"):
        client = JWTClient(herald, jwt_token, site)
        opened.append(client)
        return client.connect(expect_success=expect_success)

    yield connect
    for client in opened:
        client.close()


def send(herald, room, *args, event="message", site="app"):
    response = requests.post(
        f"{herald.url}/send", params={"site": site, "apiKey": APP_KEY},
        json={"rooms": [room], "event": event, "args": list(args)}, timeout=5,
    )
    assert (response.status_code, response.text) == (200, "OK")


def test_a_valid_token_joins_the_user_room_and_the_rooms_claim(herald, connect):
    client = connect(token(rooms=["news"]))
    send(herald, "user_42", "for you")
    send(herald, "news", "for everyone")
    assert client.wait_for("message", count=2) == [["for you"], ["for everyone"]]


def test_an_es256_token_verifies_with_the_public_key_file_beside_sites_yml(herald, connect):
    claims = {"sub": "7", "aud": "herald", "exp": int(time.time()) + 300}
    client = connect(jwt.encode(claims, ES_KEY, algorithm="ES256"), site="appes")
    send(herald, "user_7", "signed with P-256", site="appes")
    assert client.wait_for("message") == [["signed with P-256"]]
    other_audience = jwt.encode({**claims, "aud": "elsewhere"}, ES_KEY, algorithm="ES256")
    assert connect(other_audience, expect_success=False, site="appes").errors == ["Authentication failed"]


def test_an_expired_token_is_refused_as_expired(connect):
    client = connect(token(expires_in=-60), expect_success=False)
    assert client.errors == ["Token expired"]


@pytest.mark.parametrize("bad", [
    token(secret="another-secret-that-is-32-bytes-long"),
    jwt.encode({"sub": "42", "exp": int(time.time()) + 300}, None, algorithm="none"),
    "not-a-jwt",
])
def test_an_invalid_token_is_refused_like_a_rejected_one(connect, bad):
    client = connect(bad, expect_success=False)
    assert client.errors == ["Authentication failed"]


def test_a_socket_is_sent_expired_and_disconnected_when_its_token_expires(connect):
    short = token(expires_in=2)
    client = connect(short)
    assert client.disconnected.wait(10), "the socket outlived its token"
    assert client.received("_expired") == [[{"exp": jwt.decode(short, options={"verify_signature": False})["exp"]}]]


def test_a_refreshed_socket_outlives_its_first_token(herald, connect):
    refreshed = connect(token(expires_in=2))
    # Same user, a second later: once it is gone, the first token's deadline has passed too.
    control = connect(token(expires_in=3))
    later = token(expires_in=300)
    answer = refreshed.refresh({"token": later})
    assert answer == {"ok": True, "exp": jwt.decode(later, options={"verify_signature": False})["exp"]}
    assert control.disconnected.wait(10), "the control socket outlived its token"
    send(herald, "user_42", "still here")
    assert refreshed.wait_for("message") == [["still here"]]
    assert not refreshed.disconnected.is_set()
    assert refreshed.received("_expired") == []


def test_a_refresh_for_another_user_or_with_a_bad_token_is_refused(connect):
    client = connect(token(sub="42"))
    assert client.refresh({"token": token(sub="43")}) == {"error": "Token is for another user"}
    assert client.refresh(token(expires_in=-60)) == {"error": "Token expired"}
    assert client.refresh({"token": "garbage"}) == {"error": "Authentication failed"}
    assert client.refresh({"token": token(sub="42")})["ok"] is True


def test_the_log_says_why_a_token_was_refused_without_the_token_or_the_secret(herald, connect):
    forged = token(secret="another-secret-that-is-32-bytes-long", sub="log-check")
    connect(forged, expect_success=False)
    wait_until(
        lambda: "client refused: Authentication failed (signature does not verify)" in herald.output(),
        lambda: f"no refusal reason in the log: {herald.output()[-2000:]}",
    )
    output = herald.output()
    assert forged not in output
    assert SECRET not in output


def test_a_plain_websocket_client_refreshes_its_token_with_a_request(herald):
    """`{"type":"refresh","token":…,"ref":N}` is the plain form of `_refresh`: the socket outlives its first token."""
    from plain_client import PlainClient, wait_connected

    client = wait_connected(PlainClient(herald.url, "app", token=token(sub="77", expires_in=2), device=None))
    try:
        newer = token(sub="77", expires_in=300)
        answer = client.request("refresh", 1, token=newer)
        assert answer["ok"] is True and answer["exp"] > time.time() + 200, answer
        assert client.request("refresh", 2, token=token(sub="78"))["error"] == "Token is for another user"
        # Past the first token's expiry the connection is still open: a message sent then arrives.
        first_expiry = time.time() + 2.5
        wait_until(lambda: time.time() > first_expiry, lambda: "the first token's expiry to pass")
        response = requests.post(
            f"{herald.url}/send", params={"site": "app", "apiKey": APP_KEY},
            json={"rooms": ["user_77"], "event": "sentinel", "args": []}, timeout=5,
        )
        assert response.status_code == 200
        client.wait_for_event("sentinel")
        assert client.of_type("event") and not [m for m in client.events() if m["event"] == "expired"]
    finally:
        client.close()
