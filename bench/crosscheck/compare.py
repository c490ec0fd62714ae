#!/usr/bin/env python3
"""Cross-checks herald-bench against a second, independent load generator (bench/crosscheck/client.py): both drive
the same Herald build through the same fan-out and reliable scenarios, alternately, each run on a fresh server, and
must agree on what was delivered and, within a tolerance (15 %), on the server CPU time per delivery.

    python3 bench/crosscheck/compare.py                         # release builds in .build/release, 3 pairs
    python3 bench/crosscheck/compare.py --build-dir .build/debug --fanout-clients 20 --fanout-messages 5 --pairs 1

Builds nothing. Herald runs pinned to --server-cpu, both generators to --client-cpu; each run gets a fresh Herald
(port 0, `--port-file`, ready at `GET /healthcheck`) configured as bench/run.py configures it (site `bench`, apiKey
`bench-api-key`, a tokens table admitting client i into `all`, and for reliable into `user_<i>` with
`userRoomPrefix: user_`). For reliable runs Herald's own `herald_messages_acked_total` is read from `/metrics`
before the server stops, a third witness of what the client acknowledged. Every process it starts is stopped when
it ends, fails or is interrupted. Prints a table and writes `--json` (default bench/results/crosscheck/crosscheck.json).
"""

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from harness import machine  # noqa: E402
from harness.processes import (  # noqa: E402
    Children, ProcessError, command_line, pinned, raise_file_limit, tail, wait_until_healthy)
from harness.servers import ROOM, Herald, SiteSetup  # noqa: E402

CLIENT_SCRIPT = os.path.join(ROOT, "bench", "crosscheck", "client.py")
HERALD_BENCH, CROSSCHECK = "herald-bench", "crosscheck-python"
GENERATORS = (HERALD_BENCH, CROSSCHECK)
SCENARIOS = ("fanout", "reliable")
# Results both generators report under the same name, shown and kept for every run.
SHARED_RESULTS = ("clients_joined", "sends_accepted", "expected", "delivered", "lost", "duplicated",
                  "delivered_in_batch", "clients_dropped", "window_s", "deliveries_per_s", "latency_p50_ms",
                  "latency_p99_ms", "server_cpu_us_per_delivery", "server_user_us_per_delivery",
                  "server_system_us_per_delivery")
CLIENT_RESULTS = ("client_cpu_s", "client_cpu_share",
                  "client_runqueue_wait_s", "client_busy_share", "client_cpu_us_per_delivery", "acked_deliveries_per_s")


def at_root(path):
    return path if os.path.isabs(path) else os.path.join(ROOT, path)


def relative(arg):
    """A command-line argument as the report shows it: repository paths relative to the repository root."""
    text = str(arg)
    return os.path.relpath(text, ROOT) if text.startswith(ROOT + os.sep) else text


def parse_options(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=".build/release", help="where herald and herald-bench are")
    p.add_argument("--herald", help="the Herald binary (default: <build-dir>/herald)")
    p.add_argument("--herald-bench", help="the herald-bench binary (default: <build-dir>/herald-bench)")
    p.add_argument("--python", default=sys.executable, help="interpreter for client.py (needs aiohttp; uvloop used "
                                                            "when installed: bench/crosscheck/requirements.txt)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS))
    p.add_argument("--pairs", type=int, default=3, help="herald-bench then client.py, this many times per scenario")
    p.add_argument("--fanout-clients", type=int, default=1000)
    p.add_argument("--fanout-messages", type=int, default=300)
    p.add_argument("--fanout-rate", type=float, default=0.0, help="/send calls per second; 0: as fast as answered")
    p.add_argument("--reliable-clients", type=int, default=1000)
    p.add_argument("--reliable-messages", type=int, default=100)
    p.add_argument("--reliable-rate", type=float, default=20.0, help="/send calls per second (herald-bench needs > 0)")
    p.add_argument("--payload-bytes", type=int, default=100)
    p.add_argument("--concurrency", type=int, default=4, help="/send connections, both generators")
    p.add_argument("--drain-seconds", type=float, default=10.0)
    p.add_argument("--tolerance", type=float, default=15.0, help="largest agreeing CPU-per-delivery difference, %%")
    p.add_argument("--min-server-cpu", type=float, default=0.5,
                   help="seconds of server CPU a run needs for its CPU per delivery to be compared (/proc counts in "
                        "10 ms ticks); below it the CPU verdict is inconclusive")
    p.add_argument("--server-cpu", type=int, default=0)
    p.add_argument("--client-cpu", type=int, default=1)
    p.add_argument("--herald-log-level", default="info")
    p.add_argument("--run-timeout", type=int, default=600, help="seconds one generator run may take")
    p.add_argument("--json", default=os.path.join("bench", "results", "crosscheck", "crosscheck.json"))
    options = p.parse_args(argv)
    options.herald = at_root(options.herald or os.path.join(options.build_dir, "herald"))
    options.herald_bench = at_root(options.herald_bench or os.path.join(options.build_dir, "herald-bench"))
    options.scenarios = [s.strip() for s in options.scenarios.split(",") if s.strip()]
    unknown = [s for s in options.scenarios if s not in SCENARIOS]
    if unknown:
        p.error(f"unknown scenario {', '.join(unknown)} (choose from {', '.join(SCENARIOS)})")
    if options.pairs < 1:
        p.error("--pairs must be at least 1")
    for binary in (options.herald, options.herald_bench):
        if not os.access(binary, os.X_OK):
            p.error(f"{binary} is missing: build it (swift build -c release --product herald, then herald-bench)")
    return options


def scenario_arguments(scenario, options, url):
    """The flags both generators take for `scenario` (the same names in both)."""
    if scenario == "fanout":
        return ["fanout", "--url", url, "--clients", options.fanout_clients, "--room", ROOM,
                "--messages", options.fanout_messages, "--rate", options.fanout_rate,
                "--concurrency", options.concurrency, "--payload-bytes", options.payload_bytes,
                "--drain-seconds", options.drain_seconds]
    return ["reliable", "--url", url, "--clients", options.reliable_clients, "--room", ROOM,
            "--messages", options.reliable_messages, "--rate", options.reliable_rate,
            "--concurrency", options.concurrency, "--payload-bytes", options.payload_bytes,
            "--drain-seconds", options.drain_seconds]


def generator_argv(generator, scenario, options, url):
    arguments = scenario_arguments(scenario, options, url)
    if generator == HERALD_BENCH:
        extra = ["--loops", 1] + (["--drop-share", 0] if scenario == "reliable" else [])
        return [options.herald_bench, *arguments, *extra]
    return [options.python, CLIENT_SCRIPT, *arguments]


def site_setup(scenario, options):
    if scenario == "fanout":
        return SiteSetup(clients=options.fanout_clients)
    return SiteSetup(clients=options.reliable_clients, user_rooms=True,
                     queue_limit=max(1000, options.reliable_messages))


def acked_total(url):
    """Herald's `herald_messages_acked_total` for the site, or None when /metrics does not say."""
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
            text = response.read().decode("utf-8", "replace")
    except OSError:
        return None
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith("herald_messages_acked_total{")]
    return sum(values) if values else None


def acked_once_settled(url, delivered, seconds=5.0):
    """`acked_total` once it reached `delivered`, or what it says after `seconds`: the server records an ack
    after the generator, which stops at its last receipt, sent it."""
    deadline = time.monotonic() + seconds
    while True:
        acked = acked_total(url)
        if acked is None or acked >= delivered or time.monotonic() > deadline:
            return acked
        time.sleep(0.05)


def measure(children, herald, generator, scenario, options, workdir, log):
    """One generator run on a fresh Herald: a dict with the generator's report (or the reason there is none)."""
    launch = herald.launch(site_setup(scenario, options), workdir, options.server_cpu)
    server_log = os.path.join(workdir, f"{scenario}.{generator}.server.log")
    server = children.start(launch.argv, server_log, env=launch.env, cwd=workdir)
    json_path = os.path.join(workdir, "result.json")
    if os.path.exists(json_path):
        os.remove(json_path)
    run = {"generator": generator, "scenario": scenario, "report": None, "exit_code": None, "error": "",
           "load_average_before": os.getloadavg()[0]}
    try:
        wait_until_healthy(server, launch, server_log)
        argv = pinned(options.client_cpu, [*generator_argv(generator, scenario, options, launch.url),
                                           "--server-pid", server.pid, "--json", json_path])
        run["command"] = command_line([relative(arg) for arg in argv]).replace(
            f"--server-pid {server.pid}", "--server-pid $PID")
        client_log = os.path.join(workdir, f"{scenario}.{generator}.log")
        run["exit_code"] = children.run(argv, client_log, timeout=options.run_timeout)
        if server.poll() is not None:
            run["error"] = f"server exited with status {server.returncode}:\n{tail(server_log)}"
        elif not os.path.exists(json_path):
            run["error"] = f"{generator} exited {run['exit_code']} without results:\n{tail(client_log)}"
        else:
            with open(json_path) as f:
                run["report"] = json.load(f)
            if scenario == "reliable":
                run["server_acked"] = acked_once_settled(launch.url, run["report"]["results"]["delivered"])
    except ProcessError as error:
        run["error"] = str(error)
    finally:
        children.stop(server)
    run["load_average_after"] = os.getloadavg()[0]
    results = (run["report"] or {}).get("results", {})
    shown = ", ".join(f"{key}={results[key]:,.2f}" for key in
                      ("delivered", "lost", "duplicated", "server_cpu_us_per_delivery", "deliveries_per_s",
                       "client_busy_share") if key in results)
    log(f"  {generator:<18} exit {run['exit_code']}: {shown or run['error'].splitlines()[0]}")
    return run


def delivered_everything(run):
    """Whether the run accounted every accepted message at every joined client exactly once (and, for reliable,
    Herald recorded an ack for each)."""
    report = run["report"]
    if report is None:
        return False
    r = report["results"]
    complete = r["expected"] > 0 and r["delivered"] == r["expected"] and r["lost"] == 0 and r["duplicated"] == 0
    if run["scenario"] == "reliable" and run.get("server_acked") is not None:
        complete = complete and run["server_acked"] == r["delivered"]
    return complete


def median_of(runs, key):
    values = [run["report"]["results"][key] for run in runs if run["report"] and key in run["report"]["results"]]
    return statistics.median(values) if values else None


def disagreement(bench_value, cross_value):
    """How far client.py's figure is from herald-bench's, in % of herald-bench's."""
    if bench_value is None or cross_value is None or bench_value == 0:
        return None
    return (cross_value - bench_value) / bench_value * 100


def summarize(scenario, runs, options):
    """The verdict for one scenario: `agree` when both generators delivered everything in every run, expected the
    same number of deliveries, and their server CPU per delivery differs by at most the tolerance (median over the
    pairs); `inconclusive` when deliveries agree but a run spent too little server CPU to compare."""
    by = {g: [run for run in runs if run["generator"] == g] for g in GENERATORS}
    pairs = list(zip(by[HERALD_BENCH], by[CROSSCHECK]))
    per_pair = [disagreement(*(p["report"]["results"].get("server_cpu_us_per_delivery") if p["report"] else None
                               for p in pair)) for pair in pairs]
    known = [value for value in per_pair if value is not None]
    median_pct = statistics.median(known) if known else None
    expected = {run["report"]["results"]["expected"] for run in runs if run["report"]}
    deliveries_agree = all(delivered_everything(run) for run in runs) and len(expected) == 1
    cpu_agrees = median_pct is not None and abs(median_pct) <= options.tolerance
    server_cpu_s = [run["report"]["results"]["server_cpu_us_per_delivery"] * run["report"]["results"]["delivered"] / 1e6
                    for run in runs if run["report"] and "server_cpu_us_per_delivery" in run["report"]["results"]]
    measurable = bool(server_cpu_s) and min(server_cpu_s) >= options.min_server_cpu and len(known) == len(pairs)
    if not deliveries_agree:
        verdict = "disagree"
    elif not measurable:
        verdict = "inconclusive"
    else:
        verdict = "agree" if cpu_agrees else "disagree"
    medians = {g: {key: median_of(by[g], key) for key in (*SHARED_RESULTS, *CLIENT_RESULTS)
                   if median_of(by[g], key) is not None} for g in GENERATORS}
    return {
        "scenario": scenario,
        "medians": medians,
        "cpu_disagreement_pct_per_pair": per_pair,
        "median_cpu_disagreement_pct": median_pct,
        "cpu_disagreement_of_medians_pct": disagreement(medians[HERALD_BENCH].get("server_cpu_us_per_delivery"),
                                                        medians[CROSSCHECK].get("server_cpu_us_per_delivery")),
        "deliveries_agree": deliveries_agree,
        "cpu_within_tolerance": cpu_agrees,
        "least_server_cpu_s": min(server_cpu_s) if server_cpu_s else None,
        "verdict": verdict,
    }


def table(summaries):
    lines = []
    for s in summaries:
        lines.append(f"{s['scenario']}: {s['verdict']} (deliveries {'agree' if s['deliveries_agree'] else 'DIFFER'}, "
                     f"median CPU/delivery disagreement {fmt(s['median_cpu_disagreement_pct'])} %, "
                     f"least server CPU in a run {fmt(s['least_server_cpu_s'])} s)")
        lines.append(f"  {'':<28} {HERALD_BENCH:>16} {CROSSCHECK:>18}")
        for key in (*SHARED_RESULTS, *CLIENT_RESULTS):
            values = [s["medians"][g].get(key) for g in GENERATORS]
            if any(v is not None for v in values):
                lines.append(f"  {key:<28} {fmt(values[0]):>16} {fmt(values[1]):>18}")
        lines.append("  per pair CPU/delivery disagreement %: "
                     + ", ".join(fmt(v) for v in s["cpu_disagreement_pct_per_pair"]))
    return "\n".join(lines)


def fmt(value):
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def main(argv=None):
    options = parse_options(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()

    def log(text):
        print(f"[crosscheck {time.monotonic() - started:6.1f}s] {text}", flush=True)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    raise_file_limit()
    herald = Herald(options.herald, options.herald_log_level)
    runs = []
    with Children() as children, tempfile.TemporaryDirectory(prefix="herald-crosscheck-") as workdir:
        for scenario in options.scenarios:
            for pair in range(options.pairs):
                log(f"{scenario}, pair {pair + 1} of {options.pairs}")
                for generator in GENERATORS:
                    run = measure(children, herald, generator, scenario, options, workdir, log)
                    run["pair"] = pair
                    runs.append(run)
    summaries = [summarize(s, [run for run in runs if run["scenario"] == s], options) for s in options.scenarios]
    print(table(summaries), flush=True)
    document = {
        "command": command_line(["python3", "bench/crosscheck/compare.py", *(sys.argv[1:] if argv is None else argv)]),
        "options": {k: relative(v) if isinstance(v, str) else v for k, v in vars(options).items()},
        "machine": machine.describe(),
        "summaries": summaries,
        "runs": runs,
        "duration_s": round(time.monotonic() - started, 1),
    }
    if options.json:
        path = at_root(options.json)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(document, f, indent=2, sort_keys=True)
            f.write("\n")
        log(f"wrote {options.json}")
    failed = [run for run in runs if run["report"] is None]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
