"""Which measurements a run makes, in which order, how many rounds each, and the herald-bench command line of each.

Measurements at one client count form a group and are interleaved: round 1 of every measurement of the group,
then round 2 of those that take more rounds, and so on, the floor just before Herald in each round, so every
ratio a verdict rests on is a median over pairs measured side by side (`results.pair_ratios`)."""

from dataclasses import dataclass, replace

from .servers import ROOM, SOCKETIO, SiteSetup

# What `--scenarios` chooses from (a selection can add the measurements its ratios are taken against).
SCENARIOS = ("fanout", "fanout-serial", "payload", "compression", "connect", "idle", "reliable", "reliable-redis",
             "cluster", "redis-cluster", "crosscheck")
REDIS_CLUSTER = "redis-cluster"

# Every kind of measurement, in the order a round runs them, and the herald-bench command it runs.
KINDS = {
    "fanout": "fanout",  # `--send-concurrency` /send connections, 100-byte payload
    "fanout-serial": "fanout",  # one /send in flight
    "reliable": "reliable",  # every client a user device, max rate
    "reliable-drop": "reliable",  # the same with a share of the devices dropping and reconnecting
    "reliable-redis": "reliable",  # the same on Redis
    "redis-fanout": "fanout",  # one Herald instance on Redis
    "cluster-fanout": "fanout",  # several instances on one Redis, clients spread over them
    "cluster-reliable": "reliable",
    "redis-cluster-fanout": "fanout",  # one or several instances on a Redis Cluster (3 masters, 3 replicas)
    "redis-cluster-reliable": "reliable",
    "connect": "connect",
    "payload": "fanout",  # wider payloads
    "compression": "fanout",  # a JSON payload with and without permessage-deflate
    "idle": "idle",
    "crosscheck-fanout": "fanout",  # the same as fanout, with the independent Python load generator
    "crosscheck-reliable": "reliable",
}
REDIS_KINDS = {"reliable-redis", "redis-fanout", "cluster-fanout", "cluster-reliable"}
REDIS_CLUSTER_KINDS = {"redis-cluster-fanout", "redis-cluster-reliable"}
CROSSCHECK = "crosscheck"
HERALD_BENCH = "herald-bench"


@dataclass(frozen=True)
class Measurement:
    """One server in one kind of measurement at one size, with herald-bench's clients speaking `client`."""

    server: str
    scenario: str  # a key of KINDS
    clients: int
    messages: int = 0
    client: str = SOCKETIO
    payload_bytes: int = 100
    concurrency: int = 4
    instances: int = 1
    permessage_deflate: bool = False
    drop_share: float = 0.0
    rounds: int = 1
    generator: str = HERALD_BENCH

    @property
    def command(self):
        """The herald-bench scenario it runs."""
        return KINDS[self.scenario]

    @property
    def store(self):
        if self.scenario in REDIS_CLUSTER_KINDS:
            return REDIS_CLUSTER
        return "redis" if self.scenario in REDIS_KINDS else "memory"

    @property
    def identity(self):
        """What makes two measurements the same one (everything but the number of rounds)."""
        return replace(self, rounds=1)

    @property
    def key(self):
        parts = [self.server]
        if self.client != SOCKETIO:
            parts.append(self.client)
        parts.append(self.scenario)
        if self.scenario in ("payload", "compression"):
            parts.append(f"{self.payload_bytes}b")
        if self.permessage_deflate:
            parts.append("deflate")
        if self.scenario in REDIS_CLUSTER_KINDS:
            parts.append(f"{self.instances}x")
        parts.append(str(self.clients))
        return "-".join(parts)

    @property
    def title(self):
        """How the console names it."""
        extra = []
        if self.client != SOCKETIO:
            extra.append(f"{self.client} clients")
        if self.scenario in ("payload", "compression"):
            extra.append(f"{self.payload_bytes:,} B")
        if self.permessage_deflate:
            extra.append("permessage-deflate")
        if self.instances > 1:
            extra.append(f"{self.instances} instances")
        detail = f" ({', '.join(extra)})" if extra else ""
        return f"{self.server} {self.scenario}{detail} {self.clients:,} clients"


def capped_messages(wanted, clients, max_deliveries):
    """`wanted`, fewer when messages × clients would pass `max_deliveries` (at least 10)."""
    return max(10, min(wanted, max_deliveries // max(clients, 1)))


def measurements(servers, options, unserved=(), skipped_scenarios=()):
    """Every measurement the options ask for, grouped by client count and in the order they run (see the module
    doc). `unserved` holds (server, client protocol) pairs left out of fan-out; `skipped_scenarios` selections
    left out altogether (said so elsewhere)."""
    o = options
    by_name = {server.name: server for server in servers}
    wanted = [s for s in o.scenarios if s not in skipped_scenarios]
    rounds, once = o.rounds, o.report_rounds
    plan = []

    def add(measurement):
        if measurement.server not in by_name or measurement.command not in by_name[measurement.server].scenarios:
            return
        for at, existing in enumerate(plan):
            if existing.identity == measurement.identity:
                plan[at] = replace(existing, rounds=max(existing.rounds, measurement.rounds))
                return
        plan.append(measurement)

    def fanout(server, clients, rounds_, client=SOCKETIO):
        messages = capped_messages(o.messages, clients, o.max_deliveries)
        return Measurement(server, "fanout", clients, messages, client, o.payload_bytes, o.send_concurrency,
                           rounds=rounds_)

    def reliable(scenario, clients, drop_share=0.0, instances=1, rounds_=rounds, generator=HERALD_BENCH):
        messages = capped_messages(o.reliable_messages, clients, o.reliable_max_deliveries)
        return Measurement("herald", scenario, clients, messages, payload_bytes=o.payload_bytes,
                           concurrency=o.send_concurrency, instances=instances, drop_share=drop_share,
                           rounds=rounds_, generator=generator)

    if "fanout" in wanted:
        for clients in o.clients:
            for server in servers:
                add(fanout(server.name, clients, rounds if server.name in ("herald", "floor") else once))
                if server.name == "herald":
                    for client in o.fanout_clients:
                        if client != SOCKETIO and client in server.clients and (server.name, client) not in unserved:
                            add(fanout(server.name, clients, once, client))
    if "fanout-serial" in wanted:
        for clients in o.serial_clients:
            for name in ("floor", "herald"):
                add(replace(fanout(name, clients, rounds), scenario="fanout-serial", concurrency=1))
    if "reliable" in wanted:
        for clients in o.reliable_clients:
            add(fanout("herald", clients, rounds))
            add(reliable("reliable", clients))
            add(reliable("reliable-drop", clients, o.reliable_drop_share))
    if "reliable-redis" in wanted:
        for clients in o.redis_clients:
            add(reliable("reliable", clients))
            add(reliable("reliable-redis", clients))
    if "cluster" in wanted:
        for clients in o.cluster_clients:
            single = replace(fanout("herald", clients, rounds), scenario="redis-fanout")
            add(single)
            add(replace(single, scenario="cluster-fanout", instances=o.cluster_instances))
            add(reliable("reliable-redis", clients, rounds_=once))
            add(reliable("cluster-reliable", clients, instances=o.cluster_instances, rounds_=once))
    if REDIS_CLUSTER in wanted:  # no verdict: one round each, one Redis beside the Cluster, 1 and n instances
        for clients in o.redis_cluster_clients:
            single = replace(fanout("herald", clients, once), scenario="redis-fanout")
            for instances in sorted({1, o.cluster_instances}):
                on_one = single if instances == 1 else replace(single, scenario="cluster-fanout", instances=instances)
                add(on_one)
                add(replace(single, scenario="redis-cluster-fanout", instances=instances))
                add(reliable("reliable-redis" if instances == 1 else "cluster-reliable", clients, instances=instances,
                             rounds_=once))
                add(reliable("redis-cluster-reliable", clients, instances=instances, rounds_=once))
    if "connect" in wanted:
        for server in servers:
            add(Measurement(server.name, "connect", o.connect_clients, rounds=rounds if server.name == "herald" else once))
    for payload in o.payload_sizes if "payload" in wanted else ():
        messages = max(10, min(o.messages, o.max_payload_bytes // (payload * o.payload_clients)))
        for server in servers:
            add(Measurement(server.name, "payload", o.payload_clients, messages, payload_bytes=payload,
                            concurrency=o.send_concurrency, rounds=once))
    if "compression" in wanted:
        messages = capped_messages(o.messages, o.compression_clients, o.max_deliveries)
        for deflate in (False, True):
            add(Measurement("herald", "compression", o.compression_clients, messages,
                            payload_bytes=o.compression_payload_bytes, concurrency=o.send_concurrency,
                            permessage_deflate=deflate, rounds=once))
    if "idle" in wanted:
        for server in servers:
            add(Measurement(server.name, "idle", o.idle_clients, rounds=once))
    if CROSSCHECK in wanted:
        clients = o.crosscheck_clients
        add(fanout("herald", clients, once))
        add(replace(fanout("herald", clients, once), scenario="crosscheck-fanout", generator=CROSSCHECK))
        add(reliable("reliable", clients, rounds_=once))
        add(reliable("crosscheck-reliable", clients, rounds_=once, generator=CROSSCHECK))
    order = list(KINDS)
    return sorted(plan, key=lambda m: (m.clients, order.index(m.scenario), m.payload_bytes, m.permessage_deflate,
                                       m.server != "floor", m.server != "herald", m.server, m.client))


def schedule(plan):
    """(measurement, round number) in the order they run: group by group (one client count), round by round."""
    order = []
    for clients in sorted({m.clients for m in plan}):
        group = [m for m in plan if m.clients == clients]
        for round_number in range(1, max(m.rounds for m in group) + 1):
            order += [(m, round_number) for m in group if m.rounds >= round_number]
    return order


def site_setup(measurement, options, auth_port, redis_url=None):
    """What the server's site needs for `measurement`."""
    m = measurement
    if m.scenario == "connect":
        return SiteSetup(auth_url=f"http://127.0.0.1:{auth_port}/auth")
    if m.command == "reliable":
        return SiteSetup(clients=m.clients, user_rooms=True, queue_limit=max(1000, m.messages), redis_url=redis_url)
    if m.scenario == "idle":
        return SiteSetup(clients=m.clients, ping_interval_ms=options.idle_ping_interval_ms)
    return SiteSetup(clients=m.clients, redis_url=redis_url, permessage_deflate=m.permessage_deflate)


def bench_arguments(measurement, options, urls, auth_stub_fd):
    """herald-bench's scenario and flags for `measurement` (without --server-pid, --redis-pid and --json); the
    connect scenario's stub authUrl serves on the inherited listening socket `auth_stub_fd`."""
    m, o = measurement, options
    common = [arg for url in urls for arg in ("--url", url)] + ["--loops", o.bench_loops]
    if m.client != SOCKETIO:
        common += ["--client", m.client]
    if m.command == "fanout":
        deflate = ["--permessage-deflate"] if m.permessage_deflate else []
        return ["fanout", *common, "--clients", m.clients, "--room", ROOM, "--messages", m.messages, "--rate", 0,
                "--concurrency", m.concurrency, "--payload-bytes", m.payload_bytes, *deflate]
    if m.command == "connect":
        return ["connect", *common, "--clients", m.clients, "--concurrency", 256, "--auth-stub-fd", auth_stub_fd,
                "--auth-stub-rooms", ROOM]
    if m.command == "idle":
        return ["idle", *common, "--clients", m.clients, "--hold-seconds", o.idle_hold_seconds]
    if m.command == "reliable":
        return ["reliable", *common, "--clients", m.clients, "--room", ROOM, "--messages", m.messages,
                "--rate", o.reliable_rate, "--concurrency", m.concurrency, "--payload-bytes", m.payload_bytes,
                "--drop-share", m.drop_share, "--offline-ms", o.reliable_offline_ms]
    raise ValueError(f"unknown scenario {m.scenario}")
