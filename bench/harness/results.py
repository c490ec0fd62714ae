"""Turns herald-bench reports into measurements (the median over rounds), ratios against the floor server and
verdicts on Herald's targets. Pure functions over plain dicts, so the summary JSON can be re-read and re-rendered."""

import statistics
from dataclasses import dataclass

FLOOR = "floor"
HERALD = "herald"
SOCKETIO = "socketio"


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


def find(measurements, server, scenario, clients=None, client=SOCKETIO):
    """The measurement of `server` in `scenario` (at `clients`, when given) with `client` protocol clients that
    produced results, else None."""
    for m in measurements:
        if m["server"] == server and m["scenario"] == scenario and (clients is None or m["clients"] == clients):
            if client_of(m) == client and m.get("results"):
                return m
    return None


def floor_ratio(measurements, server, clients, key="server_cpu_us_per_delivery", client=SOCKETIO):
    """`server`'s fan-out `key` at `clients` with `client` protocol clients divided by the floor's (Socket.IO, the
    only protocol it speaks) in the same run, or None."""
    mine = find(measurements, server, "fanout", clients, client)
    floor = find(measurements, FLOOR, "fanout", clients)
    if not mine or not floor:
        return None
    a, b = mine["results"].get(key), floor["results"].get(key)
    if a is None or not b:
        return None
    return a / b


@dataclass(frozen=True)
class Target:
    """One of Herald's performance targets."""

    title: str
    limit: str


@dataclass(frozen=True)
class Verdict:
    target: Target
    status: str  # "met", "missed" or "not measured"
    measured: str

    def as_dict(self):
        return {"target": self.target.title, "limit": self.target.limit, "status": self.status, "measured": self.measured}


MET, MISSED, NOT_MEASURED = "met", "missed", "not measured"


def delivery_problems(results):
    """Why a delivery measurement cannot count, or '' when every message arrived exactly once."""
    lost, duplicated = int(results.get("lost", 0)), int(results.get("duplicated", 0))
    problems = []
    if lost:
        problems.append(f"{lost:,} lost")
    if duplicated:
        problems.append(f"{duplicated:,} duplicated")
    return ", ".join(problems)


def fanout_cpu_verdict(measurements, clients, limit, floor_skipped):
    target = Target(f"Fan-out server CPU per delivery, {clients:,} clients in one room", f"≤ {limit}× floor")
    if floor_skipped:
        return Verdict(target, NOT_MEASURED, f"floor skipped: {floor_skipped}")
    herald = find(measurements, HERALD, "fanout", clients)
    floor = find(measurements, FLOOR, "fanout", clients)
    if not herald or not floor:
        return Verdict(target, NOT_MEASURED, f"fan-out at {clients:,} clients not run for Herald and the floor")
    ratio = floor_ratio(measurements, HERALD, clients)
    if ratio is None:
        return Verdict(target, NOT_MEASURED, "no server CPU sample")
    a = herald["results"]["server_cpu_us_per_delivery"]
    b = floor["results"]["server_cpu_us_per_delivery"]
    measured = f"{ratio:.2f}× ({a:.2f} vs {b:.2f} µs)"
    problems = delivery_problems(herald["results"])
    if problems:
        return Verdict(target, MISSED, f"{measured}; Herald {problems}")
    return Verdict(target, MET if ratio <= limit else MISSED, measured)


def latency_verdict(measurements, clients=1000, limit_ms=100.0):
    target = Target(f"Fan-out p99 latency, {clients:,} clients, max rate", f"< {limit_ms:g} ms")
    herald = find(measurements, HERALD, "fanout", clients)
    if not herald:
        return Verdict(target, NOT_MEASURED, f"fan-out at {clients:,} clients not run for Herald")
    p99 = herald["results"]["latency_p99_ms"]
    measured = f"{p99:.1f} ms"
    problems = delivery_problems(herald["results"])
    if problems:
        return Verdict(target, MISSED, f"{measured}; {problems}")
    return Verdict(target, MET if p99 < limit_ms else MISSED, measured)


def idle_verdict(measurements, clients=10000, limit_kib=10.0):
    target = Target(f"RSS per idle WebSocket connection, {clients:,} clients", f"≤ {limit_kib:g} KiB")
    herald = find(measurements, HERALD, "idle", clients)
    if not herald:
        ran = find(measurements, HERALD, "idle")
        why = f"idle ran at {ran['clients']:,} clients" if ran else "idle not run for Herald"
        return Verdict(target, NOT_MEASURED, why)
    kib = herald["results"].get("server_kib_per_connection")
    if kib is None:
        return Verdict(target, NOT_MEASURED, "no server RSS sample")
    measured = f"{kib:.1f} KiB"
    joined, dropped = int(herald["results"].get("joined", 0)), int(herald["results"].get("dropped_while_idle", 0))
    if joined < clients or dropped:
        return Verdict(target, MISSED, f"{measured}; {clients - joined:,} failed to join, {dropped:,} dropped")
    return Verdict(target, MET if kib <= limit_kib else MISSED, measured)


def connect_verdict(measurements, limit=5000.0):
    target = Target("Connect storm through the auth hook", f"≥ {limit:,.0f} connections/s")
    herald = find(measurements, HERALD, "connect")
    if not herald:
        return Verdict(target, NOT_MEASURED, "connect not run for Herald")
    rate = herald["results"]["connections_per_s"]
    failed = int(herald["results"].get("failed", 0))
    measured = f"{rate:,.0f}/s at {herald['clients']:,} clients"
    if failed:
        return Verdict(target, MISSED, f"{measured}; {failed:,} failed")
    return Verdict(target, MET if rate >= limit else MISSED, measured)


def reliable_verdict(measurements):
    target = Target("Reliable path: clients dropping and reconnecting", "0 lost, 0 duplicated")
    herald = find(measurements, HERALD, "reliable")
    if not herald:
        return Verdict(target, NOT_MEASURED, "reliable not run for Herald")
    r = herald["results"]
    lost, duplicated = int(r.get("lost", 0)), int(r.get("duplicated", 0))
    measured = f"{lost:,} lost, {duplicated:,} duplicated of {int(r.get('expected', 0)):,}"
    failed = herald.get("exit_codes") and any(herald["exit_codes"])
    ok = lost == 0 and duplicated == 0 and not failed
    if failed and lost == 0 and duplicated == 0:
        measured += " (herald-bench reported a failure: see the result file)"
    return Verdict(target, MET if ok else MISSED, measured)


def verdicts(measurements, floor_skipped=""):
    """Every target's verdict for the measurements of one run."""
    return [
        fanout_cpu_verdict(measurements, 1000, 1.3, floor_skipped),
        fanout_cpu_verdict(measurements, 5000, 1.3, floor_skipped),
        fanout_cpu_verdict(measurements, 10000, 1.5, floor_skipped),
        latency_verdict(measurements),
        idle_verdict(measurements),
        connect_verdict(measurements),
        reliable_verdict(measurements),
    ]
