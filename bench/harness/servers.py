"""The servers the benchmark compares, and how each is configured and started for a scenario.

Every server gets the same site (`bench`, apiKey `bench-api-key`), listens on 127.0.0.1 and is told which tokens
admit which clients: a tokens table (fanout, idle, reliable) or an auth hook URL (connect), so herald-bench drives
all of them with the same flags."""

import json
import os
from dataclasses import dataclass, field

from .processes import pinned

SITE = "bench"
API_KEY = "bench-api-key"
ROOM = "all"
USER_ROOM_PREFIX = "user_"


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

    def rooms(self, index):
        return [f"{USER_ROOM_PREFIX}{index}", ROOM] if self.user_rooms else [ROOM]


@dataclass
class Launch:
    """A server ready to start: its command line and where it answers."""

    argv: list
    port: int
    env: dict | None = None
    files: dict = field(default_factory=dict)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


class Server:
    """One kind of server in the comparison."""

    name = ""
    label = ""
    scenarios = ()

    def launch(self, setup, port, workdir, cpu):
        """The pinned command that runs this server for `setup` on `port`, writing its config into `workdir`."""
        raise NotImplementedError


class Herald(Server):
    name = "herald"
    label = "Herald"
    scenarios = ("fanout", "connect", "idle", "reliable")

    def __init__(self, binary, log_level="info"):
        self.binary = binary
        self.log_level = log_level

    def launch(self, setup, port, workdir, cpu):
        config = os.path.join(workdir, "config.yml")
        sites = os.path.join(workdir, "sites.yml")
        with open(config, "w") as f:
            f.write(f"production:\n  host: 127.0.0.1\n  device_queue_limit: {setup.queue_limit}\n")
        with open(sites, "w") as f:
            f.write(herald_sites_yml(setup))
        env = {k: v for k, v in os.environ.items() if k not in HERALD_ENVIRONMENT}
        argv = [self.binary, "serve", "--config", config, "--sites", sites, "--port", port, "--log-level", self.log_level]
        return Launch(pinned(cpu, argv), port, env, {"config.yml": config, "sites.yml": sites})


# Environment variables that would override the generated config.
HERALD_ENVIRONMENT = {
    "PORT", "REDIS_URL", "DEVICE_TTL", "HERALD_ENV", "NODE_ENV", "HERALD_CONFIG", "HERALD_SITES", "SITE_NAME",
    "AUTH_URL", "AUTH_SCHEME", "API_KEY", "USER_ROOM_PREFIX", "UPDATE_USER_URL", "PUBLIC_CHANNEL", "LOG_LEVEL",
}


def herald_sites_yml(setup):
    lines = [f"{SITE}:", f"  apiKey: {API_KEY}"]
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

    def launch(self, setup, port, workdir, cpu):
        argv = [self.binary, "--host", "127.0.0.1", "--port", port, "--site", SITE, "--api-key", API_KEY]
        return Launch(pinned(cpu, argv), port)


class PythonPeer(Server):
    name = "python-socketio"
    label = "python-socketio + aiohttp + uvloop"
    scenarios = ("fanout", "connect", "idle")  # no reliable delivery

    def __init__(self, python, script, label=""):
        self.python = python
        self.script = script
        self.label = label or self.label

    def launch(self, setup, port, workdir, cpu):
        argv = [self.python, self.script, "--host", "127.0.0.1", "--port", port, "--site", SITE, "--api-key", API_KEY]
        files = {}
        if setup.auth_url:
            argv += ["--auth-url", setup.auth_url]
        else:
            tokens = os.path.join(workdir, "tokens.json")
            with open(tokens, "w") as f:  # one client per line
                entries = (f"  {json.dumps(token(i))}: {json.dumps(setup.rooms(i))}" for i in range(setup.clients))
                f.write("{\n" + ",\n".join(entries) + "\n}\n")
            argv += ["--tokens", tokens]
            files["tokens.json"] = tokens
        return Launch(pinned(cpu, argv), port, files=files)
