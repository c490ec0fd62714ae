#!/usr/bin/env python3
"""Capacity planning: what Herald asks of Redis per connect, per message, per ack and per idle connection, counted
by Redis itself.

Starts one redis-server (or, with --redis-cluster, a six-node Redis Cluster: three masters, three replicas) and one
Herald release instance (then three, --instances) on it with a user site (`userRoomPrefix: user_`, two devices per
user) and a plain site (no user rooms), connects python-socketio clients and runs one phase after the other:

    baseline     nothing connected: what the instances do on their own (heartbeats, the herald:send lease)
    connect      devices connecting (token + deviceId), each registered in the store
    idle         the devices connected and idle, for --idle-seconds
    user send    POST /send to one user room (2 devices): enqueued per device, delivered, acks held back
    user ack     the acks of those deliveries released
    room send    POST /send to a shared room of every device: enqueued per device, acks held back
    room ack     their acks released
    plain send   POST /send to a room of a plain site (no devices): one broadcast
    disconnect   the devices leaving

Around each phase it diffs Redis's `INFO commandstats` (calls per command; commands run inside a Lua script count
as commands of their own, as Redis counts them) and `INFO stats` (total_net_input_bytes, total_net_output_bytes,
total_commands_processed; replication traffic apart), summed over the masters, minus its own INFO traffic and minus
the baseline's rate over the phase's duration. Counts are exact whatever else runs on the machine; durations are
not, so the script reports no timing.

    python3 bench/capacity.py                                  # one Redis, 1 and 3 instances
    python3 bench/capacity.py --redis-cluster                  # the same on a Redis Cluster
    python3 bench/capacity.py --devices 400 --idle-seconds 120 --json out.json --markdown out.md

Writes bench/results/capacity/redis.json and .md (redis-cluster.* with --redis-cluster) and prints the table.

Needs python-socketio 5 and aiohttp: run it with the interop venv (`.venv-sio5/bin/python bench/capacity.py`);
started with a Python without them, it re-runs itself with `.venv-sio5/bin/python` when that exists.
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
VENV_PYTHON = os.path.join(ROOT, ".venv-sio5", "bin", "python")

try:
    import aiohttp
    import socketio
except ImportError:
    # A venv's python is a symlink to the system one, so tell them apart by the prefix, not the executable.
    if os.access(VENV_PYTHON, os.X_OK) and os.path.realpath(sys.prefix) != os.path.realpath(os.path.dirname(os.path.dirname(VENV_PYTHON))):
        os.execv(VENV_PYTHON, [VENV_PYTHON, *sys.argv])
    raise SystemExit("bench/capacity.py needs python-socketio 5 and aiohttp (make test-deps makes .venv-sio5)")

sys.path.insert(0, os.path.join(ROOT, "bench"))

from harness import redis as redis_server  # noqa: E402
from harness.processes import Children, ProcessError, raise_file_limit, tail, wait_until_healthy  # noqa: E402
from harness.servers import HERALD_ENVIRONMENT, Launch, port_in_file  # noqa: E402

USER_SITE, USER_KEY = "capacity", "capacity-api-key"
PLAIN_SITE, PLAIN_KEY = "capacity-plain", "capacity-plain-api-key"
SHARED_ROOM = "all"
EVENT = "capacity"
DEVICES_PER_USER = 2
# A phase has settled when Redis ran no more than the baseline's commands (plus this slack) for QUIET_SECONDS.
QUIET_SECONDS = 1.5
SETTLE_LIMIT_SECONDS = 60
# Commands the measurement itself sends.
OWN_COMMANDS = {"info"}


def user_token(i):
    return f"capacity-token-{i:06d}"


def plain_token(i):
    return f"capacity-plain-token-{i:06d}"


def user_room(i):
    return f"user_{i // DEVICES_PER_USER}"


def warmup_token(i):
    return f"capacity-warmup-token-{i}"


WARMUP_ROOM, WARMUP_USER_ROOM = "warmup", "user_warmup"


# ---- Redis's own counters ----------------------------------------------------------------------------------------


class Probe:
    """One connection to one Redis node that reads INFO and keeps count of its own bytes, so they can be taken off
    Redis's totals: Redis counts a request's bytes when it reads them (before answering) and a reply's once written."""

    def __init__(self, port):
        import socket

        self.connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = self.connection.makefile("rb")
        self.sent = 0  # every request so far, the one being answered included
        self.received = 0  # every reply read so far

    def info(self):
        request = b"*3\r\n$4\r\nINFO\r\n$5\r\nstats\r\n$12\r\ncommandstats\r\n"
        self.connection.sendall(request)
        self.sent += len(request)
        header = self.reader.readline()
        length = int(header[1:])
        body = self.reader.read(length + 2)
        counted_out = self.received  # this reply is not yet in Redis's output counter
        self.received += len(header) + len(body)
        fields = {}
        for line in body[:length].decode().splitlines():
            key, colon, value = line.partition(":")
            if colon:
                fields[key] = value
        calls = {}
        for key, value in fields.items():
            if key.startswith("cmdstat_"):
                name = key.removeprefix("cmdstat_")
                if name not in OWN_COMMANDS:
                    calls[name] = int(dict(part.split("=") for part in value.split(","))["calls"])
        own_commands = sum(int(dict(p.split("=") for p in fields[f"cmdstat_{c}"].split(","))["calls"])
                           for c in OWN_COMMANDS if f"cmdstat_{c}" in fields)
        return Counters(
            calls=calls,
            commands=int(fields["total_commands_processed"]) - own_commands,
            bytes_in=int(fields["total_net_input_bytes"]) - self.sent,
            bytes_out=int(fields["total_net_output_bytes"]) - counted_out,
            repl_out=int(fields.get("total_net_repl_output_bytes", 0)),
        )

    def close(self):
        self.connection.close()


class Counters:
    """Redis's counters at one moment (or a difference of two), summed over nodes."""

    def __init__(self, calls=None, commands=0, bytes_in=0, bytes_out=0, repl_out=0):
        self.calls = dict(calls or {})
        self.commands = commands
        self.bytes_in = bytes_in
        self.bytes_out = bytes_out
        self.repl_out = repl_out

    def combine(self, other, sign=1):
        calls = dict(self.calls)
        for name, count in other.calls.items():
            calls[name] = calls.get(name, 0) + sign * count
        return Counters(calls, self.commands + sign * other.commands, self.bytes_in + sign * other.bytes_in,
                        self.bytes_out + sign * other.bytes_out, self.repl_out + sign * other.repl_out)

    def __add__(self, other):
        return self.combine(other)

    def __sub__(self, other):
        return self.combine(other, -1)

    def scaled(self, factor):
        return Counters({k: v * factor for k, v in self.calls.items()}, self.commands * factor,
                        self.bytes_in * factor, self.bytes_out * factor, self.repl_out * factor)


class RedisCounters:
    """Snapshots of every master's counters, summed."""

    def __init__(self, ports):
        self.probes = [Probe(port) for port in ports]

    def snapshot(self):
        total = Counters()
        for probe in self.probes:
            total = total + probe.info()
        return total, time.monotonic()

    def close(self):
        for probe in self.probes:
            probe.close()


# ---- Herald --------------------------------------------------------------------------------------------------------


def config_yml(redis_url, instance):
    return "\n".join(["production:", "  host: 127.0.0.1", "  redis:", f"    url: {redis_url}", "  flakeid:",
                      "    datacenter: 0", f"    worker: {instance}"]) + "\n"


def sites_yml(devices, plain_clients):
    lines = [f"{USER_SITE}:", f"  apiKey: {USER_KEY}", "  userRoomPrefix: user_", "  tokens:"]
    lines += [f"    {user_token(i)}: [{user_room(i)}, {SHARED_ROOM}]" for i in range(devices)]
    lines += [f"    {warmup_token(i)}: [{WARMUP_USER_ROOM}, {WARMUP_ROOM}]" for i in range(DEVICES_PER_USER)]
    lines += [f"{PLAIN_SITE}:", f"  apiKey: {PLAIN_KEY}", "  tokens:"]
    lines += [f"    {plain_token(i)}: [{SHARED_ROOM}]" for i in range(plain_clients)]
    return "\n".join(lines) + "\n"


def start_heralds(children, binary, workdir, redis_url, count, options):
    with open(os.path.join(workdir, "sites.yml"), "w") as f:
        f.write(sites_yml(options.devices, options.plain_clients))
    env = {k: v for k, v in os.environ.items() if k not in HERALD_ENVIRONMENT}
    started = []
    for instance in range(count):
        config = os.path.join(workdir, f"config-{instance}.yml")
        with open(config, "w") as f:
            f.write(config_yml(redis_url, instance))
        port_file = os.path.join(workdir, f"herald-{instance}.port")
        argv = [binary, "serve", "--config", config, "--sites", os.path.join(workdir, "sites.yml"), "--port", 0,
                "--port-file", port_file, "--log-level", "warning"]
        launch = Launch(argv, port_in_file(port_file), env)
        log_path = os.path.join(workdir, f"herald-{instance}.log")
        process = children.start(argv, log_path, env=env, cwd=workdir)
        started.append((process, launch, log_path))
    for process, launch, log_path in started:
        wait_until_healthy(process, launch, log_path)
    return started


# ---- Clients -------------------------------------------------------------------------------------------------------


class Fleet:
    """python-socketio clients of one site, spread over the instances; each counts what it receives and answers the
    server's ack requests only once `release` is set (so deliveries and acks can be counted apart)."""

    def __init__(self, urls, site, tokens, with_devices, device_prefix="capacity-device"):
        self.urls = urls
        self.site = site
        self.tokens = tokens
        self.with_devices = with_devices
        self.device_prefix = device_prefix
        self.clients = []
        self.received = 0
        self.acked = 0
        self.release = asyncio.Event()
        self.changed = asyncio.Event()

    def _client(self):
        client = socketio.AsyncClient(reconnection=False)

        async def on_message(*args):
            self.received += 1
            self.changed.set()
            await self.release.wait()
            self.acked += 1
            return "ok"

        client.on(EVENT, on_message, namespace=f"/{self.site}")
        return client

    async def connect(self, concurrency=50):
        gate = asyncio.Semaphore(concurrency)

        async def one(index, token):
            client = self._client()
            query = f"token={token}" + (f"&deviceId={self.device_prefix}-{index:06d}" if self.with_devices else "")
            async with gate:
                await client.connect(f"{self.urls[index % len(self.urls)]}?{query}", namespaces=[f"/{self.site}"],
                                     transports=["websocket"], wait_timeout=30)
            return client

        self.clients = await asyncio.gather(*(one(i, token) for i, token in enumerate(self.tokens)))

    async def wait_received(self, count, timeout=120):
        deadline = time.monotonic() + timeout
        while self.received < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.site}: {self.received} of {count} deliveries after {timeout} s")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), 1)
            except asyncio.TimeoutError:
                pass

    def hold_acks(self):
        self.release.clear()

    async def release_acks(self, expected, timeout=60):
        self.release.set()
        deadline = time.monotonic() + timeout
        while self.acked < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def disconnect(self):
        await asyncio.gather(*(client.disconnect() for client in self.clients))
        self.clients = []


async def send_all(session, urls, site, api_key, rooms_list, concurrency=4):
    """POSTs one /send per entry of `rooms_list`, `concurrency` at a time, spread over the instances."""
    queue = asyncio.Queue()
    for at, rooms in enumerate(rooms_list):
        queue.put_nowait((at, rooms))

    async def worker():
        while not queue.empty():
            at, rooms = queue.get_nowait()
            body = {"rooms": rooms, "event": EVENT, "args": [{"n": at, "text": "x" * 100}]}
            async with session.post(f"{urls[at % len(urls)]}/send", params={"site": site, "apiKey": api_key},
                                    json=body) as response:
                if response.status != 200:
                    raise RuntimeError(f"/send answered {response.status}: {await response.text()}")
                await response.read()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


# ---- Phases --------------------------------------------------------------------------------------------------------


class Meter:
    """Counts a phase: the counters' difference minus the baseline's rate over its duration."""

    def __init__(self, counters):
        self.counters = counters
        self.background = None  # Counters per second
        self.phases = {}

    def start(self):
        return self.counters.snapshot()

    def stop(self, name, begun, units, unit):
        (before, t0), (after, t1) = begun, self.counters.snapshot()
        raw = after - before
        background = self.background.scaled(t1 - t0) if self.background else Counters()
        self.phases[name] = {"unit": unit, "units": units, "seconds": round(t1 - t0, 2), "raw": raw,
                             "net": raw - background}
        return self.phases[name]

    async def settle(self, slack_commands=2):
        """Waits until Redis runs no more than the baseline's commands for QUIET_SECONDS (work a phase set off,
        such as acks or disconnects, has reached Redis)."""
        rate = self.background.commands if self.background else 0.0
        last, at = self.counters.snapshot()
        quiet_since = at
        deadline = at + SETTLE_LIMIT_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(0.25)
            now, t = self.counters.snapshot()
            if now.commands - last.commands > rate * (t - at) + slack_commands:
                quiet_since = t
            last, at = now, t
            if t - quiet_since >= QUIET_SECONDS:
                return


async def warm_up(urls, session):
    """Runs every path once on devices of their own (not in the measured rooms), so each Lua script is cached in
    Redis before the measurement: a script's first calls get NOSCRIPT and are sent again in full with EVAL, all of
    them when many run at once."""
    warm = Fleet(urls, USER_SITE, [warmup_token(i) for i in range(DEVICES_PER_USER)], with_devices=True,
                 device_prefix="capacity-warmup-device")
    warm.release.set()
    await warm.connect()
    for rooms in ([WARMUP_USER_ROOM], [WARMUP_ROOM]):
        expected = warm.received + DEVICES_PER_USER  # before sending: the deliveries may arrive before the answer
        await send_all(session, urls, USER_SITE, USER_KEY, [rooms], concurrency=1)
        await warm.wait_received(expected)
    await warm.release_acks(warm.received)
    await warm.disconnect()


async def measure(urls, counters, options, log):
    meter = Meter(counters)
    async with aiohttp.ClientSession() as session:
        log("  warming up: every script once")
        await warm_up(urls, session)
    await meter.settle()
    begun = meter.start()
    await asyncio.sleep(options.baseline_seconds)
    base = meter.stop("baseline", begun, options.baseline_seconds, "second")
    meter.background = base["raw"].scaled(1 / base["seconds"])

    devices = Fleet(urls, USER_SITE, [user_token(i) for i in range(options.devices)], with_devices=True)
    plain = Fleet(urls, PLAIN_SITE, [plain_token(i) for i in range(options.plain_clients)], with_devices=False)
    users = options.devices // DEVICES_PER_USER
    async with aiohttp.ClientSession() as session:
        log(f"  connecting {options.devices} devices")
        begun = meter.start()
        await devices.connect()
        await meter.settle()
        meter.stop("connect", begun, options.devices, "device connect")

        log(f"  idle for {options.idle_seconds} s")
        begun = meter.start()
        await asyncio.sleep(options.idle_seconds)
        meter.stop("idle", begun, options.devices * options.idle_seconds / 60, "connected device per minute")

        log(f"  {options.user_sends} sends to user rooms of {DEVICES_PER_USER} devices")
        devices.hold_acks()
        begun = meter.start()
        await send_all(session, urls, USER_SITE, USER_KEY, [[f"user_{n % users}"] for n in range(options.user_sends)])
        await devices.wait_received(options.user_sends * DEVICES_PER_USER)
        await meter.settle()
        meter.stop("user send", begun, options.user_sends, "/send to a user room (2 devices)")
        begun = meter.start()
        await devices.release_acks(devices.received)
        await meter.settle()
        meter.stop("user ack", begun, devices.received, "ack")

        log(f"  {options.room_sends} sends to a room of {options.devices} devices")
        devices.hold_acks()
        delivered_before, acked_before = devices.received, devices.acked
        begun = meter.start()
        await send_all(session, urls, USER_SITE, USER_KEY, [[SHARED_ROOM]] * options.room_sends)
        await devices.wait_received(delivered_before + options.room_sends * options.devices)
        await meter.settle()
        meter.stop("room send", begun, options.room_sends, f"/send to a room of {options.devices} devices")
        begun = meter.start()
        await devices.release_acks(devices.received)
        await meter.settle()
        meter.stop("room ack", begun, devices.acked - acked_before, "ack")

        log(f"  {options.plain_clients} plain clients, {options.plain_sends} broadcasts")
        plain.release.set()
        await plain.connect()
        await meter.settle()
        begun = meter.start()
        await send_all(session, urls, PLAIN_SITE, PLAIN_KEY, [[SHARED_ROOM]] * options.plain_sends)
        await plain.wait_received(options.plain_sends * options.plain_clients)
        await meter.settle()
        meter.stop("plain send", begun, options.plain_sends,
                   f"/send to a room of {options.plain_clients} plain sockets")
        await plain.disconnect()

        log("  disconnecting the devices")
        await meter.settle()
        begun = meter.start()
        await devices.disconnect()
        await meter.settle()
        meter.stop("disconnect", begun, options.devices, "device disconnect")
    return meter.phases


# ---- Output --------------------------------------------------------------------------------------------------------


def per_unit(phase):
    net, units = phase["net"], phase["units"] or 1
    calls = {name: round(count / units, 3) for name, count in sorted(net.calls.items()) if abs(count / units) >= 0.005}
    return {
        "unit": phase["unit"],
        "units": phase["units"],
        "seconds": phase["seconds"],
        "commands": round(net.commands / units, 3),
        "script_calls": round((net.calls.get("evalsha", 0) + net.calls.get("eval", 0)) / units, 3),
        "bytes_in": round(net.bytes_in / units, 1),
        "bytes_out": round(net.bytes_out / units, 1),
        "replication_bytes_out": round(net.repl_out / units, 1),
        "calls": calls,
        "raw_commands": phase["raw"].commands,
    }


def markdown(results):
    lines = []
    for configuration in results["configurations"]:
        lines += [f"### {configuration['store']}, {configuration['instances']} instance(s)", "",
                  "| per | Redis commands | of which script calls | bytes into Redis | bytes out of Redis | "
                  "commands (calls per unit) |", "|---|---|---|---|---|---|"]
        for name, row in configuration["phases"].items():
            top = sorted(row["calls"].items(), key=lambda item: -abs(item[1]))[:8]
            detail = ", ".join(f"{command} {count:g}" for command, count in top)
            lines.append(f"| {name}: {row['unit']} | {row['commands']:,.2f} | {row['script_calls']:,.2f} | "
                         f"{row['bytes_in']:,.0f} | {row['bytes_out']:,.0f} | {detail} |")
        lines.append("")
    return "\n".join(lines)


def parse_options(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=".build/release", help="where the herald binary is")
    p.add_argument("--instances", default="1,3", help="Herald instance counts, one measurement each")
    p.add_argument("--redis-cluster", action="store_true",
                   help="a Redis Cluster (3 masters, 3 replicas; redis+cluster:// URL) instead of one redis-server; "
                        "INFO is summed over the masters")
    p.add_argument("--devices", type=int, default=200, help="user devices (two per user)")
    p.add_argument("--plain-clients", type=int, default=200, help="sockets of the plain site's room")
    p.add_argument("--user-sends", type=int, default=200)
    p.add_argument("--room-sends", type=int, default=20)
    p.add_argument("--plain-sends", type=int, default=100)
    p.add_argument("--idle-seconds", type=float, default=60.0, help="long enough for the periodic work to show")
    p.add_argument("--baseline-seconds", type=float, default=20.0)
    p.add_argument("--json", help="default bench/results/capacity/<store>.json (store: redis or redis-cluster)")
    p.add_argument("--markdown", help="default bench/results/capacity/<store>.md")
    options = p.parse_args(argv)
    store = "redis-cluster" if options.redis_cluster else "redis"
    options.json = options.json or os.path.join("bench", "results", "capacity", f"{store}.json")
    options.markdown = options.markdown or os.path.join("bench", "results", "capacity", f"{store}.md")
    options.instance_counts = [int(n) for n in options.instances.split(",") if n.strip()]
    if options.devices < DEVICES_PER_USER or options.devices % DEVICES_PER_USER:
        p.error(f"--devices must be a positive multiple of {DEVICES_PER_USER}")
    return options


def at_root(path):
    return path if os.path.isabs(path) else os.path.join(ROOT, path)


def run_configuration(children, binary, options, instances, workdir, log):
    if options.redis_cluster:
        cluster = redis_server.start_cluster(children, workdir, 0)
        url, ports, processes = cluster.url, [node.port for node in cluster.masters()], cluster.processes
    else:
        redis = redis_server.start(children, workdir, 0)
        url, ports, processes = redis.url, [redis.port], [redis.process]
    heralds = []
    try:
        heralds = start_heralds(children, binary, workdir, url, instances, options)
        urls = [launch.url for _, launch, _ in heralds]
        counters = RedisCounters(ports)
        try:
            phases = asyncio.run(measure(urls, counters, options, log))
        finally:
            counters.close()
        for process, _, log_path in heralds:
            if process.poll() is not None:
                raise ProcessError(f"herald exited during the measurement:\n{tail(log_path)}")
        return {"store": "Redis Cluster (3 masters, 3 replicas)" if options.redis_cluster else "one redis-server",
                "instances": instances, "redis_url": url,
                "phases": {name: per_unit(phase) for name, phase in phases.items()}}
    finally:
        for process, _, _ in heralds:
            children.stop(process)
        for process in processes:
            children.stop(process)


def main(argv=None):
    options = parse_options(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()

    def log(text):
        print(f"[capacity {time.monotonic() - started:6.1f}s] {text}", flush=True)

    raise_file_limit()
    binary = os.path.join(at_root(options.build_dir), "herald")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} is missing: swift build -c release --product herald")
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "command": " ".join(sys.argv),
               "devices": options.devices, "devices_per_user": DEVICES_PER_USER, "configurations": []}
    with Children() as children:
        for instances in options.instance_counts:
            log(f"{instances} instance(s) on {'a Redis Cluster' if options.redis_cluster else 'one redis-server'}")
            with tempfile.TemporaryDirectory(prefix="herald-capacity-") as workdir:
                results["configurations"].append(run_configuration(children, binary, options, instances, workdir, log))
    os.makedirs(os.path.dirname(at_root(options.json)), exist_ok=True)
    with open(at_root(options.json), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    table = markdown(results)
    with open(at_root(options.markdown), "w") as f:
        f.write(table)
    print(table)
    log(f"wrote {options.json} and {options.markdown}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ProcessError as error:  # a server that did not start: its log says why
        raise SystemExit(f"bench/capacity.py: {error}")
