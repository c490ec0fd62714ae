"""`herald serve` with an `eventServer:` section, and the tokens and bounds the event-server tests configure. Every
server chooses its own ports (`--port 0`, ports 0 in config.yml) and reports them in its port file once all of them
listen."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "herald"))

from loopback import POLL_SECONDS, port_file_path  # noqa: E402
from processes import stop_process  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))

TOKEN = "event-token-0123456789"
OTHER_TOKEN = "other-token-abcdefghij"
SHORT_TOKEN = "short-token-123"  # 15 characters: in the file, but ignored as the original ignores it
MAX_BODY = 4096
MAX_MESSAGE = 4096
MAX_EVENT_TYPES = 8
INIT_TIMEOUT_MS = 1000


def read_ports(process, path, output, timeout=20):
    """The ports of a port file: {"main": n, "eventServer.listenPort": n, ...}, once the server wrote it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                lines = f.read().split("\n")
            ports = {"main": int(lines[0])}
            for line in lines[1:]:
                if line.strip():
                    name, port = line.split()
                    ports[name] = int(port)
            return ports
        if process.poll() is not None:
            raise RuntimeError(f"herald exited early with {process.returncode}: {output()}")
        time.sleep(POLL_SECONDS)
    process.kill()
    process.wait()
    raise RuntimeError(f"herald did not start listening within {timeout} s: {output()}")


class EventHerald:
    """`herald serve` with the event server on. `own_ports` adds `listenPort: 0` and `broadcastPort: 0`; `https`
    sets HTTPS_ENABLE=true with a certificate made for 127.0.0.1 in the work directory. `post_url` and `ws_url`
    are where a backend fires and a listener connects in that layout."""

    def __init__(self, workdir, own_ports=False, https=False, redis_url=None, name="herald", max_listeners=100):
        self.workdir = workdir
        self.tokens_path = os.path.join(workdir, f"{name}-tokens")
        self.write_tokens([TOKEN, OTHER_TOKEN, SHORT_TOKEN, "", "   "])
        self.cert = os.path.join(workdir, "cert.crt")
        key = os.path.join(workdir, "cert.key")
        if https and not os.path.exists(self.cert):
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", self.cert,
                 "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                check=True, capture_output=True, timeout=30,
            )
        config = os.path.join(workdir, f"{name}-config.yml")
        with open(config, "w") as f:
            f.write(
                "test:\n"
                "  host: 127.0.0.1\n"
                "  eventServer:\n"
                f"    tokensFile: {self.tokens_path}\n"
                f"    maxBodyBytes: {MAX_BODY}\n"
                f"    maxMessageBytes: {MAX_MESSAGE}\n"
                f"    maxEventTypes: {MAX_EVENT_TYPES}\n"
                f"    maxListeners: {max_listeners}\n"
                f"    initTimeout: {INIT_TIMEOUT_MS}\n"
                f"    certificateKeyFile: {key}\n"
                f"    certificateFile: {self.cert}\n"
            )
            if own_ports:
                f.write("    listenPort: 0\n    broadcastPort: 0\n")
        sites = os.path.join(workdir, f"{name}-sites.yml")
        with open(sites, "w") as f:
            f.write("plain:\n  authUrl: http://127.0.0.1:9/auth\n  apiKey: plain-api-key-0123456789\n")
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items()
               if k not in ("PORT", "REDIS_URL", "DEVICE_TTL", "SITE_NAME", "NODE_ENV", "HTTPS_ENABLE")}
        env["HERALD_ENV"] = "test"
        if https:
            env["HTTPS_ENABLE"] = "true"
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["HERALD_INSTANCE_ID"] = name
        port_file = port_file_path(workdir, name)
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", config, "--sites", sites, "--port", "0",
             "--port-file", port_file],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=workdir,
        )
        self.ports = read_ports(self.process, port_file, self.output)
        self.url = f"http://127.0.0.1:{self.ports['main']}"
        scheme, ws_scheme = ("https", "wss") if https else ("http", "ws")
        if own_ports:
            self.post_url = f"{scheme}://127.0.0.1:{self.ports['eventServer.listenPort']}/event"
            self.ws_url = f"{ws_scheme}://127.0.0.1:{self.ports['eventServer.broadcastPort']}/any/path?x=1"
        else:
            self.post_url = f"{self.url}/event"
            self.ws_url = f"ws://127.0.0.1:{self.ports['main']}/events"
        self.https = https

    def write_tokens(self, lines):
        with open(self.tokens_path + ".tmp", "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(self.tokens_path + ".tmp", self.tokens_path)

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def assert_alive(self):
        assert self.process.poll() is None, f"herald died: {self.output()}"

    def stop(self):
        code, _ = stop_process(self.process)
        self.log.close()
        return code
