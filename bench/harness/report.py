"""Renders a run's summary (the dict written to bench/results/summary.json) as BENCHMARKS.md."""

from . import cpu
from .results import CENTRIFUGO_IDLE_US, client_of, find, ratio
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


def ran(summary, *scenarios):
    return [m for m in summary["measurements"] if m["scenario"] in scenarios]


def rounds_cell(m):
    """How many rounds the figures are the median of, and how many were measured again."""
    text = f"{m.get('rounds', 1)}"
    if m.get("rejected_rounds"):
        kept = m.get("kept_noisy_rounds", 0)
        text += f" ({m['rejected_rounds']} runs rejected" + (f", {kept} kept anyway)" if kept else ")")
    return text


def ratio_cell(summary):
    return "—" if summary is None else f"{summary.median:.2f}× ({summary.low:.2f}–{summary.high:.2f})"


def skip_notes(summary, scenario):
    return "".join(f"\n\nNot measured — {s['reason']}" for s in summary["skipped"] if s.get("scenario") == scenario)


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
        if m.get("generator", "herald-bench") != "herald-bench":
            continue
        r = m.get("results") or {}
        head = [f"{m['clients']:,}", server_label(summary, m["server"]), client_label(m), f"{m['messages']:,}"]
        if not r:
            rows.append(head + [failure_note(m)] + [""] * 8)
            continue
        pairs = ratio(m, find(summary["measurements"], "floor", "fanout", m["clients"]), "server_cpu_us_per_delivery")
        rows.append(head + [
            rounds_cell(m),
            number(r.get("deliveries_per_s")),
            number(r.get("server_cpu_us_per_delivery"), 2),
            ratio_cell(pairs),
            number(r.get("latency_p50_ms"), 1), number(r.get("latency_p99_ms"), 1), number(r.get("latency_max_ms"), 1),
            number(r.get("lost")), number(r.get("duplicated")),
        ])
    o = summary["options"]
    intro = (f"All clients in one room; `POST /send` of a {o['payload_bytes']}-byte payload at max rate over "
             f"{o['send_concurrency']} keep-alive connections, {o['messages']:,} messages, fewer where that would exceed "
             f"{o['max_deliveries']:,} deliveries. Latency is receive time minus send time (it includes "
             "the `/send` round trip and the queueing at max rate). × floor: server CPU per delivery divided by the "
             "floor's (Socket.IO clients) at the same client count, in this run: the median over interleaved floor/Herald pairs, with the lowest and highest pair. Herald is measured with each client "
             "protocol it serves (`herald-bench --client`): Socket.IO, plain WebSocket JSON (`/ws/<site>`) and "
             "Server-Sent Events (`/sse/<site>`); the floor and the Python peer with Socket.IO clients.")
    header = ["clients", "server", "client", "messages", "rounds", "deliveries/s", "server CPU µs/delivery", "× floor", "p50 ms",
              "p99 ms", "max ms", "lost", "duplicated"]
    notes = [f"\n\n{CLIENT_LABELS.get(s['client'], s['client'])} clients of {server_label(summary, s['server'])}: "
             f"not measured — {s['reason']}" for s in summary["skipped"] if s.get("client")]
    chart = f"\n\n![deliveries/s and p99 latency against clients]({summary['chart']})" if summary.get("chart") else ""
    return "## Fan-out\n\n" + intro + "\n\n" + table(header, rows) + "".join(notes) + chart


def serial_section(summary):
    rows = []
    for m in sorted(ran(summary, "fanout-serial"), key=fanout_order):
        r = m.get("results") or {}
        head = [f"{m['clients']:,}", server_label(summary, m["server"]), f"{m['messages']:,}", rounds_cell(m)]
        if not r:
            rows.append(head + [failure_note(m)] + [""] * 4)
            continue
        pairs = ratio(m, find(summary["measurements"], "floor", "fanout-serial", m["clients"]),
                      "server_cpu_us_per_delivery")
        rows.append(head + [number(r.get("deliveries_per_s")), number(r.get("server_cpu_us_per_delivery"), 2),
                            ratio_cell(pairs), number(r.get("latency_p99_ms"), 1)])
    intro = ("The fan-out above with a single `/send` connection, one request in flight: each message's whole fan-out "
             "is paid before the next arrives, so nothing is batched across messages.")
    return "## Fan-out with one /send in flight\n\n" + intro + "\n\n" + table(
        ["clients", "server", "messages", "rounds", "deliveries/s", "server CPU µs/delivery", "× floor", "p99 ms"], rows)


def payload_section(summary):
    rows = []
    for m in sorted(ran(summary, "payload"), key=lambda m: (m["payload_bytes"], fanout_order(m))):
        r = m.get("results") or {}
        head = [f"{m['payload_bytes']:,}", server_label(summary, m["server"]), f"{m['clients']:,}", f"{m['messages']:,}"]
        if not r:
            rows.append(head + [failure_note(m)] + [""] * 3)
            continue
        pairs = ratio(m, find(summary["measurements"], "floor", "payload", m["clients"], payload_bytes=m["payload_bytes"]),
                      "server_cpu_us_per_delivery")
        rows.append(head + [number(r.get("deliveries_per_s")), number(r.get("server_cpu_us_per_delivery"), 2),
                            ratio_cell(pairs), number(r.get("latency_p99_ms"), 1)])
    intro = ("Fan-out at max rate with wider payloads (the 100-byte figures are in *Fan-out*); fewer messages where "
             f"messages × clients × bytes would pass {summary['options']['max_payload_bytes']:,} bytes.")
    return "## Payload width\n\n" + intro + "\n\n" + table(
        ["payload bytes", "server", "clients", "messages", "deliveries/s", "server CPU µs/delivery", "× floor", "p99 ms"],
        rows)


def compression_section(summary):
    rows = []
    for m in ran(summary, "compression"):
        r = m.get("results") or {}
        head = [server_label(summary, m["server"]), "permessage-deflate" if m["permessage_deflate"] else "none",
                f"{m['clients']:,}", f"{m['payload_bytes']:,}"]
        if not r:
            rows.append(head + [failure_note(m)] + [""] * 3)
            continue
        rows.append(head + [number(r.get("deliveries_per_s")), number(r.get("server_cpu_us_per_delivery"), 2),
                            number(r.get("client_wire_bytes_per_delivery"), 0), number(r.get("latency_p99_ms"), 1)])
    intro = ("Fan-out of a JSON payload with and without permessage-deflate (the site's `permessageDeflate: true`, "
             "herald-bench's `--permessage-deflate` clients offering the extension); bytes on the wire as the clients "
             "read them, per delivery.")
    body = table(["server", "compression", "clients", "payload bytes", "deliveries/s", "server CPU µs/delivery",
                  "wire bytes/delivery", "p99 ms"], rows) if rows else ""
    return "## Compression\n\n" + intro + ("\n\n" + body if body else "") + skip_notes(summary, "compression")


RELIABLE_LABELS = {"reliable": "in memory", "reliable-drop": "in memory, devices dropping",
                   "reliable-redis": "Redis", "cluster-reliable": "Redis, several instances"}


def reliable_section(summary):
    o = summary["options"]
    rows = []
    measurements = summary["measurements"]
    for m in sorted(ran(summary, *RELIABLE_LABELS), key=lambda m: (m["clients"], list(RELIABLE_LABELS).index(m["scenario"]))):
        r = m.get("results") or {}
        head = [f"{m['clients']:,}", RELIABLE_LABELS[m["scenario"]], str(m.get("instances", 1)), rounds_cell(m)]
        if not r:
            rows.append(head + [failure_note(m)] + [""] * 9)
            continue
        fanout = find(measurements, "herald", "fanout", m["clients"])
        rows.append(head + [
            number(r.get("acked_deliveries_per_s")),
            ratio_cell(ratio(m, fanout, "acked_deliveries_per_s", "deliveries_per_s")),
            number(r.get("server_cpu_us_per_delivery"), 2), number(r.get("redis_cpu_us_per_delivery"), 2),
            number(r.get("lost")), number(r.get("duplicated")), number(r.get("redelivered_after_reconnect")),
            number(r.get("delivered_in_batch")), number(r.get("latency_p99_ms"), 1)])
    rate = "max rate" if not o["reliable_rate"] else f"{o['reliable_rate']:g}/s"
    intro = (f"Each client is one user device (`userRoomPrefix`); messages to the shared room at {rate} over "
             f"{o['send_concurrency']} `/send` connections, every one stored per device, emitted with an ack id and "
             f"acked by the client; in the *dropping* rows {o['reliable_drop_share']:.0%} of the devices drop and come "
             f"back {o['reliable_offline_ms']} ms later and must get what they missed in `_batch`. Acked deliveries/s "
             "are distinct deliveries per second (herald-bench acks each one as it handles it); *÷ fan-out* divides them "
             "by Herald's plain fan-out deliveries/s at the same client count, per interleaved pair. Server CPU is "
             "Herald's (all instances), Redis's is counted on its own. Herald only: the floor and the Python peer have "
             "no reliable delivery.")
    return "## Reliable delivery\n\n" + intro + "\n\n" + table(
        ["devices", "store", "instances", "rounds", "acked deliveries/s", "÷ fan-out", "Herald CPU µs/delivery",
         "Redis CPU µs/delivery", "lost", "duplicated", "redelivered after reconnect", "in `_batch`", "p99 ms"],
        rows) + skip_notes(summary, "reliable-redis")


def cluster_section(summary):
    rows = []
    measurements = summary["measurements"]
    for m in sorted(ran(summary, "redis-fanout", "cluster-fanout"), key=lambda m: (m["clients"], m["instances"])):
        r = m.get("results") or {}
        head = [f"{m['clients']:,}", str(m["instances"]), rounds_cell(m)]
        if not r:
            rows.append(head + [failure_note(m)] + [""] * 5)
            continue
        single = find(measurements, "herald", "redis-fanout", m["clients"])
        pairs = ratio(m, single, "server_cpu_us_per_delivery") if m["scenario"] == "cluster-fanout" else None
        rows.append(head + [number(r.get("deliveries_per_s")), number(r.get("server_cpu_us_per_delivery"), 2),
                            ratio_cell(pairs), number(r.get("redis_cpu_us_per_delivery"), 2),
                            number(r.get("latency_p99_ms"), 1), number(r.get("lost"))])
    intro = ("Broadcast fan-out on Redis: one Herald instance, then several sharing one redis-server, every process on "
             "the server's core; client *i* connects to instance *i* mod *n* and the `/send` connections are spread "
             "the same way. Herald CPU is summed over the instances; Redis's is counted on its own. × one instance: "
             "per interleaved pair.")
    return "## Several instances on one Redis\n\n" + intro + "\n\n" + table(
        ["clients", "instances", "rounds", "deliveries/s", "Herald CPU µs/delivery (all)", "× one instance",
         "Redis CPU µs/delivery", "p99 ms", "lost"], rows) + skip_notes(summary, "cluster")


# The redis-cluster scenario's kinds: (one Redis on 1 instance, one Redis on several, the Cluster), per path.
ONE_REDIS = {"fanout": {1: "redis-fanout", "n": "cluster-fanout"},
             "reliable": {1: "reliable-redis", "n": "cluster-reliable"}}
ON_CLUSTER = {"fanout": "redis-cluster-fanout", "reliable": "redis-cluster-reliable"}
CLUSTER_COLUMNS = {
    "fanout": (("deliveries/s", "deliveries_per_s", 0),
               ("Herald CPU µs/delivery (all)", "server_cpu_us_per_delivery", 2),
               ("Redis CPU µs/delivery (all nodes)", "redis_cpu_us_per_delivery", 2),
               ("p99 ms", "latency_p99_ms", 1)),
    "reliable": (("acked deliveries/s", "acked_deliveries_per_s", 0),
                 ("Herald CPU µs/acked delivery (all)", "server_cpu_us_per_delivery", 2),
                 ("Redis CPU µs/delivery (all nodes)", "redis_cpu_us_per_delivery", 2), ("p99 ms", "latency_p99_ms", 1)),
}


def one_redis_twin(measurements, m, path):
    """The measurement on one redis-server with the same clients and instances as `m` (on the Cluster)."""
    scenario = ONE_REDIS[path][1 if m["instances"] == 1 else "n"]
    return next((o for o in measurements if o["server"] == m["server"] and o["scenario"] == scenario
                 and o["clients"] == m["clients"] and o.get("instances", 1) == m["instances"]), None)


def quotient(top, bottom):
    return f"{top / bottom:.2f}×" if top is not None and bottom else "—"


def redis_cluster_table(summary, path):
    measurements = summary["measurements"]
    columns = CLUSTER_COLUMNS[path]
    rows = []
    for m in sorted(ran(summary, ON_CLUSTER[path]), key=lambda m: (m["clients"], m["instances"])):
        one = one_redis_twin(measurements, m, path)
        head = [f"{m['clients']:,}", str(m["instances"])]
        results = {}
        for label, measured in (("one redis-server", one), ("Redis Cluster (3 masters, 3 replicas)", m)):
            r = (measured or {}).get("results") or {}
            results[label] = r
            if not r:
                rows.append(head + [label, failure_note(measured or {}) or "not measured"] + [""] * (len(columns) + 1))
                continue
            rows.append(head + [label] + [number(r.get(key), digits) for _, key, digits in columns]
                        + [number(r.get("lost")), number(r.get("duplicated"))])
        one_r, cluster_r = results.values()
        if one_r and cluster_r:
            rows.append(head + ["Cluster ÷ one Redis"] + [quotient(cluster_r.get(key), one_r.get(key))
                                                          for _, key, _ in columns] + ["", ""])
    header = ["clients", "instances", "Redis"] + [label for label, _, _ in columns] + ["lost", "duplicated"]
    return table(header, rows) if rows else ""


def redis_cluster_section(summary):
    intro = ("Broadcast fan-out and the reliable path (every client a user device, each message stored per device and "
             "acked) on one redis-server and on a Redis Cluster (`redis+cluster://` seed list: six redis-servers "
             "joined by `redis-cli --cluster create --cluster-replicas 1`, sharded pub/sub), with one Herald instance "
             f"and with {summary['options']['cluster_instances']} (client *i* on instance *i* mod *n*). Every process, "
             "Herald's and all of Redis's, shares the server's core, so the Cluster's six processes (replicas "
             "included: replication is part of its cost) compete with Herald there: compare CPU per delivery more "
             "than deliveries/s. The bench's one site keeps its keys under one hash tag (`{bench}`), so its store "
             "traffic runs on one master: these rows show what the Cluster costs, not how it spreads many sites. "
             "Herald CPU is summed over the instances, Redis CPU over the nodes. Reported, no verdict; one round "
             "each, the ratio is the Cluster's figure over one Redis's in the same run.")
    parts = ["## One Redis and a Redis Cluster", intro]
    for title, path in (("Fan-out", "fanout"), ("Reliable delivery", "reliable")):
        body = redis_cluster_table(summary, path)
        if body:
            parts += [f"### {title}", body]
    return "\n\n".join(parts) + skip_notes(summary, "redis-cluster")


def crosscheck_section(summary):
    measurements = summary["measurements"]
    rows = []
    for m in ran(summary, "crosscheck-fanout", "crosscheck-reliable"):
        scenario = m["scenario"].removeprefix("crosscheck-")
        ours = find(measurements, "herald", scenario, m["clients"])
        r, o = m.get("results") or {}, (ours or {}).get("results") or {}
        if not r:
            rows.append([scenario, f"{m['clients']:,}", failure_note(m)] + [""] * 5)
            continue
        cells = [scenario, f"{m['clients']:,}"]
        for key, digits in (("delivered", 0), ("server_cpu_us_per_delivery", 2)):
            a, b = o.get(key), r.get(key)
            gap = f"{(b - a) / a:+.1%}" if a and b is not None else "—"
            cells += [number(a, digits), number(b, digits), gap]
        rows.append(cells)
    intro = ("Herald measured by herald-bench and by an independent Python load generator "
             f"(`{summary['options']['crosscheck_client']}`, same flags, same JSON result keys), in the same run: "
             "disagreement is the Python generator's figure relative to herald-bench's.")
    body = table(["scenario", "clients", "delivered (herald-bench)", "delivered (Python)", "disagreement",
                  "server CPU µs/delivery (herald-bench)", "(Python)", "disagreement"], rows) if rows else ""
    return "## Cross-check with an independent load generator\n\n" + intro + ("\n\n" + body if body else "") + \
        skip_notes(summary, "crosscheck")


def connect_section(summary):
    rows = []
    for m in ran(summary, "connect"):
        r = m.get("results") or {}
        if not r:
            rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", rounds_cell(m), failure_note(m), "", ""])
            continue
        rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", rounds_cell(m),
                     number(r.get("connections_per_s")), number(r.get("server_cpu_us_per_connection"), 1),
                     number(r.get("failed"))])
    intro = ("A storm of WebSocket connections, at most 256 setting up at once; each is admitted through the site's "
             "auth hook: a stub `authUrl` inside herald-bench (on the load generator's core) answering every "
             "`GET` with `200 [\"all\"]`.")
    return "## Connect storm through the auth hook\n\n" + intro + "\n\n" + table(
        ["server", "clients", "rounds", "connections/s", "server CPU µs/connection", "failed"], rows)


def idle_section(summary):
    rows = []
    for m in ran(summary, "idle"):
        r = m.get("results") or {}
        if not r:
            rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", failure_note(m), "", "", ""])
            continue
        rows.append([server_label(summary, m["server"]), f"{m['clients']:,}", number(r.get("server_kib_per_connection"), 2),
                     number(r.get("server_rss_after_kib", 0) / 1024, 1),
                     number(r.get("server_cpu_us_per_connection_per_s"), 2), number(r.get("dropped_while_idle"))])
    o = summary["options"]
    low, high = CENTRIFUGO_IDLE_US
    intro = (f"Connections held open for {o['idle_hold_seconds']} s with a heartbeat every "
             f"{o['idle_ping_interval_ms'] / 1000:g} s on every server (Herald's `io.pingInterval`, the floor's and the "
             "peer's `--ping-interval`), answered by the clients. RSS growth from before the first connect to the end "
             "of the hold, divided by the connections; server CPU over the hold (heartbeats and timers only) per "
             f"connection per second. Centrifugo publishes {low}–{high} µs/s per idle connection for its own server "
             "(on its hardware and heartbeat interval, so compare the order of magnitude).")
    return "## Idle connections\n\n" + intro + "\n\n" + table(
        ["server", "clients", "server KiB RSS/connection", "server RSS MiB", "server CPU µs/connection/s", "dropped"], rows)


def rounds_section(summary):
    o = summary["options"]
    measured = summary["measurements"]
    rejected = sum(m.get("rejected_rounds", 0) for m in measured)
    runs = sum(len(m.get("interference", [])) for m in measured)
    lines = [
        "## Rounds",
        "",
        f"Every measurement a verdict ratio rests on ran {o['rounds']} rounds, the others {o['report_rounds']}; at each "
        "client count the rounds are interleaved (floor, Herald, floor, Herald, … each on a fresh server), and a ratio "
        "is the median of the per-round pairs, shown with its lowest and highest pair. A round is rejected and "
        f"measured again (at most {o['max_attempts']} attempts, the last one kept) when processes other than the "
        f"servers used CPU {o['server_cpu']} for more than {cpu.REJECT_SHARE:.0%} of its wall time (core time from "
        "`/proc/stat`, user + nice + system + irq + softirq, minus the servers' and Redis's from `/proc/<pid>/stat`).",
        "",
        f"{rejected} of {runs} runs rejected; {sum(m.get('kept_noisy_rounds', 0) for m in measured)} rounds kept "
        "although rejected (their last allowed attempt was noisy too).",
    ]
    noisy = [m for m in measured if m.get("rejected_rounds")]
    if noisy:
        lines += ["", table(["measurement", "rounds", "runs rejected", "rounds kept although rejected",
                             "worst other work on the core"], [
            [m["result_file"].rsplit("/", 1)[-1].removesuffix(".json") if m.get("result_file") else m["scenario"],
             str(m.get("rounds", 0)), str(m["rejected_rounds"]), str(m.get("kept_noisy_rounds", 0)),
             f"{max(i['other_s'] / i['wall_s'] for i in m['interference'] if i['wall_s']):.0%}"] for m in noisy])]
    return "\n".join(lines)


def targets_section(summary):
    rows = [[v["target"], v["limit"], v["measured"], f"**{v['status']}**"] for v in summary["verdicts"]]
    intro = ("Herald against its targets, all within this run (server on CPU "
             f"{summary['options']['server_cpu']}, herald-bench on CPU {summary['options']['bench_cpu']}). A ratio is the "
             "median over interleaved pairs, with the lowest and highest pair and the number of pairs (see *Rounds*); "
             "*reported* is a figure without a limit.")
    return "## Targets\n\n" + intro + "\n\n" + table(
        ["target", "limit", "measured", "verdict"], rows)


def servers_section(summary):
    lines = ["## Servers", ""]
    for name, server in summary["servers"].items():
        lines.append(f"- **{server['label']}** — {server['description']}")
    for skipped in summary["skipped"]:
        what = skipped["server"]
        if skipped.get("client"):
            what = f"{server_label(summary, what)} with {CLIENT_LABELS.get(skipped['client'], skipped['client'])} clients"
        if skipped.get("scenario"):
            what = f"{server_label(summary, what)} in {skipped['scenario']}"
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
             f"({summary['options']['rounds']} interleaved rounds per verdict measurement, {summary['options']['report_rounds']} "
             "for the others; every number is the median of its rounds).",
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
        lines.append(f"# {m['result_file'].rsplit('/', 1)[-1].removesuffix('.json')}" if m.get("result_file")
                     else f"# {m['server']} {m['scenario']} {m['clients']}")
        if m.get("redis_command"):
            lines.append(m["redis_command"] + " &")
        if m.get("redis_setup_command"):
            lines.append(m["redis_setup_command"])
        if m["server_command"]:
            lines.append(m["server_command"] + " &")
        lines.append(m["bench_command"])
    lines.append("```")
    return "\n".join(lines)


def config_examples(summary):
    """Herald's generated config files, once per scenario."""
    lines, seen = [], set()
    for m in summary["measurements"]:
        if m["server"] != "herald" or not m.get("config_files") or m["scenario"] in seen or m.get("permessage_deflate"):
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
    skipped = {s.get("scenario") for s in summary["skipped"]}
    if ran(summary, "fanout-serial"):
        parts.append(serial_section(summary))
    if ran(summary, *RELIABLE_LABELS) or "reliable-redis" in skipped:
        parts.append(reliable_section(summary))
    if ran(summary, "redis-fanout", "cluster-fanout") or "cluster" in skipped:
        parts.append(cluster_section(summary))
    if ran(summary, *ON_CLUSTER.values()) or "redis-cluster" in skipped:
        parts.append(redis_cluster_section(summary))
    if ran(summary, "connect"):
        parts.append(connect_section(summary))
    if ran(summary, "compression") or "compression" in skipped:
        parts.append(compression_section(summary))
    if ran(summary, "payload"):
        parts.append(payload_section(summary))
    if ran(summary, "idle"):
        parts.append(idle_section(summary))
    if ran(summary, "crosscheck-fanout", "crosscheck-reliable") or "crosscheck" in skipped:
        parts.append(crosscheck_section(summary))
    parts += [rounds_section(summary), servers_section(summary), machine_section(summary), commands_section(summary)]
    return "\n\n".join(parts) + "\n"

