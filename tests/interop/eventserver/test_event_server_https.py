"""HTTPS_ENABLE=true on the original's own ports, with the key and certificate files configured in place of
/certs/cert.key and /certs/cert.crt."""
import os
import signal
import socket
import ssl
import subprocess

import pytest
import requests

from event_herald import TOKEN
from loopback import wait_until
from event_client import Listener, fire


def test_https_serves_both_own_ports_over_tls(https_herald):
    listener = Listener(https_herald).subscribe(TOKEN, ["order"])
    assert https_herald.post_url.startswith("https://") and https_herald.ws_url.startswith("wss://")
    assert fire(https_herald, "order", {"secure": True}, token=TOKEN) == (200, {"code": "OK"})
    assert listener.next() == {"type": "event", "event": "order", "data": {"secure": True}}
    assert fire(https_herald, "order", {}, authorization="Bearer x") == (403, {"code": "AUTH_UNRECOGNIZED_SCHEME"})
    listener.close()


def test_https_refuses_plain_http_and_keeps_herald_port_plain(https_herald):
    listen = https_herald.ports["eventServer.listenPort"]
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"http://127.0.0.1:{listen}/event", data="{}", timeout=5)
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(f"https://127.0.0.1:{listen}/event", data="{}", timeout=5)  # not trusted without the cert
    assert requests.get(f"{https_herald.url}/healthcheck", timeout=5).text == "ok"


def test_https_uses_the_configured_certificate(https_herald):
    port = https_herald.ports["eventServer.broadcastPort"]
    context = ssl.create_default_context(cafile=https_herald.cert)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.getpeercert()["subject"] == ((("commonName", "127.0.0.1"),),)


def _served_subject(https_herald, port):
    context = ssl.create_default_context(cafile=https_herald.cert)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert()["subject"]


def test_sighup_serves_a_renewed_certificate_on_the_own_ports(https_herald):
    """Runs last in this module: it replaces the certificate the module's server serves."""
    listener = Listener(https_herald).subscribe(TOKEN, ["order"])
    key = os.path.join(os.path.dirname(https_herald.cert), "cert.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", https_herald.cert,
         "-days", "1", "-subj", "/O=renewed/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30,
    )
    before = https_herald.output().count("event-server TLS certificate reloaded")
    https_herald.process.send_signal(signal.SIGHUP)
    wait_until(
        lambda: https_herald.output().count("event-server TLS certificate reloaded") > before,
        lambda: https_herald.output()[-3000:], timeout=10,
    )
    for port in (https_herald.ports["eventServer.broadcastPort"], https_herald.ports["eventServer.listenPort"]):
        assert _served_subject(https_herald, port) == ((("organizationName", "renewed"),), (("commonName", "127.0.0.1"),))
    assert fire(https_herald, "order", {"after": "renewal"}, token=TOKEN) == (200, {"code": "OK"})
    assert listener.next() == {"type": "event", "event": "order", "data": {"after": "renewal"}}, "the open listener lost"
    listener.close()
