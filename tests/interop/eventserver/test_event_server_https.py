"""HTTPS_ENABLE=true on the original's own ports, with the key and certificate files configured in place of
/certs/cert.key and /certs/cert.crt."""
import socket
import ssl

import pytest
import requests

from event_herald import TOKEN
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
