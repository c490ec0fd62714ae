"""The real socket.io-client 4.8.1 in headless Chromium against three Herald instances behind nginx round robin
(deploy/nginx-round-robin.conf, no stickiness): every request of a session may reach any instance, which forwards
it to the session's owner. The page connects, gets pushes and stays connected across many polls, on polling alone
and with the upgrade to WebSocket."""
import os
import tempfile

import pytest

from recovery_support import ROOT, OPEN_SOCKET, AuthStub, HeraldProcess, RecoveryPage, RedisServer, send, wait_until

import sys  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests", "deploy"))
from loopback_nginx import LoopbackNginx  # noqa: E402

API_KEY = "round-robin-browser-key-0123"
SECRET = "round-robin-browser-secret-0123"
PING_INTERVAL_MS = 300


@pytest.fixture(scope="module")
def round_robin():
    auth = AuthStub()
    redis = RedisServer()
    instances = []
    nginx = None
    with tempfile.TemporaryDirectory(prefix="herald-rr-browser-") as workdir:
        with open(os.path.join(workdir, "config.yml"), "w") as f:
            f.write(
                "test:\n"
                "  host: 127.0.0.1\n"
                "  hooks:\n    timeout: 3000\n"
                f"  io:\n    pingInterval: {PING_INTERVAL_MS}\n    pingTimeout: 2000\n"
                f"  cluster:\n    heartbeat: 300\n    instanceTimeout: 1500\n    secret: {SECRET}\n"
            )
        with open(os.path.join(workdir, "sites.yml"), "w") as f:
            f.write(f"shop:\n  authUrl: {auth.url}/auth\n  apiKey: {API_KEY}\n")
        try:
            for number in (1, 2, 3):
                instances.append(HeraldProcess(workdir, name=f"herald{number}", redis_url=redis.url, worker=number))
            nginx = LoopbackNginx(
                os.path.join(workdir, "nginx"),
                {instance.name: instance.port for instance in instances},
                balancing=None,
                config="nginx-round-robin.conf",
            )
            yield instances, nginx
            for instance in instances:
                instance.assert_alive()
        finally:
            if nginx:
                nginx.stop()
            for instance in instances:
                instance.stop()
            redis.stop()
            auth.stop()


@pytest.mark.parametrize("transports", [["polling"], ["polling", "websocket"]], ids=["polling", "upgrade"])
def test_the_v4_client_works_through_round_robin_nginx(round_robin, open_browser, transports):
    instances, nginx = round_robin
    page = RecoveryPage(open_browser(), nginx.url)
    options = {"query": {"token": "good-browser"}, "transports": transports, "forceNew": True, "reconnection": False}
    page.driver.execute_script(OPEN_SOCKET, nginx.url + "/shop", options)
    page.wait(lambda: page.connects(), "the connect")
    sid = page.driver.execute_script("return window.sock.io.engine.id")
    if transports == ["polling"]:
        # Held polls end at each ping (every 300 ms): wait until the session's requests reached all three instances.
        ports = {instance.port for instance in instances}
        wait_until(
            lambda: {port for _, s, port, status in nginx.probe_records() if s == sid and status == 200} == ports,
            lambda: f"polls of {sid} on every instance: {nginx.probe_records()}",
        )
    else:
        page.wait(lambda: page.driver.execute_script("return window.sock.io.engine.transport.name") == "websocket", "the upgrade")
    for number in range(3):
        send(nginx.url, "shop", API_KEY, ["news"], "news", [{"n": number}])
    page.wait(lambda: len(page.events("news")) == 3, "three pushes")
    assert page.events("news") == [[{"n": 0}], [{"n": 1}], [{"n": 2}]]
    assert page.disconnects() == [] and page.errors() == []
    page.driver.execute_script("window.sock.disconnect()")
