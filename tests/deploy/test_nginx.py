"""deploy/nginx.conf: valid for nginx, and in front of two real Herald instances sharing a redis-server it keeps
every Engine.IO session on one instance (long-polling and the WebSocket upgrade), while spreading clients over both.
"""
import collections
import http.client
import json
import os
import socket
import tempfile

import pytest

from engineio_probe import client_address, connect_namespace, http_request, open_websocket, polling_session, query
from loopback_nginx import STICKY_DIRECTIVE, LoopbackNginx, check_config, loopback_config, upstream_servers
from support import HeraldProcess, RedisProcess, http_get, read

CLIENTS = 16
UPSTREAM_NAMES = [host for host, _ in upstream_servers(read("deploy", "nginx.conf"))]


def test_shipped_config_is_valid_for_nginx(tmp_path):
    # Compose service names only resolve inside Docker; everything else is tested as shipped.
    path = loopback_config(str(tmp_path), {name: 1337 for name in UPSTREAM_NAMES})
    code, output = check_config(path, str(tmp_path))
    assert code == 0, output
    assert "syntax is ok" in output and "test is successful" in output


def test_a_broken_config_is_caught(tmp_path):
    path = loopback_config(str(tmp_path), {name: 1337 for name in UPSTREAM_NAMES})
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("proxy_buffering off;", "proxy_buffering of;"))
    code, output = check_config(path, str(tmp_path))
    assert code != 0 and "proxy_buffering" in output


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="herald-deploy-") as path:
        yield path


@pytest.fixture(scope="module")
def instances(herald_binary, workdir):
    """Two Herald instances as docker-compose.yml runs them: one redis-server, each its own FLAKE_WORKER."""
    redis = RedisProcess()
    started = []
    try:
        for index, name in enumerate(UPSTREAM_NAMES, start=1):
            directory = os.path.join(workdir, name)
            os.makedirs(directory)
            started.append(HeraldProcess(herald_binary, directory, {"REDIS_URL": redis.url, "FLAKE_WORKER": str(index)}))
        yield dict(zip(UPSTREAM_NAMES, started))
        for herald in started:
            assert herald.process.poll() is None, f"herald died: {herald.output()}"
    finally:
        for herald in started:
            herald.stop()
        redis.stop()


def start_nginx(workdir, instances, name, balancing=STICKY_DIRECTIVE):
    ports = {upstream: herald.port for upstream, herald in instances.items()}
    return LoopbackNginx(os.path.join(workdir, name), ports, balancing)


@pytest.fixture(scope="module")
def nginx(workdir, instances):
    proxy = start_nginx(workdir, instances, "nginx-sticky")
    yield proxy
    proxy.stop()


def test_healthcheck_and_demo_page_through_nginx(nginx):
    assert http_get(f"{nginx.url}/healthcheck") == (200, "ok")
    status, page = http_get(f"{nginx.url}/")
    assert status == 200 and "<html" in page.lower()


def test_long_polling_sessions_stay_on_their_instance_and_clients_spread(nginx, instances):
    outcomes = {client_address(i): polling_session(client_address(i), nginx.port, f"poll-{i}") for i in range(CLIENTS)}
    failures = {address: outcome.failure for address, outcome in outcomes.items() if outcome.failure}
    assert not failures, failures

    upstreams_by_client = collections.defaultdict(set)
    for address, _, upstream, _ in nginx.probe_records():
        upstreams_by_client[address].add(upstream)
    assert all(len(upstreams) == 1 for upstreams in upstreams_by_client.values()), dict(upstreams_by_client)
    used = set().union(*upstreams_by_client.values())
    assert used == {herald.port for herald in instances.values()}, "every instance should get some clients"


def test_access_log_keeps_tokens_out(nginx):
    polling_session(client_address(0), nginx.port, "log-check")
    log = nginx.log("access.log")
    assert "/socket.io/" in log
    assert "demo-token" not in log and "sid=" not in log


def test_websocket_through_nginx_after_polling_traffic(nginx):
    # Polling first, so that an upstream connection nginx keeps open (nginx.conf has upstream `keepalive`) is on hand
    # for the upgrade: Herald must upgrade on a reused connection, not only on a connection's first request.
    assert polling_session(client_address(0), nginx.port, "ws-warmup").failure is None
    ws = open_websocket(client_address(0), nginx.port, f"/socket.io/?{query('ws-direct', transport='websocket')}")
    try:
        opening = ws.recv()
        assert opening.startswith("0{") and "sid" in json.loads(opening[1:])
        assert connect_namespace(ws).startswith("40/demo,{")
    finally:
        ws.close()


def test_polling_sessions_upgrade_to_websocket_on_their_instance(nginx):
    for index in range(CLIENTS // 2):
        source = client_address(index)
        device = f"upgrade-{index}"
        status, text = http_request(source, nginx.port, "GET", f"/socket.io/?{query(device, transport='polling')}")
        assert status == 200 and text.startswith("0{"), text
        sid = json.loads(text[1:])["sid"]
        ws = open_websocket(source, nginx.port, f"/socket.io/?{query(device, transport='websocket', sid=sid)}")
        try:
            ws.send("2probe")
            assert ws.recv() == "3probe"
            ws.send("5")
            assert connect_namespace(ws).startswith("40/demo,{")
        finally:
            ws.close()


@pytest.mark.parametrize(
    "balancing",
    ["", "hash $arg_sid consistent;"],
    ids=["round-robin", "hash-on-sid"],
)
def test_without_client_stickiness_sessions_break(workdir, instances, balancing):
    """Why the sticky directive is there: round-robin, or hashing on the sid (absent from the handshake), sends
    follow-up requests to an instance that does not know the session."""
    proxy = start_nginx(workdir, instances, f"nginx-{len(balancing)}", balancing)
    try:
        outcomes = [polling_session(client_address(i), proxy.port, f"loose-{i}") for i in range(CLIENTS)]
    finally:
        proxy.stop()
    failures = [outcome.failure for outcome in outcomes if outcome.failure]
    assert failures, "every session survived without stickiness; the sticky test would prove nothing"
    assert any("Session ID unknown" in failure for failure in failures), failures


def read_until(sock, received, marker):
    """Reads from `sock` onto `received` until `marker` is in it (the socket's timeout bounds each read)."""
    while marker not in received:
        data = sock.recv(65536)
        assert data, f"the stream ended before {marker!r}: {received!r}"
        received += data
    return received


def test_server_sent_events_pass_through_nginx_as_they_are_written(nginx):
    # Unbuffered: the settings event and a message sent afterwards each reach the client while the stream stays open;
    # a buffering proxy would hold them until its buffer filled.
    sock = socket.create_connection(("127.0.0.1", nginx.port), timeout=10)
    try:
        sock.sendall(
            b"GET /sse/demo?token=demo-token-alice-0001&deviceId=nginx-sse HTTP/1.1\r\n"
            b"Host: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        received = read_until(sock, b"", b"event: settings")
        head = received.split(b"\r\n\r\n", 1)[0].decode().lower()
        assert head.startswith("http/1.1 200") and "content-type: text/event-stream" in head
        send = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=10)
        try:
            send.request(
                "POST", "/send?site=demo&apiKey=demo-api-key-not-secret",
                body=json.dumps({"rooms": ["user_alice"], "event": "news", "args": [{"via": "nginx"}]}),
                headers={"Content-Type": "application/json"},
            )
            answer = send.getresponse()
            assert (answer.status, answer.read()) == (200, b"OK")
        finally:
            send.close()
        received = read_until(sock, received, b'data: [{"via":"nginx"}]')
        assert b"event: news" in received
    finally:
        sock.close()
