"""Turns herald-bench reports into measurements (the median over rounds), ratios over interleaved pairs and
verdicts on Herald's targets. Pure functions over plain dicts, so the summary JSON can be re-read and re-rendered."""

import statistics
from dataclasses import dataclass

FLOOR = "floor"
HERALD = "herald"
SOCKETIO = "socketio"
CENTRIFUGO_IDLE_US = (2.0, 4.7)  # Centrifugo's published server CPU µs per idle connection per second


def client_of(measurement):
    """The client protocol of a measurement (summaries written before there was a choice: Socket.IO)."""
    return measurement.get("client", SOCKETIO)


def median_results(reports):
    """The median of every numeric result over `reports` (herald-bench JSON dicts); a key missing from some rounds
    takes the median of the rounds that have it."""
    keys = []
    for report in reports:
        for key in report.get("results", {}):
            if key not in keys:
                keys.append(key)
    return {key: statistics.median([r["results"][key] for r in reports if key in r.get("results", {})]) for key in keys}


def merged_failures(reports):
    """Failed connections by reason, summed over rounds."""
    total = {}
    for report in reports:
        for reason, count in report.get("failures", {}).items():
            total[reason] = total.get(reason, 0) + count
    return total


def find(measurements, server, scenario, clients=None, client=SOCKETIO, **attributes):
    """The measurement of `server` in `scenario` (at `clients`, when given; with the given `attributes`, such as
    payload_bytes) with `client` protocol clients that produced results, else None."""
    for m in measurements:
        if m["server"] == server and m["scenario"] == scenario and (clients is None or m["clients"] == clients):
            if client_of(m) == client and m.get("results") and all(m.get(k) == v for k, v in attributes.items()):
                return m
    return None


def round_values(measurement, key):
    """`key` in each round of `measurement`, None where the round has no result."""
    rounds = measurement.get("round_results") or [measurement.get("results")]
    return [(r or {}).get(key) for r in rounds]


@dataclass(frozen=True)
class Ratio:
    """A ratio over interleaved pairs: its median, lowest and highest pair, and how many pairs."""

    median: float
    low: float
    high: float
    pairs: int

    def text(self, unit="×", digits=2):
        spread = f"{self.low:.{digits}f}–{self.high:.{digits}f}"
        return f"{self.median:.{digits}f}{unit} ({spread}, {self.pairs} pair{'s' if self.pairs != 1 else ''})"


def pair_ratios(numerator, denominator, key, denominator_key=None):
    """`numerator`'s `key` over `denominator`'s (`denominator_key`, by default the same) round by round: the
    rounds were interleaved, so round i of one and round i of the other form a pair."""
    top = round_values(numerator, key)
    bottom = round_values(denominator, denominator_key or key)
    return [a / b for a, b in zip(top, bottom) if a is not None and b]


def summarize_ratios(ratios):
    """The `Ratio` of a list of pair ratios, or None when there is none."""
    if not ratios:
        return None
    return Ratio(statistics.median(ratios), min(ratios), max(ratios), len(ratios))


def ratio(numerator, denominator, key, denominator_key=None):
    if not numerator or not denominator:
        return None
    return summarize_ratios(pair_ratios(numerator, denominator, key, denominator_key))


def floor_ratio(measurements, server, clients, key="server_cpu_us_per_delivery", client=SOCKETIO, scenario="fanout",
                **attributes):
    """`server`'s `key` at `clients` with `client` protocol clients divided by the floor's (Socket.IO, the only
    protocol it speaks) in the same run and scenario: the median over interleaved pairs, or None."""
    summary = ratio(find(measurements, server, scenario, clients, client, **attributes),
                    find(measurements, FLOOR, scenario, clients, **attributes), key)
    return summary.median if summary else None


@dataclass(frozen=True)
class Target:
    """One of Herald's performance targets."""

    title: str
    limit: str


@dataclass(frozen=True)
class Verdict:
    target: Target
    status: str  # "met", "missed", "not measured" or "reported" (a figure without a limit)
    measured: str

    def as_dict(self):
        return {"target": self.target.title, "limit": self.target.limit, "status": self.status, "measured": self.measured}


MET, MISSED, NOT_MEASURED, REPORTED = "met", "missed", "not measured", "reported"


def delivery_problems(measurement):
    """Why a delivery measurement cannot count (lost or duplicated messages in any round), or ''."""
    lost = sum(int(v or 0) for v in round_values(measurement, "lost"))
    duplicated = sum(int(v or 0) for v in round_values(measurement, "duplicated"))
    problems = []
    if lost:
        problems.append(f"{lost:,} lost")
    if duplicated:
        problems.append(f"{duplicated:,} duplicated")
    return ", ".join(problems)


def judged(target, summary, met, measured, problems=""):
    if problems:
        return Verdict(target, MISSED, f"{measured}; {problems}")
    return Verdict(target, MET if met(summary.median) else MISSED, measured)


def fanout_cpu_verdict(measurements, clients, limit, floor_skipped, scenario="fanout", senders="4 senders"):
    target = Target(f"Fan-out server CPU per delivery, {clients:,} clients, {senders}", f"≤ {limit}× floor")
    if floor_skipped:
        return Verdict(target, NOT_MEASURED, f"floor skipped: {floor_skipped}")
    herald = find(measurements, HERALD, scenario, clients)
    floor = find(measurements, FLOOR, scenario, clients)
    if not herald or not floor:
        return Verdict(target, NOT_MEASURED, f"{scenario} at {clients:,} clients not run for Herald and the floor")
    summary = ratio(herald, floor, "server_cpu_us_per_delivery")
    if summary is None:
        return Verdict(target, NOT_MEASURED, "no server CPU sample")
    a = herald["results"]["server_cpu_us_per_delivery"]
    b = floor["results"]["server_cpu_us_per_delivery"]
    measured = f"{summary.text()}; median {a:.2f} vs {b:.2f} µs"
    problems = delivery_problems(herald)
    return judged(target, summary, lambda r: r <= limit, measured, f"Herald {problems}" if problems else "")


def reliable_rate_verdict(measurements, clients, scenario, limit=0.5):
    dropping = scenario == "reliable-drop"
    what = ", 20 % of devices dropping and reconnecting (0 lost, 0 duplicated)" if dropping else ""
    target = Target(f"Reliable path in memory, acked deliveries/s, {clients:,} devices{what}",
                    f"≥ {limit:.0%} of fan-out deliveries/s")
    reliable = find(measurements, HERALD, scenario, clients)
    fanout = find(measurements, HERALD, "fanout", clients)
    if not reliable or not fanout:
        return Verdict(target, NOT_MEASURED, f"{scenario} or fan-out at {clients:,} clients not run for Herald")
    summary = ratio(reliable, fanout, "acked_deliveries_per_s", "deliveries_per_s")
    if summary is None:
        return Verdict(target, NOT_MEASURED, "no acked deliveries/s in the results (herald-bench too old?)")
    r = reliable["results"]
    measured = (f"{summary.text()}; median {r['acked_deliveries_per_s']:,.0f} vs "
                f"{fanout['results']['deliveries_per_s']:,.0f}/s")
    return judged(target, summary, lambda v: v >= limit, measured, delivery_problems(reliable))


def cost_text(measurement, unit="delivery"):
    r = measurement["results"]
    text = f"Herald {r.get(f'server_cpu_us_per_{unit}', float('nan')):.2f} µs/{unit}"
    if f"redis_cpu_us_per_{unit}" in r:
        text += f", Redis {r[f'redis_cpu_us_per_{unit}']:.2f} µs/{unit}"
    return text


def redis_verdict(measurements, limit=0.5):
    """The issue's figure is Herald's CPU per acked delivery, with Redis's CPU reported apart: Herald's rate on Redis
    is 1 / its CPU per acked delivery, so the ratio is in-memory CPU ÷ Redis-backed CPU per pair. The wall-clock
    rate ratio is shown beside it (Redis shares the server's one core, so its own CPU slows that rate too)."""
    target = Target("Reliable path on Redis, acked deliveries per µs of Herald's CPU", f"≥ {limit:.0%} of in memory")
    redis = find(measurements, HERALD, "reliable-redis")
    memory = redis and find(measurements, HERALD, "reliable", redis["clients"])
    if not redis or not memory:
        return Verdict(target, NOT_MEASURED, "reliable-redis and reliable (same size) not both run")
    summary = ratio(memory, redis, "server_cpu_us_per_delivery")
    if summary is None:
        return Verdict(target, NOT_MEASURED, "no server CPU per acked delivery in the results")
    wall = ratio(redis, memory, "acked_deliveries_per_s")
    wall_text = f"; acked deliveries/s {wall.median:.2f}× in memory with Redis on the same core" if wall else ""
    measured = (f"{summary.text()} at {redis['clients']:,} devices; {cost_text(redis)} vs in memory "
                f"{memory['results'].get('server_cpu_us_per_delivery', float('nan')):.2f} µs{wall_text}")
    return judged(target, summary, lambda v: v >= limit, measured, delivery_problems(redis))


def cluster_verdict(measurements, limit=1.3):
    target = Target("Fan-out on several instances sharing one Redis, server CPU per delivery (all instances)",
                    f"≤ {limit}× one instance on Redis")
    cluster = find(measurements, HERALD, "cluster-fanout")
    single = cluster and find(measurements, HERALD, "redis-fanout", cluster["clients"])
    if not cluster or not single:
        return Verdict(target, NOT_MEASURED, "cluster not run")
    summary = ratio(cluster, single, "server_cpu_us_per_delivery")
    if summary is None:
        return Verdict(target, NOT_MEASURED, "no server CPU sample")
    measured = (f"{summary.text()}, {cluster['instances']} instances, {cluster['clients']:,} clients; "
                f"{cost_text(cluster)} vs {cost_text(single)}")
    return judged(target, summary, lambda v: v <= limit, measured, delivery_problems(cluster))


def cluster_reliable_report(measurements):
    target = Target("Reliable path on several instances sharing one Redis, server CPU per acked delivery",
                    "reported (× one instance on Redis)")
    cluster = find(measurements, HERALD, "cluster-reliable")
    single = cluster and find(measurements, HERALD, "reliable-redis", cluster["clients"])
    if not cluster or not single:
        return Verdict(target, NOT_MEASURED, "cluster not run")
    summary = ratio(cluster, single, "server_cpu_us_per_delivery")
    measured = f"{summary.text() if summary else '—'}; {cost_text(cluster)}"
    problems = delivery_problems(cluster)
    return Verdict(target, MISSED if problems else REPORTED, f"{measured}; {problems}" if problems else measured)


def connect_verdict(measurements, limit=5000.0):
    target = Target("Connect storm through the auth hook", f"≥ {limit:,.0f} connections/s")
    herald = find(measurements, HERALD, "connect")
    if not herald:
        return Verdict(target, NOT_MEASURED, "connect not run for Herald")
    rates = [v for v in round_values(herald, "connections_per_s") if v is not None]
    summary = summarize_ratios(rates)
    failed = sum(int(v or 0) for v in round_values(herald, "failed"))
    cpu = herald["results"].get("server_cpu_us_per_connection")
    measured = (f"{summary.median:,.0f}/s ({summary.low:,.0f}–{summary.high:,.0f}, {summary.pairs} rounds) at "
                f"{herald['clients']:,} clients" + (f"; {cpu:.0f} µs server CPU per connection" if cpu else ""))
    return judged(target, summary, lambda v: v >= limit, measured, f"{failed:,} failed" if failed else "")


def compression_report(measurements):
    target = Target("permessage-deflate, 4 KiB JSON payload: bytes on the wire and server CPU per delivery",
                    "reported (deflate ÷ plain)")
    plain = find(measurements, HERALD, "compression", permessage_deflate=False)
    deflate = find(measurements, HERALD, "compression", permessage_deflate=True)
    if not plain or not deflate:
        return Verdict(target, NOT_MEASURED, "compression not run")
    cpu = ratio(deflate, plain, "server_cpu_us_per_delivery")
    wire = ratio(deflate, plain, "client_wire_bytes_per_delivery")
    measured = f"CPU {cpu.text() if cpu else '—'}; wire bytes {wire.text() if wire else '—'}"
    return Verdict(target, REPORTED, measured)


def idle_verdict(measurements, clients=10000, limit_kib=6.0):
    target = Target(f"RSS per idle WebSocket connection, {clients:,} clients", f"≤ {limit_kib:g} KiB")
    herald = find(measurements, HERALD, "idle", clients)
    if not herald:
        ran = find(measurements, HERALD, "idle")
        why = f"idle ran at {ran['clients']:,} clients" if ran else "idle not run for Herald"
        return Verdict(target, NOT_MEASURED, why)
    kib = herald["results"].get("server_kib_per_connection")
    if kib is None:
        return Verdict(target, NOT_MEASURED, "no server RSS sample")
    values = [v for v in round_values(herald, "server_kib_per_connection") if v is not None]
    measured = f"{kib:.2f} KiB ({min(values):.2f}–{max(values):.2f}, {len(values)} round{'s' if len(values) > 1 else ''})"
    joined, dropped = int(herald["results"].get("joined", 0)), int(herald["results"].get("dropped_while_idle", 0))
    if joined < clients or dropped:
        return Verdict(target, MISSED, f"{measured}; {clients - joined:,} failed to join, {dropped:,} dropped")
    return Verdict(target, MET if kib <= limit_kib else MISSED, measured)


def idle_cpu_report(measurements):
    low, high = CENTRIFUGO_IDLE_US
    target = Target("Server CPU per idle connection per second (heartbeats only)",
                    f"reported (Centrifugo publishes {low}–{high} µs/s)")
    herald = find(measurements, HERALD, "idle")
    value = herald and herald["results"].get("server_cpu_us_per_connection_per_s")
    if value is None:
        return Verdict(target, NOT_MEASURED, "idle not run for Herald, or no CPU sample")
    return Verdict(target, REPORTED, f"{value:.2f} µs/s per connection at {herald['clients']:,} clients")


def payload_report(measurements):
    target = Target("Fan-out with wide payloads, server CPU per delivery", "reported (× floor)")
    parts = []
    for m in measurements:
        if m["server"] == HERALD and m["scenario"] == "payload" and m.get("results"):
            value = floor_ratio(measurements, HERALD, m["clients"], scenario="payload", payload_bytes=m["payload_bytes"])
            size = f"{m['payload_bytes'] / 1024:g} KiB"
            parts.append(f"{size}: {m['results']['server_cpu_us_per_delivery']:.2f} µs"
                         + (f", {value:.2f}× floor" if value else ""))
    if not parts:
        return Verdict(target, NOT_MEASURED, "payload not run")
    return Verdict(target, REPORTED, "; ".join(parts))


def verdicts(measurements, floor_skipped=""):
    """Every target's verdict for the measurements of one run, in the issue's order."""
    return [
        fanout_cpu_verdict(measurements, 1000, 1.1, floor_skipped),
        fanout_cpu_verdict(measurements, 5000, 1.1, floor_skipped),
        fanout_cpu_verdict(measurements, 1000, 1.4, floor_skipped, "fanout-serial", "one /send in flight"),
        fanout_cpu_verdict(measurements, 5000, 1.4, floor_skipped, "fanout-serial", "one /send in flight"),
        reliable_rate_verdict(measurements, 1000, "reliable"),
        reliable_rate_verdict(measurements, 10000, "reliable"),
        reliable_rate_verdict(measurements, 1000, "reliable-drop"),
        reliable_rate_verdict(measurements, 10000, "reliable-drop"),
        redis_verdict(measurements),
        cluster_verdict(measurements),
        cluster_reliable_report(measurements),
        connect_verdict(measurements),
        compression_report(measurements),
        idle_verdict(measurements),
        idle_cpu_report(measurements),
        payload_report(measurements),
    ]
