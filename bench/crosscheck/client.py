#!/usr/bin/env python3
"""A second load generator for Herald, written apart from herald-bench to cross-check its numbers.

It speaks Engine.IO v4 and Socket.IO v5 over aiohttp's WebSocket client (its own handshake checks, frame parser and
masking), parses every packet as JSON, and posts `/send` with aiohttp's HTTP client: none of herald-bench's code and
no Socket.IO library. It follows herald-bench's conventions so the two measure the same thing: client i uses the
token `bench-token-%010d` and device `bench-device-%010d`, every message's first argument is
`{"seq":N,"t":<µs since epoch>,"pad":"x…"}`, deliveries are counted per (client, seq), and the JSON report has
herald-bench's schema and result names (docs/benchmarking.md). Where it differs on purpose: the token travels in the
namespace CONNECT's auth payload (`40/<site>,{"token":…}`) rather than the query, `/send` is authenticated by the
Bearer header only, and everything runs in one process on one event loop (uvloop when installed).

    client.py fanout --url http://127.0.0.1:1337 --clients 1000 --messages 100 --server-pid PID --json out.json
    client.py reliable --url http://127.0.0.1:1337 --clients 1000 --messages 100 --rate 200 --server-pid PID

Besides herald-bench's results it reports its own CPU time (`client_cpu_s`, `client_cpu_share` of the measured
window) and how long it waited for a CPU while runnable (`client_runqueue_wait_s`); `client_busy_share`, both over
the window, near 1 means the client, not the server, set the pace. It also splits the server's CPU per delivery into
user and system time.
"""

import argparse
import asyncio
import gc
import json
import math
import os
import resource
import sys
import time
from dataclasses import dataclass, field

try:
    import aiohttp
except ImportError:
    sys.exit(f"client.py needs aiohttp, which {sys.executable} lacks: "
             "pip install -r bench/crosscheck/requirements.txt into a virtualenv and run client.py with its python")

GENERATOR = "crosscheck-python"


def wall_micros():
    return time.time_ns() // 1000


@dataclass
class ServerSample:
    """The server's CPU time (user + system) and resident memory, from /proc/<pid>."""

    cpu_micros: float
    rss_kib: float
    user_micros: float = 0.0
    system_micros: float = 0.0

    @staticmethod
    def read(pid):
        if pid is None:
            return None
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
        except OSError:
            return None
        fields = stat[stat.rindex(")") + 2:].split()  # fields from 3 (state) on: utime is 14, stime 15
        ticks = os.sysconf("SC_CLK_TCK")
        rss = next((float(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)
        user, system = int(fields[11]) / ticks * 1e6, int(fields[12]) / ticks * 1e6
        return ServerSample(user + system, rss, user, system)


def own_cpu_seconds():
    """This process's user + system CPU time (at nanosecond resolution, not clock ticks)."""
    return time.process_time()


def own_runqueue_wait_seconds():
    """How long the event loop's thread waited for a CPU while runnable (/proc/self/schedstat, 0 when absent): on
    a shared core a client can be the bottleneck while using little CPU itself."""
    try:
        with open("/proc/self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass
class Ledger:
    """Every receipt of every client: distinct (client, seq) pairs, repeats, latencies of live messages."""

    seen: dict = field(default_factory=dict)
    unique: int = 0
    duplicated: int = 0
    batched: int = 0
    malformed: int = 0
    acked: int = 0
    dropped: int = 0
    latencies_us: list = field(default_factory=list)
    last_receipt_micros: int = 0
    wire_bytes: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int | None = None

    def record(self, client, argument, batch, acked, now):
        seq = argument.get("seq") if isinstance(argument, dict) else None
        if not isinstance(seq, int):
            self.malformed += 1
            return
        seen = self.seen.setdefault(client, set())
        if seq in seen:
            self.duplicated += 1
        else:
            seen.add(seq)
            self.unique += 1
            if acked:
                self.acked += 1
            if self.expected is not None and self.unique >= self.expected:
                self.complete.set()
        if batch:
            self.batched += 1
        elif isinstance(argument.get("t"), int):
            self.latencies_us.append(max(0, now - argument["t"]))
        self.last_receipt_micros = max(self.last_receipt_micros, now)

    def expect(self, count):
        self.expected = count
        if self.unique >= count:
            self.complete.set()


class JoinFailure(Exception):
    pass


class Client:
    """One Engine.IO v4 / Socket.IO v5 client on a WebSocket: joins the namespace, answers pings, acks, counts."""

    def __init__(self, index, options, ledger):
        self.index = index
        self.options = options
        self.ledger = ledger
        self.namespace = f"/{options.site}"
        self.socket = None
        self.joined = asyncio.get_running_loop().create_future()
        self.reader = None

    async def connect(self, session):
        query = {"EIO": "4", "transport": "websocket", "deviceId": self.options.device_format % self.index}
        url = self.options.url.replace("http://", "ws://", 1).rstrip("/") + "/socket.io/"
        self.socket = await session.ws_connect(url, params=query, autoping=True, heartbeat=None, compress=0,
                                               timeout=aiohttp.ClientWSTimeout(ws_close=2))
        self.reader = asyncio.create_task(self.read())
        await asyncio.wait_for(asyncio.shield(self.joined), self.options.join_timeout)

    async def read(self):
        try:
            async for message in self.socket:
                if message.type == aiohttp.WSMsgType.TEXT:
                    self.ledger.wire_bytes += frame_size(len(message.data.encode()))
                    await self.handle(message.data)
        except (aiohttp.ClientError, ConnectionError):
            pass
        if not self.joined.done():
            self.joined.set_exception(JoinFailure("closed before joining"))
        elif not self.joined.cancelled() and self.joined.exception() is None and not self.options.closing:
            self.ledger.dropped += 1

    async def handle(self, text):
        kind = text[:1]
        if kind == "2":
            await self.socket.send_str("3")
        elif kind == "0":
            auth = json.dumps({"token": self.options.token_format % self.index})
            await self.socket.send_str(f"40{self.namespace},{auth}")
        elif kind == "4":
            await self.socket_packet(text)

    async def socket_packet(self, text):
        packet_type = text[1:2]
        body = text[2:]
        if body.startswith("/"):
            namespace, _, body = body.partition(",")
            if namespace != self.namespace:
                return
        if packet_type == "0":
            if not self.joined.done():
                self.joined.set_result(None)
        elif packet_type == "4":
            if not self.joined.done():
                self.joined.set_exception(JoinFailure(f"refused: {body}"))
        elif packet_type == "1":
            await self.socket.close()
        elif packet_type == "2":
            await self.event(body)

    async def event(self, body):
        """Counts a `42` packet's bench stamps (one, or one per queued message in a `_batch`) and acks it."""
        digits = 0
        while digits < len(body) and body[digits].isdigit():
            digits += 1
        ack_id = body[:digits]
        try:
            event = json.loads(body[digits:])
        except ValueError:
            self.ledger.malformed += 1
            return
        now = wall_micros()
        name = event[0] if event and isinstance(event[0], str) else None
        if name == self.options.event:
            self.ledger.record(self.index, event[1] if len(event) > 1 else None, False, bool(ack_id), now)
        elif name == "_batch" and len(event) > 1 and isinstance(event[1], list):
            for entry in event[1]:
                if isinstance(entry, list) and entry and entry[0] == self.options.event:
                    self.ledger.record(self.index, entry[1] if len(entry) > 1 else None, True, bool(ack_id), now)
        if ack_id:
            await self.socket.send_str(f"43{self.namespace},{ack_id}[]")

    async def close(self):
        if not self.joined.done():
            self.joined.cancel()
        if self.socket is not None and not self.socket.closed:
            await self.socket.close()
        if self.reader is not None:
            await self.reader


async def connect_all(options, ledger, session):
    """Connects clients 0..<count, at most `connect_concurrency` setting up at a time. Returns (joined clients,
    failures by reason)."""
    clients, failures = [], {}
    slots = asyncio.Semaphore(options.connect_concurrency)

    async def join(index):
        async with slots:
            client = Client(index, options, ledger)
            try:
                await client.connect(session)
                clients.append(client)
            except (JoinFailure, aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
                reason = str(error) if isinstance(error, JoinFailure) else f"connect: {type(error).__name__} {error}"
                failures[reason] = failures.get(reason, 0) + 1
                await client.close()

    await asyncio.gather(*(join(i) for i in range(options.clients)))
    return clients, failures


def message_body(options, seq):
    """The `/send` body for message `seq`, padded as herald-bench pads it."""
    head = f'{{"seq":{seq},"t":{wall_micros()}'
    padding = max(0, options.payload_bytes - len(head) - 10)
    argument = f'{head},"pad":"{"x" * padding}"}}' if padding > 0 else head + "}"
    return f'{{"rooms":["{options.room}"],"event":"{options.event}","args":[{argument}]}}'


async def post_all(options, session):
    """Posts `messages` bodies over `concurrency` keep-alive connections, paced to `rate` per second (0: as fast as
    the server answers). Returns (accepted seqs, failures by reason, start µs, seconds)."""
    accepted, failures = [], {}
    next_seq = iter(range(options.messages))
    url = options.url.rstrip("/") + "/send"
    headers = {"Authorization": f"Bearer {options.api_key}", "Content-Type": "application/json"}
    params = {"site": options.site}
    start_micros, started = wall_micros(), time.monotonic()

    async def worker():
        for seq in next_seq:
            if options.rate > 0:
                delay = started + seq / options.rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            try:
                async with session.post(url, params=params, data=message_body(options, seq), headers=headers) as answer:
                    await answer.read()
                    if answer.status == 200:
                        accepted.append(seq)
                    else:
                        failures[f"HTTP {answer.status}"] = failures.get(f"HTTP {answer.status}", 0) + 1
            except (aiohttp.ClientError, OSError) as error:
                failures[str(error)] = failures.get(str(error), 0) + 1

    await asyncio.gather(*(worker() for _ in range(max(1, options.concurrency))))
    return accepted, failures, start_micros, time.monotonic() - started


async def wait_for_deliveries(ledger, expected, quiet_seconds):
    """Until `expected` distinct deliveries arrived, or none arrived for `quiet_seconds`."""
    ledger.expect(expected)
    last, quiet_since = -1, time.monotonic()
    while not ledger.complete.is_set():
        if ledger.unique != last:
            last, quiet_since = ledger.unique, time.monotonic()
        elif time.monotonic() - quiet_since > quiet_seconds:
            return
        try:
            await asyncio.wait_for(ledger.complete.wait(), 0.02)
        except asyncio.TimeoutError:
            pass


def frame_size(payload_length):
    """The bytes of an unmasked server WebSocket frame carrying `payload_length` bytes (RFC 6455 §5.2): what
    herald-bench counts as wire bytes; this client never negotiates compression."""
    if payload_length < 126:
        return 2 + payload_length
    if payload_length < 65536:
        return 4 + payload_length
    return 10 + payload_length


def percentile(sorted_values, share):
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(share * len(sorted_values)) - 1))]


async def run(options):
    raise_file_limit()
    ledger = Ledger()
    ws_connector = aiohttp.TCPConnector(limit=0, force_close=True)
    send_connector = aiohttp.TCPConnector(limit=max(1, options.concurrency))
    async with aiohttp.ClientSession(connector=ws_connector) as ws_session, \
            aiohttp.ClientSession(connector=send_connector) as send_session:
        before_connect = ServerSample.read(options.server_pid)
        clients, join_failures = await connect_all(options, ledger, ws_session)
        if not clients:
            raise SystemExit(f"no client joined: {join_failures}")
        gc.freeze()  # the clients' objects live to the end: keep the collector off them while measuring
        gc.disable()
        before_send = ServerSample.read(options.server_pid)
        wire_before = ledger.wire_bytes
        cpu_before, wait_before = own_cpu_seconds(), own_runqueue_wait_seconds()
        accepted, send_failures, start_micros, send_seconds = await post_all(options, send_session)
        expected = len(accepted) * len(clients)
        await wait_for_deliveries(ledger, expected, options.drain_seconds)
        after_send = ServerSample.read(options.server_pid)
        client_cpu = own_cpu_seconds() - cpu_before
        client_wait = own_runqueue_wait_seconds() - wait_before
        gc.enable()
        options.closing = True
        await asyncio.gather(*(client.close() for client in clients))

    joined = len(clients)
    lost = max(0, expected - ledger.unique)
    window = max((ledger.last_receipt_micros - start_micros) / 1e6, 1e-9)
    latencies = sorted(ledger.latencies_us)
    results = {
        "clients_joined": joined,
        "sends_accepted": len(accepted),
        "sends_per_s": len(accepted) / max(send_seconds, 1e-9),
        "expected": expected,
        "delivered": ledger.unique,
        "lost": lost,
        "duplicated": ledger.duplicated,
        "redelivered_after_reconnect": 0,
        "delivered_in_batch": ledger.batched,
        "malformed": ledger.malformed,
        "window_s": window,
        "deliveries_per_s": ledger.unique / window,
        "latency_p50_ms": percentile(latencies, 0.50) / 1000,
        "latency_p90_ms": percentile(latencies, 0.90) / 1000,
        "latency_p99_ms": percentile(latencies, 0.99) / 1000,
        "latency_max_ms": (latencies[-1] if latencies else 0) / 1000,
        "clients_dropped": ledger.dropped,
        "client_cpu_s": client_cpu,
        "client_cpu_share": client_cpu / window,
        "client_runqueue_wait_s": client_wait,
        "client_busy_share": (client_cpu + client_wait) / window,
    }
    if ledger.unique:
        results["client_cpu_us_per_delivery"] = client_cpu * 1e6 / ledger.unique
    if options.scenario == "reliable":
        results["acked_deliveries_per_s"] = ledger.acked / window
        results["clients_dropped_on_purpose"] = 0
        results["clients_dropped_by_server"] = ledger.dropped
    if before_send and after_send and ledger.unique:
        for key, attribute in (("cpu", "cpu_micros"), ("user", "user_micros"), ("system", "system_micros")):
            spent = getattr(after_send, attribute) - getattr(before_send, attribute)
            results[f"server_{key}_us_per_delivery"] = spent / ledger.unique
    if options.scenario == "fanout" and ledger.unique:
        results["client_wire_bytes_per_delivery"] = (ledger.wire_bytes - wire_before) / ledger.unique
    if options.scenario == "fanout" and before_connect and before_send:
        results["server_kib_per_connection"] = (before_send.rss_kib - before_connect.rss_kib) / joined
    report = {
        "scenario": options.scenario,
        "server": options.url,
        "parameters": parameters(options),
        "results": results,
        "failures": {**join_failures, **send_failures},
    }
    return report, lost > 0 or ledger.duplicated > 0 or joined < options.clients


def parameters(options):
    shown = {"clients": options.clients, "room": options.room, "messages": options.messages, "rate": options.rate,
             "concurrency": options.concurrency, "payload_bytes": options.payload_bytes, "site": options.site,
             "client": "socketio", "generator": GENERATOR, "event_loop": options.loop_name}
    if options.scenario == "reliable":
        shown.update({"drop_share": 0.0, "offline_ms": 0})
    return {key: str(value) for key, value in shown.items()}


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def parse_options(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=("fanout", "reliable"))
    parser.add_argument("--url", default="http://127.0.0.1:1337")
    parser.add_argument("--site", default="bench")
    parser.add_argument("--api-key", default="bench-api-key")
    parser.add_argument("--token-format", default="bench-token-%010d")
    parser.add_argument("--device-format", default="bench-device-%010d")
    parser.add_argument("--event", default="bench")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--room", default="all")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.0, help="/send calls per second; 0: as fast as answered")
    parser.add_argument("--concurrency", type=int, default=4, help="/send keep-alive connections")
    parser.add_argument("--payload-bytes", type=int, default=100)
    parser.add_argument("--connect-concurrency", type=int, default=256)
    parser.add_argument("--join-timeout", type=float, default=30.0)
    parser.add_argument("--drain-seconds", type=float, default=10.0)
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--json")
    # herald-bench's flags that the harness passes to either generator: taken, and held to what client.py does.
    parser.add_argument("--loops", type=int, default=1, help="accepted for herald-bench's flags; always one loop")
    parser.add_argument("--drop-share", type=float, default=0.0, help="reliable: only 0 (client.py drops no client)")
    parser.add_argument("--offline-ms", type=int, default=0, help="accepted for herald-bench's flags; unused")
    parser.add_argument("--redis-pid", type=int, help="accepted for herald-bench's flags; Redis is not sampled")
    options = parser.parse_args(argv)
    if options.drop_share != 0:
        parser.error("--drop-share must be 0: client.py does not drop and reconnect clients")
    options.closing = False
    return options


def print_table(report):
    print(f"{GENERATOR} {report['scenario']} against {report['server']}")
    for key in sorted(report["parameters"]):
        print(f"  {key:<28} {report['parameters'][key]}")
    print("  " + "-" * 44)
    for key, value in report["results"].items():
        text = str(int(value)) if float(value).is_integer() else f"{value:.2f}"
        print(f"  {key:<28} {text}")
    for reason, count in sorted(report["failures"].items(), key=lambda item: -item[1]):
        print(f"  failed: {count} × {reason}")


def main(argv=None):
    options = parse_options(argv)
    try:
        import uvloop
        options.loop_name = f"uvloop {uvloop.__version__}"
        runner = uvloop.run
    except ImportError:
        options.loop_name = "asyncio"
        runner = asyncio.run
    report, failed = runner(run(options))
    print_table(report)
    if options.json:
        with open(options.json, "w") as f:
            json.dump(report, f, indent=2, sort_keys=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
