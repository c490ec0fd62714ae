"""Renders a run's summary (the dict written to bench/results/summary.json) as BENCHMARKS.md."""

from .results import client_of, floor_ratio
from .servers import CLIENT_LABELS, CLIENT_PROTOCOLS


def number(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def server_label(summary, name):
    return summary["servers"].get(name, {}).get("label", name)


def ran(summary, scenario):
    return [m for m in summary["measurements"] if m["scenario"] == scenario]


def failure_note(m):
    if m.get("error"):
        return f"**failed**: {m['error'].splitlines()[0]}"
    return ""


def client_label(m):
    return CLIENT_LABELS.get(client_of(m), client_of(m))


def fanout_order(m):
    """Rows by client count, Herald first with its client protocols in their usual order, then the others."""
    client = client_of(m)
    position = CLIENT_PROTOCOLS.index(client) if client in CLIENT_PROTOCOLS else len(CLIENT_PROTOCOLS)
    return m["clients"], m["server"] != "herald", m["server"], position


def fanout_section(summary):
    rows = []
    for m in sorted(ran(summary, "fanout"), key=fanout_order):
        r = m.get("results") or {}
        head = [f"{m['clients']:,}", server_label(summary, m["server"]), client_label(m), f"{m['messages']:,}"]
        if not r:
            rows.append(head + [failure_note(m)] + [""] * 7)
            continue
        ratio = floor_ratio(summary["measurements"], m["server"], m["clients"], client=client_of(m))
        rows.append(head + [
            number(r.get("deliveries_per_s")),
            number(r.get("server_cpu_us_per_delivery"), 2),
            "—" if ratio is None else f"{ratio:.2f}×",
            number(r.get("latency_p50_ms"), 1), number(r.get("latency_p99_ms"), 1), number(r.get("latency_max_ms"), 1),
            number(r.get("lost")), number(r.get("duplicated")),
        ])
    o = summary["options"]
    intro = (f"All clients in one room; `POST /send` of a {o['payload_bytes']}-byte payload at max rate over "
             f"{o['send_concurrency']} keep-alive connections, {o['messages']:,} messages, fewer where that would exceed "
             f"{o['max_deliveries']:,} deliveries. Latency is receive time minus send time (it includes "
             "the `/send` round trip and the queueing at max rate). × floor: server CPU per delivery divided by the "
             "floor's (Socket.IO clients) at the same client count, in this run. Herald is measured with each client "
             "protocol it serves (`herald-bench --client`): Socket.IO, plain WebSocket JSON (`/ws/<site>`) and "
             "Server-Sent Events (`/sse/<site>`); the floor and the Python peer with Socket.IO clients.")
    header = ["clients", "server", "client", "messages", "deliveries/s", "server CPU µs/delivery", "× floor", "p50 ms",
              "p99 ms", "max ms", "lost", "duplicated"]
    notes = [f"\n\n{CLIENT_LABELS.get(s['client'], s['client'])} clients of {server_label(summary, s['server'])}: "
             f"not measured — {s['reason']}" for s in summary["skipped"] if s.get("client")]
    chart = f"\n\n![deliveries/s and p99 latency against clients]({summary['chart']})" if summary.get("chart") else ""
    return "## Fan-out\n\n" + intro + "\n\n" + table(header, rows) + "".join(notes) + chart


def connect_section(summary):
    rows = []
    for m in ran(summary, "connect"):
        r = m.get("results") or {}
        if not r:
            rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", failure_note(m), "", ""])
            continue
        rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", number(r.get("connections_per_s")),
                     number(r.get("server_cpu_us_per_connection"), 1), number(r.get("failed"))])
    intro = ("A storm of WebSocket connections, at most 256 setting up at once; each is admitted through the site's "
             "auth hook: a stub `authUrl` inside herald-bench (on the load generator's core) answering every "
             "`GET` with `200 [\"all\"]`.")
    return "## Connect storm through the auth hook\n\n" + intro + "\n\n" + table(
        ["server", "clients", "connections/s", "server CPU µs/connection", "failed"], rows)


def idle_section(summary):
    rows = []
    for m in ran(summary, "idle"):
        r = m.get("results") or {}
        if not r:
            rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", failure_note(m), "", ""])
            continue
        rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", number(r.get("server_kib_per_connection"), 1),
                     number(r.get("server_rss_after_kib", 0) / 1024, 1), number(r.get("dropped_while_idle"))])
    intro = (f"Connections held open for {summary['options']['idle_hold_seconds']} s (heartbeats answered); RSS growth "
             "from before the first connect to the end of the hold, divided by the connections.")
    return "## Idle connections\n\n" + intro + "\n\n" + table(
        ["server", "clients", "server KiB RSS/connection", "server RSS MiB", "dropped"], rows)


def reliable_section(summary):
    o = summary["options"]
    rows = []
    for m in ran(summary, "reliable"):
        r = m.get("results") or {}
        if not r:
            rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", failure_note(m)] + [""] * 6)
            continue
        rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", number(r.get("expected")),
                     number(r.get("delivered")), number(r.get("lost")), number(r.get("duplicated")),
                     number(r.get("redelivered_after_reconnect")), number(r.get("delivered_in_batch")),
                     number(r.get("latency_p99_ms"), 1)])
    intro = (f"Each client is one user device (`userRoomPrefix`); {o['reliable_messages']:,} messages to the shared room "
             f"at {o['reliable_rate']:g}/s, every one queued per device and acked; {o['reliable_drop_share']:.0%} of the "
             f"clients drop and come back {o['reliable_offline_ms']} ms later, and must get what they missed in `_batch`. "
             "Herald only: the floor and the Python peer have no reliable delivery.")
    return "## Reliable delivery\n\n" + intro + "\n\n" + table(
        ["server", "clients", "expected", "delivered", "lost", "duplicated", "redelivered after reconnect",
         "in `_batch`", "p99 ms"], rows)


def targets_section(summary):
    rows = [[v["target"], v["limit"], v["measured"], f"**{v['status']}**"] for v in summary["verdicts"]]
    return "## Targets\n\nHerald against its targets; ratios are against the floor server measured in this run.\n\n" + table(
        ["target", "limit", "measured", "verdict"], rows)


def servers_section(summary):
    lines = ["## Servers", ""]
    for name, server in summary["servers"].items():
        lines.append(f"- **{server['label']}** — {server['description']}")
    for skipped in summary["skipped"]:
        what = skipped["server"]
        if skipped.get("client"):
            what = f"{server_label(summary, what)} with {CLIENT_LABELS.get(skipped['client'], skipped['client'])} clients"
        lines.append(f"- **{what}: skipped** — {skipped['reason']}")
    return "\n".join(lines)


def machine_section(summary):
    m = summary["machine"]
    lines = [
        "## Machine", "",
        f"- CPU: {m['cpu']}, {m['cpus']} logical CPUs; server pinned to CPU {summary['options']['server_cpu']}, "
        f"herald-bench to CPU {summary['options']['bench_cpu']}",
        f"- Memory: {m['memory_gib']} GiB",
        f"- Kernel: {m['kernel']}",
        f"- Swift: {m['swift']}",
        f"- Python: {m['python']}; gcc: {m['gcc']}",
    ]
    return "\n".join(lines)


def commands_section(summary):
    lines = ["## Commands", "",
             f"Generated by `{summary['command']}` on {summary['date']} in {summary['duration_s'] / 60:.1f} minutes "
             f"({summary['options']['rounds']} round(s) per measurement; with more than one, every number is the median).",
             "", "Setup:", "", "```"]
    lines += summary["setup_commands"]
    lines += ["```", "",
              "Each measurement starts the server, waits for `GET /healthcheck`, runs herald-bench, then stops the "
              "server (SIGTERM, SIGKILL after 5 s). `$WORK` is a temporary directory holding the generated config: "
              "site `bench`, apiKey `bench-api-key`, and a tokens table with one token per client (the Python peer "
              "gets the same table as `tokens.json`), or for connect an `authUrl` pointing at herald-bench's stub."]
    lines += config_examples(summary)
    lines += ["", "```"]
    for m in summary["measurements"]:
        protocol = "" if client_of(m) == "socketio" else f" {client_of(m)}"
        lines.append(f"# {m['server']}{protocol} {m['scenario']} {m['clients']}")
        lines.append(m["server_command"] + " &")
        lines.append(m["bench_command"])
    lines.append("```")
    return "\n".join(lines)


def config_examples(summary):
    """Herald's generated config files, once per scenario."""
    lines, seen = [], set()
    for m in summary["measurements"]:
        if m["server"] != "herald" or not m.get("config_files") or m["scenario"] in seen:
            continue
        seen.add(m["scenario"])
        lines += ["", f"Herald's config for {m['scenario']} at {m['clients']:,} clients:", "", "```yaml"]
        for name, text in sorted(m["config_files"].items()):
            lines += [f"# $WORK/{name}", text]
        lines.append("```")
    return lines


def render(summary):
    """BENCHMARKS.md for `summary`."""
    parts = [
        "# Benchmarks",
        "Generated by `make bench` (see [docs/benchmarking.md](docs/benchmarking.md)); do not edit by hand. Herald, "
        "the C floor server (the least CPU any server can spend per delivery on this kernel) and a python-socketio "
        "service written the way a Python user would, measured one after the other in the same run by the same load "
        "generator, herald-bench, with the server pinned to one core and herald-bench to the other. Numbers from a "
        "small shared machine: compare the ratios within one run, not absolute figures across machines.",
        targets_section(summary),
    ]
    if ran(summary, "fanout"):
        parts.append(fanout_section(summary))
    if ran(summary, "connect"):
        parts.append(connect_section(summary))
    if ran(summary, "idle"):
        parts.append(idle_section(summary))
    if ran(summary, "reliable"):
        parts.append(reliable_section(summary))
    parts += [servers_section(summary), machine_section(summary), commands_section(summary)]
    return "\n\n".join(parts) + "\n"

