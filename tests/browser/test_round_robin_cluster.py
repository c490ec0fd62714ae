"""The real socket.io-client 4.8.1 and 2.5.0 (Engine.IO 4 and 3) in headless Chromium against three Herald instances
behind nginx round robin (deploy/nginx-round-robin.conf, no stickiness): every request of a session may reach any
instance, which forwards it to the session's owner. The page connects, gets pushes and stays connected across many
polls, on polling alone and with the upgrade to WebSocket."""
import os
import tempfile

import pytest

from recovery_support import ROOT, OPEN_SOCKET, AuthStub, HeraldProcess, RecoveryPage, RedisServer, send, wait_until

import sys  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests", "deploy"))
from loopback_nginx import LoopbackNginx  # noqa: E402

V2_CLIENT = os.path.join(os.path.dirname(__file__), "vendor", "socket.io-2.5.0.min.js")
API_KEY = "round-robin-browser-key-0123"
SECRET = "round-robin-browser-secret-0123"
PING_INTERVAL_MS = 300
PING_TIMEOUT_MS = 2000


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
                f"  io:\n    pingInterval: {PING_INTERVAL_MS}\n    pingTimeout: {PING_TIMEOUT_MS}\n"
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
        polls_reached_every_instance(instances, nginx, sid)
    else:
        page.wait(lambda: page.driver.execute_script("return window.sock.io.engine.transport.name") == "websocket", "the upgrade")
    for number in range(3):
        send(nginx.url, "shop", API_KEY, ["news"], "news", [{"n": number}])
    page.wait(lambda: len(page.events("news")) == 3, "three pushes")
    assert page.events("news") == [[{"n": 0}], [{"n": 1}], [{"n": 2}]]
    assert page.disconnects() == [] and page.errors() == []
    page.driver.execute_script("window.sock.disconnect()")


# socket.io-client 2.5.0 replaces the page's `io` (run by the driver, as the page's Content-Security-Policy allows no
# inline script; its UMD wrapper sets `window.io`); it has no `onAny`, so the page records the one event the test
# sends. Its parser speaks Socket.IO protocol 4 (v4's speaks 5).
LOAD_V2_CLIENT = "{source}\n;return io.protocol;"

OPEN_V2_SOCKET = """
const [url, options] = arguments;
const rec = window.v2rec = {news: [], connects: 0, disconnects: [], errors: []};
const socket = window.sock = io(url, options);
socket.on("connect", () => { rec.connects += 1; });
socket.on("news", (payload) => rec.news.push(payload));
socket.on("disconnect", (reason) => rec.disconnects.push(reason));
socket.on("connect_error", (e) => rec.errors.push(String(e && e.message)));
socket.on("error", (e) => rec.errors.push(String(e)));
"""


def polls_reached_every_instance(instances, nginx, sid):
    """Held polls end at each ping (every 300 ms): waits until the session's requests reached all three instances."""
    ports = {instance.port for instance in instances}
    wait_until(
        lambda: {port for _, s, port, status in nginx.probe_records() if s == sid and status == 200} == ports,
        lambda: f"polls of {sid} on every instance: {nginx.probe_records()}",
    )


@pytest.mark.parametrize("transports", [["polling"], ["polling", "websocket"]], ids=["polling", "upgrade"])
def test_the_v2_client_works_through_round_robin_nginx(round_robin, open_browser, transports):
    instances, nginx = round_robin
    page = RecoveryPage(open_browser(), nginx.url)
    with open(V2_CLIENT) as f:
        source = f.read()
    loaded = page.driver.execute_script(LOAD_V2_CLIENT.replace("{source}", source))
    assert loaded == 4, f"socket.io-client 2.5.0 did not load (io.protocol {loaded})"
    options = {"query": {"token": "good-browser"}, "transports": transports, "forceNew": True, "reconnection": False}
    page.driver.execute_script(OPEN_V2_SOCKET, nginx.url + "/shop", options)
    state = lambda: page.driver.execute_script("return window.v2rec")  # noqa: E731
    wait_until(lambda: state()["connects"] == 1, lambda: f"the connect: {state()}")
    assert str(page.driver.execute_script("return window.sock.io.engine.transport.query.EIO")) == "3"
    sid = page.driver.execute_script("return window.sock.io.engine.id")
    if transports == ["polling"]:
        polls_reached_every_instance(instances, nginx, sid)
    else:
        wait_until(
            lambda: page.driver.execute_script("return window.sock.io.engine.transport.name") == "websocket",
            lambda: f"the upgrade: {state()}",
        )
    for number in range(3):
        send(nginx.url, "shop", API_KEY, ["news"], "news", [{"n": number}])
    wait_until(lambda: len(state()["news"]) == 3, lambda: f"three pushes: {state()}")
    assert state()["news"] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert state()["disconnects"] == [] and state()["errors"] == []
    page.driver.execute_script("window.sock.disconnect()")
