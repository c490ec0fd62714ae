"""Native TLS on the main port (`tls:` in config.yml): https and wss with a CA the test creates, refusals (a client
that does not trust the CA, plain HTTP, TLS 1.1, a stalled handshake), certificate rotation on SIGHUP that keeps
open WebSockets, a broken key on SIGHUP that keeps the old certificate, and `check-config` errors."""
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import pytest
import requests
import socketio

from conftest import BUILD_DIR, SHOP_KEY, RunningHerald, wait_until
from metrics_scrape import LABEL, SAMPLE
from site_client import GENERATION, SiteClient
from tls_certificates import CertificateAuthority, served_certificate

HERALD = os.path.join(BUILD_DIR, "herald")
HEADER_TIMEOUT_MS = 1500
TLS_SECTION = "  tls:\n    certificate: server.pem\n    privateKey: server.key\n"


class TLSHerald:
    """A CA, a certificate it signed for 127.0.0.1 (written next to config.yml, which names it by a relative path)
    and Herald serving it."""

    def __init__(self, hooks, workdir, tls_section=TLS_SECTION, chain=False, header_timeout_ms=None):
        self.workdir = workdir
        self.ca = CertificateAuthority(workdir)
        self.certificate_path = os.path.join(workdir, "server.pem")
        self.key_path = os.path.join(workdir, "server.key")
        self.ca.issue("herald-1", self.certificate_path, self.key_path, chain=chain)
        # Only the stalled-handshake test shortens the header timeout: on a loaded machine a client's own TLS handshake
        # can take a good part of a short one.
        io_extra = f"    requestHeaderTimeout: {header_timeout_ms}\n" if header_timeout_ms else ""
        self.server = RunningHerald(hooks, workdir, scheme="https", config_extra=tls_section, io_extra=io_extra)
        self.port = self.server.port
        self.url = self.server.url

    def session(self):
        """A requests session that trusts the test's CA."""
        session = requests.Session()
        # Not the environment's REQUESTS_CA_BUNDLE, which would override `verify` (python-engineio passes
        # verify=True with each request, and requests then prefers the environment's bundle to the session's).
        session.trust_env = False
        session.verify = self.ca.path
        return session

    def client(self, token="good-alice", transports=("websocket",)):
        # python-socketio 5 takes the CA from the session; 4 from the environment (see the `tls_herald` fixture).
        session = self.session() if GENERATION >= 5 else None
        return SiteClient(self.server, "shop", token, transports=transports, http_session=session)

    def send(self, room, event, *args):
        response = self.session().post(
            f"{self.url}/send", params={"site": "shop", "apiKey": SHOP_KEY},
            json={"rooms": [room], "event": event, "args": list(args)}, timeout=5,
        )
        assert (response.status_code, response.text) == (200, "OK")

    def assert_no_key_material_logged(self, *key_texts):
        """No line of the given PEM keys' base64 body appears in Herald's output."""
        output = self.server.output()
        for text in key_texts:
            for line in text.splitlines():
                assert line.startswith("-----") or line not in output, "key material in the log"

    def log_entries(self, prefix):
        entries = [json.loads(line) for line in self.server.output().splitlines() if line.startswith("{")]
        return [e for e in entries if e["message"].startswith(prefix)]

    def hang_up_and_wait(self, prefix, timeout=10):
        """SIGHUP, then the first new log line starting with `prefix`."""
        before = len(self.log_entries(prefix))
        self.server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            entries = self.log_entries(prefix)
            if len(entries) > before:
                return entries[-1]
            time.sleep(0.05)
        raise AssertionError(f"no {prefix!r} log line within {timeout} s: {self.server.output()[-3000:]}")


@pytest.fixture
def tls_herald(hooks, monkeypatch, request):
    with tempfile.TemporaryDirectory() as workdir:
        running = TLSHerald(hooks, workdir, header_timeout_ms=getattr(request, "param", None))
        # python-engineio 3 (python-socketio 4) passes verify=True with each polling request, which makes requests
        # take the environment's bundle over the session's, and does not hand a CA file to its WebSocket
        # (websocket-client reads WEBSOCKET_CLIENT_CA_BUNDLE): the test's CA is the clients' trust store here.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", running.ca.path)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        monkeypatch.setenv("WEBSOCKET_CLIENT_CA_BUNDLE", running.ca.path)
        yield running
        running.server.assert_alive()
        running.server.stop()


def read_until_closed(sock, timeout):
    """Everything the peer sends until it closes; fails if it is still open after `timeout` seconds."""
    sock.settimeout(timeout)
    received = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            return received
        except socket.timeout:
            raise AssertionError(f"connection still open after {timeout} s; got {received!r}")
        if not chunk:
            return received
        received += chunk


@pytest.mark.parametrize("transports", [("websocket",), ("polling",)], ids=["websocket", "polling"])
def test_a_client_trusting_the_ca_connects_and_receives_a_send_over_https(tls_herald, transports):
    client = tls_herald.client(transports=transports).connect()
    try:
        assert client.client.transport() == transports[0]
        tls_herald.send("user_alice", "news", {"over": "tls"})
        assert client.wait_for("news") == [[{"over": "tls"}]]
    finally:
        client.close()
    log = tls_herald.log_entries("TLS enabled")
    assert len(log) == 1 and log[0]["subject"] == "O=Herald TLS tests, CN=herald-1", log
    assert log[0]["notAfter"].startswith(time.strftime("%Y", time.gmtime(time.time() + 2 * 86400)))
    assert tls_herald.log_entries("Herald listening")[0]["scheme"] == "https"
    with open(tls_herald.key_path) as key:
        tls_herald.assert_no_key_material_logged(key.read())


def test_the_negotiated_protocol_is_http_1_1_over_tls_1_2_or_later(tls_herald):
    context = ssl.create_default_context(cafile=tls_herald.ca.path)
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", tls_herald.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.selected_alpn_protocol() == "http/1.1"
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            tls.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert read_until_closed(tls, 5).startswith(b"HTTP/1.1 200")


def test_a_client_that_does_not_trust_the_ca_is_refused(tls_herald, monkeypatch):
    for variable in ("REQUESTS_CA_BUNDLE", "WEBSOCKET_CLIENT_CA_BUNDLE"):
        monkeypatch.delenv(variable)
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{tls_herald.url}/healthcheck", timeout=5)
    stranger = SiteClient(tls_herald.server, "shop", "good-bob", transports=("polling",))
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            stranger.client.connect(stranger.url, namespaces=[stranger.namespace], transports=["polling"])
        assert not stranger.connected.is_set()
    finally:
        stranger.close()
    tls_herald.server.assert_alive()


def test_plain_http_to_the_tls_port_gets_no_http_answer(tls_herald):
    with socket.create_connection(("127.0.0.1", tls_herald.port), timeout=5) as raw:
        raw.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_until_closed(raw, 5)
    assert not answer.startswith(b"HTTP/"), answer
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{tls_herald.port}/healthcheck", timeout=5)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused_by_the_server(tls_herald):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # OpenSSL 3 only offers TLS 1.1 at security level 0.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = ssl.TLSVersion.TLSv1_1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    with socket.create_connection(("127.0.0.1", tls_herald.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError) as refused:
            context.wrap_socket(raw, server_hostname="127.0.0.1")
    # The server's refusal, not the client's inability to offer TLS 1.1 (NO_PROTOCOLS_AVAILABLE).
    assert refused.value.reason in ("TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL"), refused.value


def test_tls_1_2_offers_only_forward_secret_aead_suites(tls_herald):
    def handshake(ciphers):
        context = ssl.create_default_context(cafile=tls_herald.ca.path)
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(ciphers)
        with socket.create_connection(("127.0.0.1", tls_herald.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                return tls.cipher()[0]

    assert handshake("ECDHE-ECDSA-AES128-GCM-SHA256") == "ECDHE-ECDSA-AES128-GCM-SHA256"
    assert handshake("ECDHE-ECDSA-CHACHA20-POLY1305") == "ECDHE-ECDSA-CHACHA20-POLY1305"
    # CBC with SHA-1 MACs: in swift-nio-ssl's default list, not in Herald's.
    with pytest.raises(ssl.SSLError) as refused:
        handshake("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")
    assert refused.value.reason == "SSLV3_ALERT_HANDSHAKE_FAILURE", refused.value


def test_minimum_version_1_3_refuses_tls_1_2(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = TLSHerald(hooks, workdir, tls_section=TLS_SECTION + "    minimumVersion: \"1.3\"\n")
        try:
            context = ssl.create_default_context(cafile=running.ca.path)
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            with socket.create_connection(("127.0.0.1", running.port), timeout=5) as raw:
                with pytest.raises(ssl.SSLError) as refused:
                    context.wrap_socket(raw, server_hostname="127.0.0.1")
            assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value
            response = running.session().get(f"{running.url}/healthcheck", timeout=5)
            assert response.status_code == 200
        finally:
            running.server.stop()


@pytest.mark.parametrize("tls_herald", [HEADER_TIMEOUT_MS], indirect=True, ids=["header-timeout"])
@pytest.mark.parametrize("first_bytes", [b"", b"\x16\x03\x01\x02\x00\x01"], ids=["silent", "half-client-hello"])
def test_a_stalled_handshake_is_closed(tls_herald, first_bytes):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", tls_herald.port), timeout=5) as raw:
        raw.sendall(first_bytes)
        read_until_closed(raw, HEADER_TIMEOUT_MS / 1000 + 5)
    elapsed = time.monotonic() - started
    assert elapsed >= HEADER_TIMEOUT_MS / 1000 - 0.2, f"closed after {elapsed:.2f} s, before the timeout"
    wait_until(lambda: header_timeouts(tls_herald) == 1, lambda: f"header_timeout closures: {header_timeouts(tls_herald)}")


def header_timeouts(tls_herald):
    text = tls_herald.session().get(f"{tls_herald.url}/metrics", timeout=5).text
    for line in text.splitlines():
        match = SAMPLE.match(line)
        if match and match.group(1) == "herald_connections_closed_total":
            if ("reason", "header_timeout") in LABEL.findall(match.group(2) or ""):
                return float(match.group(3))
    return 0


def test_a_chain_file_with_an_intermediate_is_served_whole(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = TLSHerald(hooks, workdir, chain=True)
        try:
            assert running.log_entries("TLS enabled")[0]["chain"] == "2"
            assert running.session().get(f"{running.url}/healthcheck", timeout=5).status_code == 200
        finally:
            running.server.stop()


def test_sighup_serves_a_new_certificate_and_keeps_open_websockets(tls_herald):
    old_name, old_serial = served_certificate(tls_herald.port, tls_herald.ca.path)
    assert old_name == "herald-1"
    alice = tls_herald.client().connect()
    try:
        tls_herald.ca.issue("herald-2", tls_herald.certificate_path, tls_herald.key_path)
        reloaded = tls_herald.hang_up_and_wait("TLS certificate reloaded")
        assert reloaded["subject"] == "O=Herald TLS tests, CN=herald-2"
        new_name, new_serial = served_certificate(tls_herald.port, tls_herald.ca.path)
        assert (new_name, new_serial != old_serial) == ("herald-2", True)
        tls_herald.send("user_alice", "news", "after rotation")
        assert alice.wait_for("news") == [["after rotation"]]
        assert alice.client.connected
        bob = tls_herald.client("good-bob").connect()
        bob.close()
    finally:
        alice.close()


def test_sighup_with_a_broken_key_keeps_serving_the_old_certificate(tls_herald):
    _, old_serial = served_certificate(tls_herald.port, tls_herald.ca.path)
    with open(tls_herald.key_path) as key:
        served_key = key.read()
    other = CertificateAuthority(tls_herald.workdir, name="other-ca")
    with open(other.key_path) as source, open(tls_herald.key_path, "w") as key:
        key.write(source.read())
    refused = tls_herald.hang_up_and_wait("TLS certificate reload refused")
    assert refused["level"] == "error"
    assert tls_herald.key_path in refused["message"]
    assert "does not belong to the certificate" in refused["message"]
    assert served_certificate(tls_herald.port, tls_herald.ca.path) == ("herald-1", old_serial)
    with open(tls_herald.key_path, "w") as key:
        key.write("garbage\n")
    refused = tls_herald.hang_up_and_wait("TLS certificate reload refused")
    assert "is not a PEM private key" in refused["message"]
    assert served_certificate(tls_herald.port, tls_herald.ca.path) == ("herald-1", old_serial)
    with open(other.key_path) as key:
        tls_herald.assert_no_key_material_logged(served_key, key.read())
    tls_herald.server.assert_alive()


def test_herald_reload_checks_the_new_files_before_signalling(tls_herald):
    def reload():
        env = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "SITE_NAME", "NODE_ENV")}
        env["HERALD_ENV"] = "test"
        return subprocess.run(
            [HERALD, "reload", "--pid", str(tls_herald.server.process.pid), "--config", tls_herald.server.config_path,
             "--sites", tls_herald.server.sites_path],
            capture_output=True, text=True, timeout=30, env=env,
        )

    with open(tls_herald.key_path, "w") as key:
        key.write("garbage\n")
    refused = reload()
    assert refused.returncode == 78
    assert f"production.tls.privateKey" not in refused.stderr  # the environment is "test"
    assert f"test.tls.privateKey: {tls_herald.key_path}: is not a PEM private key" in refused.stderr
    tls_herald.ca.issue("herald-2", tls_herald.certificate_path, tls_herald.key_path)
    before = len(tls_herald.log_entries("TLS certificate reloaded"))
    accepted = reload()
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip().endswith("(plain, shop) and the TLS certificate"), accepted.stdout
    wait_until(lambda: len(tls_herald.log_entries("TLS certificate reloaded")) > before, lambda: tls_herald.server.output())
    assert served_certificate(tls_herald.port, tls_herald.ca.path)[0] == "herald-2"
    assert not tls_herald.log_entries("TLS certificate reload refused")


def check_config(config):
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "SITE_NAME", "NODE_ENV")}
    env["HERALD_ENV"] = "production"
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    return subprocess.run(
        [HERALD, "check-config", "--config", str(config), "--sites", os.path.join(root, "sites.yml")],
        capture_output=True, text=True, timeout=30, env=env,
    )


def test_check_config_reports_the_certificate_and_refuses_bad_tls_sections(tmp_path):
    ca = CertificateAuthority(str(tmp_path))
    ca.issue("herald-1", str(tmp_path / "server.pem"), str(tmp_path / "server.key"))
    config = tmp_path / "config.yml"
    config.write_text("production:\n  port: 1337\n" + TLS_SECTION)
    result = check_config(config)
    assert result.returncode == 0, result.stderr
    assert "tls on (TLS 1.2+): O=Herald TLS tests, CN=herald-1" in result.stdout

    config.write_text("production:\n  tls:\n    certificate: missing.pem\n    privateKey: server.key\n")
    result = check_config(config)
    assert result.returncode == 78
    assert f"{config}:3:18: production.tls.certificate: {tmp_path / 'missing.pem'}: file not found" in result.stderr

    (tmp_path / "wrong.key").write_text(open(ca.key_path).read())
    config.write_text("production:\n  tls:\n    certificate: server.pem\n    privateKey: wrong.key\n")
    result = check_config(config)
    assert result.returncode == 78
    assert f"{config}:4:17: production.tls.privateKey: {tmp_path / 'wrong.key'}: the private key does not belong" in result.stderr
    assert all(line.startswith("-----") or line not in result.stderr + result.stdout for line in open(ca.key_path).read().splitlines())

    config.write_text("production:\n  tls:\n    certificate: server.key\n    privateKey: server.key\n")
    result = check_config(config)
    assert result.returncode == 78
    assert "production.tls.certificate" in result.stderr and "is not a PEM certificate chain" in result.stderr


def test_the_bundled_config_stays_plain_http():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    with open(os.path.join(root, "config.yml")) as f:
        assert "tls:" not in f.read()
