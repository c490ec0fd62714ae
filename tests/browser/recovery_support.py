"""What the connection-state-recovery browser tests run: Herald processes on generated config.yml/sites.yml (in
memory, or several on one redis-server), an authUrl stub that counts its calls, a TCP proxy per browser that cuts
connections the way a network does, and a page driver that runs socket.io-client 4.8.1 (the `/socket.io.min.js`
Herald serves) and records what it receives.

Everything listens on 127.0.0.1 on a port the kernel chose (herald `--port 0 --port-file`, the stub and the proxy
bind port 0); redis-server gets a candidate port retried when taken (tests/interop/herald/redis_server.py).
"""
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from selenium.webdriver.support.ui import WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
for _path in (os.path.join(ROOT, "tests", "interop"), os.path.join(ROOT, "tests", "interop", "herald"),
              os.path.join(ROOT, "tests", "interop", "chaos")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from chaos_proxy import DeviceProxy, _reset  # noqa: E402
from stub_hooks import StubHooks as AuthStub  # noqa: E402,F401 (re-exported for the tests)
from loopback import port_file_path, read_port_file  # noqa: E402
from processes import stop_process  # noqa: E402
from redis_server import RedisServer  # noqa: E402,F401 (re-exported for the tests)

BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))
HERALD = os.path.join(BUILD_DIR, "herald")
WAIT = 20  # seconds any single state may take to be reached
# Variables that would make herald read something other than the generated files.
OVERRIDING_ENVIRONMENT = (
    "HERALD_ENV", "NODE_ENV", "HERALD_CONFIG", "HERALD_SITES", "PORT", "REDIS_URL", "DEVICE_TTL", "LOG_LEVEL",
    "SITE_NAME", "AUTH_URL", "AUTH_SCHEME", "API_KEY", "USER_ROOM_PREFIX", "UPDATE_USER_URL", "PUBLIC_CHANNEL",
    "HERALD_ADMIN_KEY", "HERALD_HOST", "FLAKE_WORKER", "FLAKE_DATACENTER", "HERALD_INSTANCE_ID",
)


def wait_until(condition, describe, timeout=WAIT, interval=0.05):
    """Polls `condition()` until it returns something true and returns that; fails with `describe()` after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {timeout} s: {describe()}"
        time.sleep(interval)


# --- configuration -----------------------------------------------------------------------------------------------

def site(auth_url, api_key, max_disconnection_seconds=120, skip_auth=True):
    """One site with recovery on, without userRoomPrefix (so /send to its rooms is a plain broadcast)."""
    return {
        "authUrl": auth_url,
        "apiKey": api_key,
        "recovery": {"maxDisconnectionSeconds": max_disconnection_seconds, "skipAuth": skip_auth},
    }


def sites_yaml(sites):
    # JSON is YAML; one document keeps quoting questions away.
    return json.dumps(sites, indent=2) + "\n"


def config_yaml():
    return (
        "test:\n"
        "  host: 127.0.0.1\n"
        "  hooks:\n    timeout: 3000\n"
        # Short heartbeats so a long-polling client whose requests were reset is seen gone within seconds.
        "  io:\n    pingInterval: 2000\n    pingTimeout: 2000\n"
        # With Redis: a killed instance is reaped within 1.5 s.
        "  cluster:\n    heartbeat: 300\n    instanceTimeout: 1500\n"
    )


def write_files(workdir, sites_text):
    with open(os.path.join(workdir, "config.yml"), "w") as f:
        f.write(config_yaml())
    with open(os.path.join(workdir, "sites.yml"), "w") as f:
        f.write(sites_text)


def clean_environment(extra=None):
    environment = {key: value for key, value in os.environ.items() if key not in OVERRIDING_ENVIRONMENT}
    environment["HERALD_ENV"] = "test"
    environment.update(extra or {})
    return environment


# --- herald ------------------------------------------------------------------------------------------------------

class HeraldProcess:
    """`herald serve` with the config.yml and sites.yml of `workdir`, on a port it chose; its JSON log lines go to a
    file the test reads (`entries`, `wait_for_entry`)."""

    def __init__(self, workdir, name="herald", redis_url=None, worker=0):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "wb")
        extra = {"FLAKE_WORKER": str(worker), "HERALD_INSTANCE_ID": f"{name}-{os.getpid()}-{time.monotonic_ns()}"}
        if redis_url:
            extra["REDIS_URL"] = redis_url
        port_file = port_file_path(workdir, name)
        self.process = subprocess.Popen(
            [HERALD, "serve", "--config", os.path.join(workdir, "config.yml"),
             "--sites", os.path.join(workdir, "sites.yml"), "--host", "127.0.0.1", "--port", "0",
             "--port-file", port_file, "--log-level", "info"],
            stdout=self.log, stderr=subprocess.STDOUT, env=clean_environment(extra), cwd=workdir,
        )
        try:
            self.port = read_port_file(self.process, port_file, name, self.output)
        except BaseException:
            self.stop()
            raise
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def entries(self):
        """The JSON log lines written so far (other lines skipped)."""
        found = []
        for line in self.output().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                found.append(entry)
        return found

    def wait_for_entry(self, predicate, what, timeout=WAIT):
        return wait_until(
            lambda: [entry for entry in self.entries() if predicate(entry)],
            lambda: f"{self.name} to log {what}; its log:\n{self.output()[-6000:]}",
            timeout=timeout,
        )

    def wait_disconnect_logged(self, socket_id, timeout=WAIT):
        """Waits for herald's own word that it saw the socket go: `client disconnected: <reason>` with its ID."""
        return self.wait_for_entry(
            lambda e: str(e.get("message", "")).startswith("client disconnected") and e.get("socketId") == socket_id,
            f"'client disconnected' for socket {socket_id}",
            timeout=timeout,
        )

    def assert_alive(self):
        assert self.process.poll() is None, f"{self.name} died with {self.process.returncode}:\n{self.output()[-6000:]}"

    def kill(self):
        """SIGKILL: the instance disappears without a word, as on a crashed host."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        stop_process(self.process)
        if not self.log.closed:
            self.log.close()


def send(base_url, site_name, api_key, rooms, event, args):
    """`POST /send` of one event; asserts the 200."""
    body = json.dumps({"rooms": rooms, "event": event, "args": args}).encode()
    request = urllib.request.Request(
        f"{base_url}/send?site={site_name}&apiKey={api_key}", data=body, method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    assert status == 200, f"POST /send to {base_url} answered {status}: {text}"


# --- the authUrl stub --------------------------------------------------------------------------------------------

class _HoldableProxy(DeviceProxy):
    """The chaos suite's DeviceProxy, plus a `held` state: while held, every new connection is reset at once, until
    the test releases it (rather than for a fixed time)."""

    held = False
    accepted = 0
    refused = 0

    async def _accept(self, reader, writer):
        if self.held:
            self.refused += 1
            _reset(writer)
            return
        self.accepted += 1
        await super()._accept(reader, writer)


class Stream:
    """Sends `POST /send` one after the other, each answered before the next, labels `s0`, `s1`, ..., about every
    `pace` seconds, from a thread, until `stop()`; `sent` lists what was answered 200 in order."""

    def __init__(self, base_url, site_name, api_key, room, event, run, pace=0.02):
        self.arguments = (base_url, site_name, api_key, room, event, run)
        self.pace = pace
        self.sent = []
        self.failure = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="recovery-stream", daemon=True)
        self.thread.start()

    def _run(self):
        base_url, site_name, api_key, room, event, run = self.arguments
        try:
            while not self.stopping.is_set():
                label = f"s{len(self.sent)}"
                send(base_url, site_name, api_key, [room], event, [{"n": label, "run": run}])
                self.sent.append(label)
                self.stopping.wait(self.pace)  # pacing only: nothing waits on this
        except BaseException as error:  # reported by stop()
            self.failure = error

    def count(self):
        assert self.failure is None, f"the stream of sends failed: {self.failure!r}"
        return len(self.sent)

    def wait_more(self, how_many):
        """Waits until `how_many` more sends were answered."""
        target = self.count() + how_many
        wait_until(lambda: self.count() >= target, lambda: f"{how_many} more sends (at {self.count()}, want {target})")

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive(), "the stream of sends did not stop"
        assert self.failure is None, f"the stream of sends failed: {self.failure!r}"
        return list(self.sent)


class ProxyControl:
    """A `_HoldableProxy` running on its own thread's event loop, driven from the test's thread."""

    def __init__(self, upstream_port):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="recovery-proxy", daemon=True)
        self.thread.start()
        self.proxy = self._run(_HoldableProxy.start(upstream_port))
        self.port = self.proxy.port
        self.url = f"http://127.0.0.1:{self.port}"

    def _run(self, coroutine, timeout=10):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def _call(self, function):
        async def call():
            return function()
        return self._run(call())

    def cut_and_hold(self):
        """Resets every open connection (TCP RST both ways, no Socket.IO or Engine.IO goodbye) and resets every new
        one until `release()`."""
        def cut():
            self.proxy.held = True
            for link in list(self.proxy.links):
                for end in link:
                    _reset(end)
            self.proxy.links.clear()
        self._call(cut)

    def hold(self):
        """Resets new connections until `release()`; open ones stay."""
        self._call(lambda: setattr(self.proxy, "held", True))

    def release(self):
        self._call(lambda: setattr(self.proxy, "held", False))

    def point_to(self, upstream_port):
        self._call(lambda: self.proxy.point_to(upstream_port))

    def counts(self):
        return self._call(lambda: {"accepted": self.proxy.accepted, "refused": self.proxy.refused})

    def close(self):
        async def shutdown():
            self.proxy.close()
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
        try:
            self._run(shutdown())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            if not self.thread.is_alive():
                self.loop.close()


# --- the browser -------------------------------------------------------------------------------------------------

OPEN_SOCKET = """
const [url, options] = arguments;
const rec = window.rec = {events: [], connects: [], disconnects: [], wire: [], errors: []};
const socket = window.sock = io(url, options);
// Every Socket.IO packet as decoded off the wire (CONNECT answers with sid/pid, EVENTs with their offsets).
socket.io.on("packet", (p) => rec.wire.push(JSON.parse(JSON.stringify({type: p.type, nsp: p.nsp, data: p.data}))));
socket.onAny((event, ...args) => rec.events.push({event: event, args: JSON.parse(JSON.stringify(args))}));
socket.on("connect", () => rec.connects.push(
  {id: socket.id, recovered: socket.recovered, transport: socket.io.engine.transport.name}));
socket.on("disconnect", (reason) => rec.disconnects.push(reason));
socket.on("connect_error", (e) => rec.errors.push(String(e && e.message)));
"""

# socket.io-client keeps the session ID the server gave in a private field (`_pid`, renamed by the minifier): find it
# by its value, the `pid` of the last CONNECT answer, and overwrite it.
TAMPER_PID = """
const replacement = arguments[0];
const answers = window.rec.wire.filter((p) => p.type === 0 && p.data && p.data.pid);
if (!answers.length) return null;
const pid = answers[answers.length - 1].data.pid;
const key = Object.keys(window.sock).find((k) => window.sock[k] === pid);
if (key === undefined) return null;
window.sock[key] = replacement;
return key;
"""


class RecoveryPage:
    """One Chromium tab on Herald's page (for `io` and a same-origin URL) running one socket of its own."""

    def __init__(self, driver, page_url):
        self.driver = driver
        driver.get(page_url + "/")
        self.wait(lambda: driver.execute_script("return typeof io === 'function'"), "socket.io-client to load")

    def wait(self, condition, what, timeout=WAIT):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(
            lambda _: condition(), f"timed out after {timeout} s waiting for {what}; page state: {self.describe()}"
        )

    def open_socket(self, url, token, transport):
        options = {
            "query": {"token": token},
            "transports": [transport],
            "forceNew": True,
            # Quick, steady reconnects: once the proxy lets connections through again the client is back within
            # half a second.
            "reconnectionDelay": 100,
            "reconnectionDelayMax": 500,
            "randomizationFactor": 0,
            "timeout": 10000,
        }
        self.driver.execute_script(OPEN_SOCKET, url, options)

    def state(self):
        return self.driver.execute_script("return window.rec || null")

    def describe(self):
        try:
            state = self.state()
        except Exception as error:  # the page itself is broken: say so rather than hide the first failure
            return f"<state unreadable: {error}>"
        if state is None:
            return "<no socket>"
        wire = state["wire"][-12:]
        return json.dumps({**state, "wire": wire, "wire_total": len(state["wire"])})[:4000]

    def connects(self):
        return self.driver.execute_script("return window.rec.connects")

    def disconnects(self):
        return self.driver.execute_script("return window.rec.disconnects")

    def wait_connects(self, count):
        self.wait(lambda: len(self.connects()) >= count, f"connect #{count}")
        return self.connects()

    def wait_disconnects(self, count):
        self.wait(lambda: len(self.disconnects()) >= count, f"disconnect #{count}")
        return self.disconnects()

    def events(self, name):
        """The argument lists of the `name` events the app received, in order (offset included)."""
        return [entry["args"] for entry in self.driver.execute_script("return window.rec.events") if entry["event"] == name]

    def wire_events(self, name):
        """The argument lists of the `name` EVENT packets that reached the client, whether or not its app saw them
        (a socket that was refused never passes them on)."""
        return [p["data"][1:] for p in self.driver.execute_script("return window.rec.wire")
                if p["type"] == 2 and p["data"] and p["data"][0] == name]

    def errors(self):
        return self.driver.execute_script("return window.rec.errors")

    def wire_connects(self):
        return [p["data"] for p in self.driver.execute_script("return window.rec.wire") if p["type"] == 0]

    def labels(self, name):
        """The `n` of each `name` event received, in order, offsets stripped. Each event must carry exactly one
        extra argument, a string (its offset)."""
        found = []
        for args in self.events(name):
            assert len(args) == 2 and isinstance(args[-1], str), f"{name} without a single offset string last: {args}"
            found.append(args[0]["n"])
        return found

    def wait_label(self, name, label):
        self.wait(lambda: label in [args[0].get("n") for args in self.events(name) if args and isinstance(args[0], dict)],
                  f"{name} {label!r}")

    def tamper_pid(self, replacement):
        key = self.driver.execute_script(TAMPER_PID, replacement)
        assert key is not None, f"could not find the client's pid field: {self.describe()}"
        return key

    def socket_id(self):
        return self.driver.execute_script("return window.sock.id || null")
