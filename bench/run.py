#!/usr/bin/env python3
"""`make bench`: Herald (release build), the C floor server and the python-socketio peer, one after the other,
through the same herald-bench scenarios, with the server pinned to one core and herald-bench to the other. Herald's
fan-out is also measured with plain WebSocket JSON and SSE clients (`--fanout-clients`), beside the same floor.

Writes BENCHMARKS.md (targets with verdicts, tables, the machine, the exact commands), bench/results/<server>-
<scenario>-<clients>.json for every measurement, bench/results/summary.json, and bench/results/fanout.png.

    python3 bench/run.py                                   # default sizes (a few minutes on 2 cores)
    python3 bench/run.py --clients 1000,5000,10000 --messages 500 --rounds 3
    python3 bench/run.py --servers herald,floor --scenarios fanout
"""

import argparse
import datetime
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from chaos_report import reliability_section, replace_section  # noqa: E402
from harness import cpu, machine  # noqa: E402
from harness import redis as redis_server  # noqa: E402
from harness.plan import (  # noqa: E402
    CROSSCHECK, HERALD_BENCH, REDIS_CLUSTER, SCENARIOS, bench_arguments, measurements, schedule, site_setup)
from harness.processes import (  # noqa: E402
    Children, ProcessError, command_line, listening_socket, pinned, raise_file_limit, tail, wait_until_healthy)
from harness.report import render  # noqa: E402
from harness.results import median_results, merged_failures, verdicts  # noqa: E402
from harness.servers import CLIENT_PROTOCOLS, SITE, SSE, Floor, Herald, PythonPeer, SiteSetup  # noqa: E402

PEER_DIR = os.path.join(ROOT, "bench", "peers", "python-socketio")
CHART_REQUIREMENTS = ["matplotlib==3.11.2"]
SERVER_NAMES = ("herald", "floor", "python-socketio")


def sizes(text):
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def names(allowed):
    def parse(text):
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [name for name in chosen if name not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)} (choose from {', '.join(allowed)})")
        return chosen
    return parse


def parse_options(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--servers", type=names(SERVER_NAMES), default=list(SERVER_NAMES))
    p.add_argument("--scenarios", type=names(SCENARIOS), default=list(SCENARIOS))
    p.add_argument("--clients", type=sizes, default=[1000, 5000, 10000], help="fan-out sizes (comma-separated)")
    p.add_argument("--messages", type=int, default=300,
                   help="fan-out /send calls per measurement (300 × 1,000 clients: over a second of server CPU)")
    p.add_argument("--max-deliveries", type=int, default=500_000,
                   help="fewer fan-out and reliable messages where messages × clients would exceed this (at least 10)")
    p.add_argument("--payload-bytes", type=int, default=100)
    p.add_argument("--send-concurrency", type=int, default=4, help="fan-out /send connections")
    p.add_argument("--fanout-clients", type=names(CLIENT_PROTOCOLS), default=list(CLIENT_PROTOCOLS),
                   help="client protocols Herald's fan-out is measured with, each beside the floor's Socket.IO "
                        "figures (the floor and the peer speak socketio only; sse is skipped, and said so, when the "
                        "Herald build does not serve /sse)")
    p.add_argument("--serial-clients", type=sizes, default=[1000, 5000],
                   help="fan-out sizes with one /send in flight (fanout-serial)")
    p.add_argument("--payload-sizes", type=sizes, default=[4096, 65536], help="wide payloads in bytes (payload)")
    p.add_argument("--payload-clients", type=int, default=1000)
    p.add_argument("--max-payload-bytes", type=int, default=1_500_000_000,
                   help="fewer payload messages where messages × clients × bytes would exceed this (at least 10)")
    p.add_argument("--compression-clients", type=int, default=1000)
    p.add_argument("--compression-payload-bytes", type=int, default=4096)
    p.add_argument("--connect-clients", type=int, default=5000)
    p.add_argument("--idle-clients", type=int, default=10000)
    p.add_argument("--idle-hold-seconds", type=int, default=20,
                   help="long enough for several heartbeats at --idle-ping-interval-ms")
    p.add_argument("--idle-ping-interval-ms", type=int, default=5000,
                   help="heartbeat interval every server gets in idle (Herald io.pingInterval, the floor's and the "
                        "peer's --ping-interval)")
    p.add_argument("--reliable-clients", type=sizes, default=[1000, 10000], help="reliable sizes (devices)")
    p.add_argument("--reliable-messages", type=int, default=100, help="capped by --reliable-max-deliveries")
    p.add_argument("--reliable-max-deliveries", type=int, default=100_000,
                   help="fewer reliable messages where messages × devices would exceed this (at least 10): the "
                        "reliable path is several times slower per delivery than fan-out")
    p.add_argument("--reliable-rate", type=float, default=0.0, help="/send calls per second (0: max rate)")
    p.add_argument("--reliable-drop-share", type=float, default=0.2)
    p.add_argument("--reliable-offline-ms", type=int, default=500)
    p.add_argument("--redis-clients", type=sizes, default=[1000], help="reliable-redis sizes")
    p.add_argument("--cluster-clients", type=sizes, default=[1000], help="cluster sizes")
    p.add_argument("--cluster-instances", type=int, default=3)
    p.add_argument("--redis-cluster-clients", type=sizes, default=[1000],
                   help="redis-cluster sizes: fan-out and reliable on one Redis and on a Redis Cluster, 1 and "
                        "--cluster-instances instances")
    p.add_argument("--crosscheck-clients", type=int, default=1000)
    p.add_argument("--crosscheck-client", default=os.path.join("bench", "crosscheck", "client.py"),
                   help="the independent load generator the crosscheck scenario runs (skipped when absent)")
    p.add_argument("--crosscheck-venv", default=os.path.join("bench", "crosscheck", ".venv"),
                   help="virtualenv for the crosscheck client, made from bench/crosscheck/requirements.txt")
    p.add_argument("--rounds", type=int, default=None,
                   help="interleaved rounds of every measurement a verdict ratio rests on (default 5, 2 with --quick)")
    p.add_argument("--quick", action="store_true", help="2 rounds per verdict measurement instead of 5")
    p.add_argument("--report-rounds", type=int, default=1, help="rounds of the measurements no verdict rests on")
    p.add_argument("--max-attempts", type=int, default=3,
                   help="tries per round when other work used the server's core (the last one is kept)")
    p.add_argument("--server-cpu", type=int, default=0)
    p.add_argument("--bench-cpu", type=int, default=1)
    p.add_argument("--bench-loops", type=int, default=1, help="herald-bench client event loops")
    p.add_argument("--herald-log-level", default="info", help="Herald's --log-level (info is its default)")
    p.add_argument("--build-dir", default=".build/release", help="where herald and herald-bench are")
    p.add_argument("--no-build", action="store_true", help="use the binaries in --build-dir as they are")
    p.add_argument("--floor-source", default="../shared/bench/floor_server.c", help="relative to the repository root")
    p.add_argument("--peer-venv", default=os.path.join("bench", "peers", "python-socketio", ".venv"))
    p.add_argument("--chart-venv", default=".venv-bench", help="virtualenv with matplotlib ('' skips the chart)")
    p.add_argument("--results-dir", default=os.path.join("bench", "results"))
    p.add_argument("--markdown", default="BENCHMARKS.md")
    p.add_argument("--bench-timeout", type=int, default=900, help="seconds one herald-bench run may take")
    options = p.parse_args(argv)
    if options.rounds is None:
        options.rounds = 2 if options.quick else 5
    if options.rounds < 1 or options.report_rounds < 1 or options.max_attempts < 1:
        p.error("--rounds, --report-rounds and --max-attempts must be at least 1")
    if options.cluster_instances < 1:
        p.error("--cluster-instances must be at least 1")
    return options


def at_root(path):
    return path if os.path.isabs(path) else os.path.join(ROOT, path)


def relative(path):
    """`path` as the commands show it: relative to the repository root when inside it or in ../shared."""
    text = str(path)
    shared = os.path.join(os.path.dirname(ROOT), "shared")
    inside = text.startswith(ROOT + os.sep) or text.startswith(shared + os.sep)
    return os.path.relpath(text, ROOT) if inside else text


def shown(argv, workdir):
    """A command line as BENCHMARKS.md shows it: repository paths relative, the scratch directory as $WORK."""
    return command_line([relative(arg) for arg in argv]).replace(workdir, "$WORK")


class Setup:
    """Builds what the run needs and remembers the commands it used."""

    def __init__(self, options, log):
        self.options = options
        self.log = log
        self.commands = []
        self.skipped = []

    def run(self, argv, what, **kwargs):
        self.commands.append(command_line([relative(a) for a in argv]))
        self.log(f"{what}: {command_line(argv)}")
        return subprocess.run([str(a) for a in argv], cwd=ROOT, **kwargs)

    def swift_products(self):
        build_dir = at_root(self.options.build_dir)
        products = ["herald", "herald-bench"] if "herald" in self.options.servers else ["herald-bench"]
        for product in products:  # swift build takes one --product
            if not self.options.no_build:
                self.run(["swift", "build", "-c", "release", "--product", product], f"building {product}", check=True)
            if not os.access(os.path.join(build_dir, product), os.X_OK):
                raise SystemExit(f"{relative(build_dir)}/{product} is missing: build it or drop --no-build")
        return os.path.join(build_dir, "herald"), os.path.join(build_dir, "herald-bench")

    def floor(self):
        source = os.path.normpath(at_root(self.options.floor_source))
        if not os.path.isfile(source):
            self.skip("floor", f"its source is not at {self.options.floor_source} (relative to the repository root); "
                               "put floor_server.c there to measure the floor (built with `gcc -O2 ... -lcrypto`)")
            return None
        binary = os.path.join(ROOT, ".build-bench", "floor_server")
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        argv = ["gcc", "-O2", "-o", binary, source, "-lcrypto"]
        if os.path.exists(binary) and os.path.getmtime(binary) >= os.path.getmtime(source):
            self.commands.append(command_line([relative(a) for a in argv]))
            return binary
        built = self.run(argv, "building the floor server", capture_output=True, text=True)
        if built.returncode != 0:
            self.skip("floor", f"`gcc` failed (is libssl-dev installed?): {built.stderr.strip()[:300]}")
            return None
        return binary

    def virtualenv(self, directory, requirements):
        wanted = " ".join(requirements)
        stamp = os.path.join(directory, ".herald-requirements")
        python = os.path.join(directory, "bin", "python")
        self.commands.append(f"python3 -m venv {relative(directory)} && {relative(directory)}/bin/pip install {wanted}")
        if os.access(python, os.X_OK) and os.path.exists(stamp) and open(stamp).read().strip() == wanted:
            return python
        self.log(f"creating {relative(directory)}")
        shutil.rmtree(directory, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", directory], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
                       check=True)
        with open(stamp, "w") as f:
            f.write(wanted + "\n")
        return python

    def peer(self):
        requirements = peer_requirements()
        try:
            python = self.virtualenv(at_root(self.options.peer_venv), requirements)
        except subprocess.CalledProcessError as error:
            self.skip("python-socketio", f"its virtualenv could not be created: {error}")
            return None
        versions = dict(line.split("==", 1) for line in requirements)
        label = " + ".join(f"{name} {versions[name]}" for name in ("python-socketio", "aiohttp", "uvloop"))
        return PythonPeer(python, os.path.join(PEER_DIR, "server.py"), label)

    def chart_python(self):
        if not self.options.chart_venv:
            return None
        try:
            return self.virtualenv(at_root(self.options.chart_venv), CHART_REQUIREMENTS)
        except subprocess.CalledProcessError as error:
            self.log(f"no chart: matplotlib could not be installed ({error})")
            return None

    def skip(self, server, reason, client=None, scenario=None):
        """Records that `server` (with `client` protocol clients only, or in `scenario` only, when given) is not
        measured, and why."""
        what = f"{server} with {client} clients" if client else server
        if scenario:
            what = f"{what} in {scenario}"
        self.log(f"skipping {what}: {reason}")
        extra = {**({"client": client} if client else {}), **({"scenario": scenario} if scenario else {})}
        self.skipped.append({"server": server, "reason": reason, **extra})

    def unavailable_scenarios(self, bench):
        """The selected scenarios this machine or build cannot run, each recorded with its reason."""
        o = self.options
        missing = set()
        if "compression" in o.scenarios and "herald" in o.servers:
            listed = subprocess.run([bench, "help", "fanout"], capture_output=True, text=True)
            if "--permessage-deflate" not in listed.stdout:
                self.skip("herald", "this herald-bench build has no `fanout --permessage-deflate` (`herald-bench "
                          "help fanout` does not list it)", scenario="compression")
                missing.add("compression")
        for scenario in ("reliable-redis", "cluster", REDIS_CLUSTER):
            if scenario in o.scenarios and not redis_server.binary():
                self.skip("herald", "redis-server is not installed (apt-get install redis-server)", scenario=scenario)
                missing.add(scenario)
        if REDIS_CLUSTER in o.scenarios and REDIS_CLUSTER not in missing and not redis_server.cli_binary():
            self.skip("herald", "redis-cli is not installed (it joins the Redis Cluster's nodes)", scenario=REDIS_CLUSTER)
            missing.add(REDIS_CLUSTER)
        if CROSSCHECK in o.scenarios and not os.path.isfile(at_root(o.crosscheck_client)):
            self.skip("herald", f"the independent load generator {o.crosscheck_client} is not there",
                      scenario=CROSSCHECK)
            missing.add(CROSSCHECK)
        elif CROSSCHECK in o.scenarios:
            o.crosscheck_python = self.crosscheck_python()
            if not o.crosscheck_python:
                missing.add(CROSSCHECK)
        return missing

    def crosscheck_python(self):
        """The Python of the crosscheck client's virtualenv (aiohttp, uvloop), created when missing; None (the
        scenario skipped with the reason) when it cannot be."""
        requirements_file = os.path.join(os.path.dirname(at_root(self.options.crosscheck_client)), "requirements.txt")
        with open(requirements_file) as f:
            requirements = [line.strip() for line in f if line.strip() and not line.startswith("#")]
        try:
            return self.virtualenv(at_root(self.options.crosscheck_venv), requirements)
        except subprocess.CalledProcessError as error:
            self.skip("herald", f"the crosscheck client's virtualenv could not be created: {error}",
                      scenario=CROSSCHECK)
            return None


def peer_requirements():
    with open(os.path.join(PEER_DIR, "requirements.txt")) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


DESCRIPTIONS = {
    "herald": "`{build_dir}/herald serve`, in-memory store (on a redis-server started for the measurement, pinned to the same core, in the Redis and cluster scenarios; on a Redis Cluster of six redis-servers, three masters and three replicas, all pinned to that core, in the redis-cluster scenario), log level {log_level} (JSON lines to a file).",
    "floor": "`floor_server.c` built with `gcc -O2`: a single-threaded epoll server that builds each `/send` frame "
             "once and writes it to every client, one syscall per recipient and nothing else; no auth hook, acks or "
             "queues, so it runs fan-out and idle only.",
    "python-socketio": "[bench/peers/python-socketio](bench/peers/python-socketio): python-socketio's AsyncServer on "
                       "aiohttp with uvloop, one process, the same site, token and `/send` subset, written as a Python "
                       "user would. It has no reliable delivery (no per-device queues or acks), so no reliable scenario.",
}


@dataclass
class Attempt:
    """One herald-bench run against freshly started servers."""

    report: dict | None = None
    code: int | None = None
    typed: list | None = None  # herald-bench's command line as someone would type it, None when it did not run
    error: str = ""
    interference: cpu.Interference | None = None
    server_argv: list = field(default_factory=list)  # one per instance
    redis_argv: list = field(default_factory=list)  # one per redis-server (six for a Redis Cluster)
    redis_setup: list | None = None  # what joined a Redis Cluster's nodes
    files: dict = field(default_factory=dict)


def measure_once(children, server, measurement, options, bench, workdir, log):
    """Starts Redis when the measurement needs it and `measurement.instances` servers, runs the load generator once
    against them while watching the server's core, stops everything. Returns an `Attempt`."""
    with listening_socket() as auth_stub:
        return measure_with_stub(children, server, measurement, options, bench, workdir, log, auth_stub)


def measure_with_stub(children, server, measurement, options, bench, workdir, log, auth_stub):
    """`measure_once` with the stub authUrl's socket bound: its port goes into the site, its descriptor to
    herald-bench."""
    m = measurement
    attempt = Attempt()
    auth_port = auth_stub.getsockname()[1]
    started = []  # (process, launch, log path)
    redis = None  # a redis_server.Redis or redis_server.Cluster
    redis_processes, redis_pids = [], []
    json_path = os.path.join(workdir, "result.json")
    if os.path.exists(json_path):
        os.remove(json_path)
    stub_fd = auth_stub.fileno()
    try:
        if m.store == "redis":
            redis = redis_server.start(children, workdir, options.server_cpu)
            redis_processes, redis_pids, attempt.redis_argv = [redis.process], [redis.pid], [redis.argv]
        elif m.store == REDIS_CLUSTER:
            redis = redis_server.start_cluster(children, workdir, options.server_cpu)
            redis_processes, redis_pids, attempt.redis_argv = redis.processes, redis.pids, redis.argvs
            attempt.redis_setup = redis.create_argv
        setup = site_setup(m, options, auth_port, redis.url if redis else None)
        for instance in range(m.instances):
            launch = server.launch(setup, workdir, options.server_cpu, instance)
            server_log = os.path.join(workdir, f"{m.key}.server{instance}.log")
            process = children.start(launch.argv, server_log, env=launch.env, cwd=workdir)
            started.append((process, launch, server_log))
            attempt.server_argv.append(launch.argv)
            attempt.files.update(launch.files)
        for process, launch, server_log in started:
            wait_until_healthy(process, launch, server_log)
        pids = [process.pid for process, _, _ in started]
        flags = bench_arguments(m, options, [launch.url for _, launch, _ in started], stub_fd)
        flags += [arg for pid in pids for arg in ("--server-pid", pid)]
        flags += [arg for pid in redis_pids for arg in ("--redis-pid", pid)]
        generator = ([bench] if m.generator == HERALD_BENCH
                     else [options.crosscheck_python, at_root(options.crosscheck_client)])
        argv = pinned(options.bench_cpu, [*generator, *flags, "--json", json_path])
        attempt.typed = as_typed(argv, stub_fd, auth_port)
        bench_log = os.path.join(workdir, f"{m.key}.bench.log")
        watched = pids + redis_pids
        before = cpu.sample(options.server_cpu, watched)
        attempt.code = children.run(argv, bench_log, timeout=options.bench_timeout, pass_fds=(stub_fd,))
        attempt.interference = cpu.interference(before, cpu.sample(options.server_cpu, watched))
        for process, _, server_log in started:
            if process.poll() is not None:
                attempt.error = f"server exited with status {process.returncode}:\n{tail(server_log)}"
                return attempt
        if not os.path.exists(json_path):
            attempt.error = f"{m.generator} exited {attempt.code} without results:\n{tail(bench_log)}"
            return attempt
        with open(json_path) as f:
            attempt.report = json.load(f)
        log(f"  {m.generator} exited {attempt.code}: " + ", ".join(
            f"{k}={v:,.2f}" for k, v in attempt.report["results"].items() if k in HEADLINE))
        return attempt
    except ProcessError as error:
        attempt.error = str(error)
        return attempt
    finally:
        for process, _, _ in started:
            stopping = time.monotonic()
            stopped = children.stop(process)
            if stopped is None:
                log(f"  {server.name} did not stop on SIGTERM within 5 s and was killed")
            elif time.monotonic() - stopping > 1:
                log(f"  {server.name} took {time.monotonic() - stopping:.1f} s to stop")
        for process in redis_processes:
            children.stop(process)


def as_typed(argv, stub_fd, auth_port):
    """herald-bench's command line with the inherited stub socket shown as the port someone would give by hand."""
    typed = [str(arg) for arg in argv]
    if "--auth-stub-fd" in typed:
        at = typed.index("--auth-stub-fd")
        typed[at:at + 2] = ["--auth-stub-port", str(auth_port)]
    return typed


HEADLINE = ("deliveries_per_s", "acked_deliveries_per_s", "server_cpu_us_per_delivery", "redis_cpu_us_per_delivery",
            "latency_p99_ms", "lost", "connections_per_s", "server_kib_per_connection",
            "server_cpu_us_per_connection_per_s", "client_wire_bytes_per_delivery", "duplicated", "joined")


TABLES = ("sites.yml", "tokens.json")  # one line per client: shown by their first lines


class Record:
    """Everything one measurement gathered over its rounds, turned into its result file by `as_dict`."""

    def __init__(self, measurement):
        self.measurement = measurement
        self.round_reports = []  # one per round, None when the round produced no report
        self.codes = []
        self.errors = []
        self.rejected = 0  # runs rejected for other work on the server's core
        self.kept_noisy = 0  # rounds whose last allowed attempt was rejected too, and kept
        self.interference = []
        self.last = None

    def add(self, attempt):
        self.round_reports.append(attempt.report)
        self.codes.append(attempt.code)
        if attempt.error:
            self.errors.append(attempt.error)
        if attempt.typed or self.last is None:
            self.last = attempt

    def as_dict(self, workdir):
        m = self.measurement
        reports = [r for r in self.round_reports if r]
        last = self.last or Attempt()
        typed = last.typed or []
        shown_bench = shown(typed, workdir)
        for at, arg in enumerate(typed[:-1]):
            if arg in ("--server-pid", "--redis-pid"):
                shown_bench = shown_bench.replace(f"{arg} {typed[at + 1]}", f"{arg} $PID", 1)
        return {
            "server": m.server,
            "scenario": m.scenario,
            "client": m.client,
            "clients": m.clients,
            "messages": m.messages,
            "payload_bytes": m.payload_bytes,
            "concurrency": m.concurrency,
            "instances": m.instances,
            "store": m.store,
            "permessage_deflate": m.permessage_deflate,
            "drop_share": m.drop_share,
            "generator": m.generator,
            "rounds_planned": m.rounds,
            "rounds": len(reports),
            "rejected_rounds": self.rejected,
            "kept_noisy_rounds": self.kept_noisy,
            "interference": self.interference,
            "results": median_results(reports) if reports else {},
            "round_results": [r["results"] if r else None for r in self.round_reports],
            "failures": merged_failures(reports),
            "exit_codes": self.codes,
            "error": self.errors[0] if self.errors and not reports else "",
            "server_command": " &\n".join(shown(argv, workdir) for argv in last.server_argv),
            "redis_command": " &\n".join(shown(argv, workdir) for argv in last.redis_argv),
            "redis_setup_command": shown(last.redis_setup, workdir) if last.redis_setup else "",
            "bench_command": shown_bench,
            "config_files": {name: head(path, 6 if name in TABLES else 40) for name, path in last.files.items()
                             if os.path.exists(path)},
            "reports": reports,
        }


def measure_round(children, server, measurement, options, bench, workdir, log, record):
    """One round of `measurement`, measured again (up to --max-attempts) while other work used the server's core."""
    for attempt_number in range(1, options.max_attempts + 1):
        attempt = measure_once(children, server, measurement, options, bench, workdir, log)
        noise = attempt.interference
        if noise:
            record.interference.append(noise.as_dict())
        if attempt.error:
            log(f"  failed: {attempt.error}")
        if noise and noise.rejected and not attempt.error:
            record.rejected += 1
            what = (f"other work used CPU {options.server_cpu} for {noise.other_s:.2f} s of {noise.wall_s:.2f} s "
                    f"({noise.other_share:.0%})")
            if attempt_number < options.max_attempts:
                log(f"  rejected: {what}; measuring again")
                continue
            record.kept_noisy += 1
            log(f"  rejected: {what}; kept, as the last of {options.max_attempts} attempts")
        return attempt
    raise AssertionError("unreachable")


def head(path, lines=6, width=200):
    """The start of a generated config file, as BENCHMARKS.md shows it."""
    with open(path) as f:
        text = [line[:width] for line in f.read().splitlines()]
    if len(text) <= lines:
        return "\n".join(text)
    return "\n".join(text[:lines] + [f"    # … {len(text) - lines:,} more lines like these, one per client"])


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


def clear_results(directory):
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith((".json", ".png")):
            os.remove(os.path.join(directory, name))


def build_servers(setup, options, herald_binary):
    """The servers to measure, in the order asked; one that cannot be built is skipped (and said so)."""
    servers = []
    for name in options.servers:
        if name == "herald":
            servers.append(Herald(herald_binary, options.herald_log_level))
        elif name == "floor":
            binary = setup.floor()
            if binary:
                servers.append(Floor(binary))
        elif name == "python-socketio":
            peer = setup.peer()
            if peer:
                servers.append(peer)
    return servers


def run_plan(servers, options, bench, results_dir, setup, log, skipped_scenarios=()):
    """Every measurement, interleaved group by group (`plan.schedule`); each is written to its result file once
    its last round is done."""
    by_name = {server.name: server for server in servers}
    done = []
    workdir = tempfile.mkdtemp(prefix="herald-bench-")
    try:
        with Children() as children:
            unserved = set()
            for server in servers:
                if SSE in server.clients and SSE in options.fanout_clients and "fanout" in options.scenarios:
                    reason = event_stream_refusal(children, server, options, workdir)
                    if reason:
                        unserved.add((server.name, SSE))
                        setup.skip(server.name, reason, client=SSE)
            plan = measurements(servers, options, unserved, skipped_scenarios)
            records = {m: Record(m) for m in plan}
            order = schedule(plan)
            log(f"{len(plan)} measurements, {len(order)} runs")
            for measurement, round_number in order:
                log(f"{measurement.title}, round {round_number}/{measurement.rounds}")
                record = records[measurement]
                record.add(measure_round(children, by_name[measurement.server], measurement, options, bench, workdir,
                                         log, record))
                if round_number == measurement.rounds:
                    result = record.as_dict(workdir)
                    path = os.path.join(results_dir, f"{measurement.key}.json")
                    result["result_file"] = relative(path)
                    write_json(path, result)
                    done.append(result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return done


def event_stream_refusal(children, server, options, workdir):
    """Why `server` cannot be measured with SSE clients, or '' when it can. It is started once and asked for
    `GET /sse/<site>` without a token: a build that serves event streams refuses that with a 4xx of its own (401),
    one without the endpoint answers 404."""
    launch = server.launch(SiteSetup(clients=1), workdir, options.server_cpu)
    log_path = os.path.join(workdir, f"{server.name}-sse-probe.server.log")
    process = children.start(launch.argv, log_path, env=launch.env, cwd=workdir)
    try:
        wait_until_healthy(process, launch, log_path)
        connection = http.client.HTTPConnection("127.0.0.1", launch.port, timeout=10)
        try:
            connection.request("GET", f"/sse/{SITE}", headers={"Accept": "text/event-stream"})
            status = connection.getresponse().status
        finally:
            connection.close()
    except (ProcessError, OSError) as error:
        return f"the probe for /sse could not reach the server: {error}"
    finally:
        children.stop(process)
    if status == 404:
        return f"this build does not serve Server-Sent Events (GET /sse/{SITE} answered 404)"
    return ""


def summarize(args, options, servers, setup, done, started):
    """The run as one dict: summary.json, and what BENCHMARKS.md and the chart are drawn from."""
    floor_skipped = next((s["reason"] for s in setup.skipped if s["server"] == "floor" and not s.get("client")), "")
    if "floor" not in options.servers:
        floor_skipped = "not selected (--servers)"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "make bench" + (f' BENCH_ARGS="{command_line(args)}"' if args else ""),
        "options": vars(options),
        "machine": machine.describe(),
        "servers": {s.name: {"label": s.label, "description": DESCRIPTIONS[s.name].format(
            log_level=options.herald_log_level, build_dir=options.build_dir)} for s in servers},
        "skipped": setup.skipped,
        "setup_commands": setup.commands,
        "measurements": [{k: v for k, v in m.items() if k != "reports"} for m in done],
        "verdicts": [v.as_dict() for v in verdicts(done, floor_skipped)],
        "duration_s": round(time.monotonic() - started, 1),
        "chart": "",
    }


def publish(summary, options, results_dir, chart_python):
    """Writes summary.json, the chart (when matplotlib is at hand) and BENCHMARKS.md."""
    summary_path = os.path.join(results_dir, "summary.json")
    write_json(summary_path, summary)
    if chart_python and any(m["scenario"] == "fanout" and m["results"] for m in summary["measurements"]):
        chart = os.path.join(results_dir, "fanout.png")
        drawn = subprocess.run([chart_python, os.path.join(ROOT, "bench", "chart.py"), summary_path, chart])
        if drawn.returncode == 0:
            summary["chart"] = relative(chart)
            write_json(summary_path, summary)
    markdown = replace_section(render(summary), reliability_section(os.path.join(ROOT, "bench", "results", "chaos")))
    with open(at_root(options.markdown), "w") as f:
        f.write(markdown)


def keep_off_the_server_core(options, log):
    """Pins the harness itself to herald-bench's core, so its own work never counts against a round."""
    try:
        os.sched_setaffinity(0, {options.bench_cpu})
    except (AttributeError, OSError) as error:
        log(f"warning: the harness could not pin itself to CPU {options.bench_cpu}: {error}")


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    options = parse_options(args)
    started = time.monotonic()

    def log(text):
        print(f"[bench {time.monotonic() - started:6.1f}s] {text}", flush=True)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even where the shell started it ignoring SIGINT
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    hard = raise_file_limit()
    keep_off_the_server_core(options, log)
    biggest = max([*options.clients, options.connect_clients, options.idle_clients, *options.reliable_clients])
    if hard < biggest + 1000:
        log(f"warning: the open-file hard limit is {hard}; {biggest:,} clients need about {biggest + 1000:,}")

    setup = Setup(options, log)
    herald_binary, bench = setup.swift_products()
    servers = build_servers(setup, options, herald_binary)
    chart_python = setup.chart_python()
    results_dir = at_root(options.results_dir)
    clear_results(results_dir)
    unavailable = setup.unavailable_scenarios(bench)
    done = run_plan(servers, options, bench, results_dir, setup, log, unavailable)
    summary = summarize(args, options, servers, setup, done, started)
    publish(summary, options, results_dir, chart_python)

    log(f"wrote {relative(at_root(options.markdown))} and {relative(results_dir)}/ in "
        f"{summary['duration_s'] / 60:.1f} minutes")
    for verdict in summary["verdicts"]:
        log(f"  {verdict['status']:>12}: {verdict['target']} ({verdict['limit']}): {verdict['measured']}")
    failed = [m for m in done if m["error"]]
    for m in failed:
        protocol = "" if m["client"] == "socketio" else f" {m['client']}"
        log(f"no result: {m['server']}{protocol} {m['scenario']} {m['clients']}: {m['error'].splitlines()[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("[bench] interrupted: every process it started is stopped", file=sys.stderr)
        sys.exit(130)
