"""The servers the benchmark compares, and how each is configured and started for a scenario.

Every server gets the same site (`bench`, apiKey `bench-api-key`), listens on 127.0.0.1 and is told which tokens
admit which clients: a tokens table (fanout, idle, reliable) or an auth hook URL (connect), so herald-bench drives
all of them with the same flags."""

import json
import os
import re
from dataclasses import dataclass, field

from .processes import pinned

SITE = "bench"
API_KEY = "bench-api-key"
ROOM = "all"
USER_ROOM_PREFIX = "user_"

# herald-bench's client protocols (`--client`), and how the tables name them.
SOCKETIO, WEBSOCKET_JSON, SSE = "socketio", "websocket-json", "sse"
CLIENT_PROTOCOLS = (SOCKETIO, WEBSOCKET_JSON, SSE)
CLIENT_LABELS = {SOCKETIO: "Socket.IO", WEBSOCKET_JSON: "plain WebSocket JSON", SSE: "SSE"}


def token(index):
    """The token herald-bench's default `--token-format` gives client `index`."""
    return f"bench-token-{index:010d}"


@dataclass(frozen=True)
class SiteSetup:
    """What a scenario needs from the site: either `clients` tokens admitting client i into `ROOM` (and into its
    own user room `user_<i>` when `user_rooms`), or an `auth_url` that decides."""

    clients: int = 0
    auth_url: str | None = None
    user_rooms: bool = False
    queue_limit: int = 1000
    redis_url: str | None = None  # Herald keeps its state in this Redis (else in memory)
    permessage_deflate: bool = False  # the site offers permessage-deflate to WebSocket clients
    ping_interval_ms: int | None = None  # heartbeat interval, for the servers that let it be set

    def rooms(self, index):
        return [f"{USER_ROOM_PREFIX}{index}", ROOM] if self.user_rooms else [ROOM]


@dataclass
class Launch:
    """A server ready to start: its command line, and how to learn the port it chose (each server is started on
    port 0, so no two runs can race for a port)."""

    argv: list
    find_port: object
    env: dict | None = None
    files: dict = field(default_factory=dict)
    port: int | None = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def port_in_file(path):
    """A `find_port` for servers that write their port to `path` once they listen."""
    def find(_log_path):
        try:
            with open(path) as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None
    return find


def port_in_log(pattern):
    """A `find_port` for servers that print their address: the first group of `pattern` in the log."""
    def find(log_path):
        try:
            with open(log_path, errors="replace") as f:
                match = re.search(pattern, f.read())
        except FileNotFoundError:
            return None
        return int(match.group(1)) if match else None
    return find


class Server:
    """One kind of server in the comparison."""

    name = ""
    label = ""
    scenarios = ()
    clients = (SOCKETIO,)  # the client protocols it serves

    def launch(self, setup, workdir, cpu, instance=0):
        """The pinned command that runs this server for `setup` on a port of its choosing, writing its config into
        `workdir`; `instance` numbers the instances of one cluster (Herald only)."""
        raise NotImplementedError


class Herald(Server):
    name = "herald"
    label = "Herald"
    scenarios = ("fanout", "connect", "idle", "reliable")
    clients = CLIENT_PROTOCOLS  # SSE only once the build serves /sse: see bench/run.py's probe

    def __init__(self, binary, log_level="info"):
        self.binary = binary
        self.log_level = log_level

    def launch(self, setup, workdir, cpu, instance=0):
        suffix = f"-{instance}" if instance else ""
        config = os.path.join(workdir, f"config{suffix}.yml")
        sites = os.path.join(workdir, "sites.yml")
        with open(config, "w") as f:
            f.write(herald_config_yml(setup, instance))
        if instance == 0:  # the instances share it; rewriting it could cut it short under an instance reading it
            with open(sites, "w") as f:
                f.write(herald_sites_yml(setup))
        env = {k: v for k, v in os.environ.items() if k not in HERALD_ENVIRONMENT}
        port_file = os.path.join(workdir, f"herald{suffix}.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        argv = [self.binary, "serve", "--config", config, "--sites", sites, "--port", 0, "--port-file", port_file,
                "--log-level", self.log_level]
        return Launch(pinned(cpu, argv), port_in_file(port_file), env,
                      {f"config{suffix}.yml": config, "sites.yml": sites})


# Environment variables that would override the generated config.
HERALD_ENVIRONMENT = {
    "PORT", "REDIS_URL", "DEVICE_TTL", "HERALD_ENV", "NODE_ENV", "HERALD_CONFIG", "HERALD_SITES", "SITE_NAME",
    "AUTH_URL", "AUTH_SCHEME", "API_KEY", "USER_ROOM_PREFIX", "UPDATE_USER_URL", "PUBLIC_CHANNEL", "LOG_LEVEL",
}


def herald_config_yml(setup, instance=0):
    """Herald's config.yml: loopback, the queue limit, Redis and a flake worker of its own per instance when on
    Redis, the heartbeat interval when set."""
    lines = ["production:", "  host: 127.0.0.1", f"  device_queue_limit: {setup.queue_limit}"]
    if setup.redis_url:
        lines += ["  redis:", f"    url: {setup.redis_url}", "  flakeid:", "    datacenter: 0", f"    worker: {instance}"]
    if setup.ping_interval_ms:
        lines += ["  io:", f"    pingInterval: {setup.ping_interval_ms}"]
    return "\n".join(lines) + "\n"


def herald_sites_yml(setup):
    lines = [f"{SITE}:", f"  apiKey: {API_KEY}"]
    if setup.permessage_deflate:
        lines.append("  permessageDeflate: true")
    if setup.user_rooms:
        lines.append(f"  userRoomPrefix: {USER_ROOM_PREFIX}")
    if setup.auth_url:
        lines.append(f"  authUrl: {setup.auth_url}")
    else:
        lines.append("  tokens:")
        lines.extend(f"    {token(i)}: [{', '.join(setup.rooms(i))}]" for i in range(setup.clients))
    return "\n".join(lines) + "\n"


class Floor(Server):
    name = "floor"
    label = "floor_server.c"
    scenarios = ("fanout", "idle")  # no auth hook, acks or queues

    def __init__(self, binary):
        self.binary = binary

    def launch(self, setup, workdir, cpu, instance=0):
        argv = [self.binary, "--host", "127.0.0.1", "--port", 0, "--site", SITE, "--api-key", API_KEY]
        if setup.ping_interval_ms:
            argv += ["--ping-interval", max(1, setup.ping_interval_ms // 1000)]
        return Launch(pinned(cpu, argv), port_in_log(r"listening on http://[^:/]+:(\d+)"))


class PythonPeer(Server):
    name = "python-socketio"
    label = "python-socketio + aiohttp + uvloop"
    scenarios = ("fanout", "connect", "idle")  # no reliable delivery

    def __init__(self, python, script, label=""):
        self.python = python
        self.script = script
        self.label = label or self.label

    def launch(self, setup, workdir, cpu, instance=0):
        port_file = os.path.join(workdir, "peer.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        argv = [self.python, self.script, "--host", "127.0.0.1", "--port", 0, "--port-file", port_file, "--site", SITE,
                "--api-key", API_KEY]
        files = {}
        if setup.ping_interval_ms:
            argv += ["--ping-interval", setup.ping_interval_ms / 1000]
        if setup.auth_url:
            argv += ["--auth-url", setup.auth_url]
        else:
            tokens = os.path.join(workdir, "tokens.json")
            with open(tokens, "w") as f:  # one client per line
                entries = (f"  {json.dumps(token(i))}: {json.dumps(setup.rooms(i))}" for i in range(setup.clients))
                f.write("{\n" + ",\n".join(entries) + "\n}\n")
            argv += ["--tokens", tokens]
            files["tokens.json"] = tokens
        return Launch(pinned(cpu, argv), port_in_file(port_file), files=files)
