"""Which measurements a run makes, and the herald-bench command line of each."""

from dataclasses import dataclass

from .servers import ROOM, SOCKETIO, SiteSetup

SCENARIOS = ("fanout", "connect", "idle", "reliable")


@dataclass(frozen=True)
class Measurement:
    """One server in one scenario at one size, with herald-bench's clients speaking `client`."""

    server: str
    scenario: str
    clients: int
    messages: int = 0
    client: str = SOCKETIO

    @property
    def key(self):
        if self.client == SOCKETIO:
            return f"{self.server}-{self.scenario}-{self.clients}"
        return f"{self.server}-{self.client}-{self.scenario}-{self.clients}"

    @property
    def title(self):
        """How the console names it."""
        protocol = "" if self.client == SOCKETIO else f" ({self.client} clients)"
        return f"{self.server} {self.scenario}{protocol} {self.clients:,} clients"


def measurements(servers, options, unserved=()):
    """Every (server, scenario, size) the options ask for, scenario by scenario and size by size, the servers one
    after the other at each size so that they see the same machine conditions. Fan-out is measured with every client
    protocol of `--fanout-clients` the server speaks, except the (server, protocol) pairs in `unserved`; the other
    scenarios with Socket.IO clients."""
    sizes = {
        "fanout": options.clients,
        "connect": [options.connect_clients],
        "idle": [options.idle_clients],
        "reliable": [options.reliable_clients],
    }
    plan = []
    for scenario in SCENARIOS:
        if scenario not in options.scenarios:
            continue
        for clients in sizes[scenario]:
            for server in servers:
                if scenario not in server.scenarios:
                    continue
                messages = messages_for(scenario, clients, options)
                for client in client_protocols(server, scenario, options):
                    if (server.name, client) not in unserved:
                        plan.append(Measurement(server.name, scenario, clients, messages, client))
    return plan


def client_protocols(server, scenario, options):
    """The client protocols `server` is measured with in `scenario`: Socket.IO always, and for fan-out the other
    protocols of `--fanout-clients` it speaks."""
    if scenario != "fanout":
        return [SOCKETIO]
    return [SOCKETIO] + [c for c in options.fanout_clients if c != SOCKETIO and c in server.clients]


def messages_for(scenario, clients, options):
    """`/send` calls of a measurement: fan-out sends `--messages`, fewer when that would exceed
    `--max-deliveries` (at least 10), so large rooms stay short; reliable sends `--reliable-messages`."""
    if scenario == "fanout":
        return max(10, min(options.messages, options.max_deliveries // clients))
    if scenario == "reliable":
        return options.reliable_messages
    return 0


def site_setup(measurement, options, auth_port):
    """What the server's site needs for `measurement`."""
    if measurement.scenario == "connect":
        return SiteSetup(auth_url=f"http://127.0.0.1:{auth_port}/auth")
    if measurement.scenario == "reliable":
        return SiteSetup(clients=measurement.clients, user_rooms=True,
                         queue_limit=max(1000, options.reliable_messages))
    return SiteSetup(clients=measurement.clients)


def bench_arguments(measurement, options, url, auth_stub_fd):
    """herald-bench's scenario and flags for `measurement` (without --server-pid and --json); the connect scenario's
    stub authUrl serves on the inherited listening socket `auth_stub_fd`."""
    m, o = measurement, options
    common = ["--url", url, "--loops", o.bench_loops]
    if m.client != SOCKETIO:
        common += ["--client", m.client]
    if m.scenario == "fanout":
        return ["fanout", *common, "--clients", m.clients, "--room", ROOM, "--messages", m.messages, "--rate", 0,
                "--concurrency", o.send_concurrency, "--payload-bytes", o.payload_bytes]
    if m.scenario == "connect":
        return ["connect", *common, "--clients", m.clients, "--concurrency", 256, "--auth-stub-fd", auth_stub_fd,
                "--auth-stub-rooms", ROOM]
    if m.scenario == "idle":
        return ["idle", *common, "--clients", m.clients, "--hold-seconds", o.idle_hold_seconds]
    if m.scenario == "reliable":
        return ["reliable", *common, "--clients", m.clients, "--room", ROOM, "--messages", m.messages,
                "--rate", o.reliable_rate, "--drop-share", o.reliable_drop_share, "--offline-ms", o.reliable_offline_ms]
    raise ValueError(f"unknown scenario {m.scenario}")
