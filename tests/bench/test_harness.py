"""The benchmark harness (bench/run.py) end to end at tiny sizes: a real run of Herald and the floor server through
the scenarios (fan-out with Socket.IO and plain WebSocket JSON clients, one /send in flight, the reliable path in
memory and on a real redis-server, several instances on one Redis, the connect storm, idle, wide payloads), fan-out
and reliable delivery on a real six-node Redis Cluster beside one redis-server (a run of its own), what it
writes, the interleaved pairs and target verdicts it derives from herald-bench's JSON, how it reports a missing
floor, herald-bench flag or load generator, bad flags, that it leaves no server behind when stopped; and, without
any server, the rejection of rounds where other work used the server's core (fed fake /proc samples)."""

import copy
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import run as harness_run  # noqa: E402
from harness import cpu  # noqa: E402
from harness import redis as redis_server  # noqa: E402
from harness.plan import REDIS_CLUSTER, SCENARIOS  # noqa: E402
from harness.processes import Children  # noqa: E402
from harness.results import MET, MISSED, NOT_MEASURED, REPORTED, floor_ratio, pair_ratios, ratio, verdicts  # noqa: E402

BUILD_DIR = os.environ.get("HERALD_BUILD_DIR", ".build/debug")
# The floor's source lives beside the repository, not in it (HERALD_FLOOR_SOURCE names it for a checkout elsewhere,
# such as a git worktree); without it the run reports the floor as skipped and the tests check that report instead
# of the floor's numbers.
FLOOR_SOURCE = os.environ.get("HERALD_FLOOR_SOURCE", os.path.join(ROOT, "..", "shared", "bench", "floor_server.c"))
FLOOR_PRESENT = os.path.isfile(FLOOR_SOURCE)
REDIS_PRESENT = shutil.which("redis-server") is not None
REDIS_CLUSTER_PRESENT = REDIS_PRESENT and shutil.which("redis-cli") is not None
CROSSCHECK_PRESENT = os.path.isfile(os.path.join(ROOT, "bench", "crosscheck", "client.py"))
CLIENTS, MESSAGES, RELIABLE_CLIENTS, CLUSTER_CLIENTS = 100, 200, 20, 30  # 20,000 deliveries: CPU ticks for a ratio
ROUNDS = 2

TINY = [
    "--no-build", "--build-dir", BUILD_DIR, "--chart-venv", "", "--quick", "--max-attempts", "1",
    "--clients", str(CLIENTS), "--messages", str(MESSAGES), "--serial-clients", str(CLIENTS),
    "--connect-clients", str(CLIENTS), "--idle-clients", str(CLIENTS), "--idle-hold-seconds", "2",
    "--idle-ping-interval-ms", "1000",
    "--reliable-clients", str(RELIABLE_CLIENTS), "--reliable-messages", "40", "--redis-clients", str(RELIABLE_CLIENTS),
    "--cluster-clients", str(CLUSTER_CLIENTS), "--crosscheck-clients", str(RELIABLE_CLIENTS),
    "--payload-sizes", "4096", "--payload-clients", "50", "--compression-clients", "50",
]


def bench(args, out, timeout=200):
    argv = [sys.executable, os.path.join(ROOT, "bench", "run.py"), *TINY, *args,
            "--results-dir", str(out / "results"), "--markdown", str(out / "BENCHMARKS.md")]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def load(path):
    with open(path) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    # The Redis Cluster scenario runs on its own (`redis_cluster_run`), so a failure there is told apart.
    scenarios = ",".join(s for s in SCENARIOS if s != REDIS_CLUSTER)
    done = bench(["--servers", "herald,floor", "--fanout-clients", "socketio,websocket-json", "--scenarios", scenarios,
                  "--floor-source", os.path.relpath(FLOOR_SOURCE, ROOT)], out)
    assert done.returncode == 0, done.stdout + done.stderr
    (out / "console.txt").write_text(done.stdout)
    return out


def summary_of(run):
    return load(run / "results" / "summary.json")


def verdict(summary, title_start):
    return next(v for v in summary["verdicts"] if v["target"].startswith(title_start))


def skipped_scenarios(summary):
    return {s["scenario"]: s["reason"] for s in summary["skipped"] if s.get("scenario")}


def test_every_measurement_gets_a_result_file_with_the_median_of_its_rounds(run):
    summary = summary_of(run)
    expected = {f"herald-fanout-{CLIENTS}", f"herald-websocket-json-fanout-{CLIENTS}", f"herald-fanout-serial-{CLIENTS}",
                f"herald-connect-{CLIENTS}", f"herald-idle-{CLIENTS}", f"herald-payload-4096b-50",
                f"herald-fanout-{RELIABLE_CLIENTS}", f"herald-reliable-{RELIABLE_CLIENTS}",
                f"herald-reliable-drop-{RELIABLE_CLIENTS}"}
    if REDIS_PRESENT:
        expected |= {f"herald-reliable-redis-{RELIABLE_CLIENTS}", f"herald-redis-fanout-{CLUSTER_CLIENTS}",
                     f"herald-cluster-fanout-{CLUSTER_CLIENTS}", f"herald-reliable-redis-{CLUSTER_CLIENTS}",
                     f"herald-cluster-reliable-{CLUSTER_CLIENTS}"}
    if "compression" not in skipped_scenarios(summary):
        expected |= {"herald-compression-4096b-50", "herald-compression-4096b-deflate-50"}
    if CROSSCHECK_PRESENT:
        expected |= {f"herald-crosscheck-fanout-{RELIABLE_CLIENTS}", f"herald-crosscheck-reliable-{RELIABLE_CLIENTS}"}
    if FLOOR_PRESENT:
        expected |= {f"floor-fanout-{CLIENTS}", f"floor-fanout-serial-{CLIENTS}", f"floor-idle-{CLIENTS}",
                     "floor-payload-4096b-50"}
    files = {name[:-5] for name in os.listdir(run / "results") if name.endswith(".json")}
    assert files == expected | {"summary"}
    herald = load(run / "results" / f"herald-fanout-{CLIENTS}.json")
    assert herald["rounds"] == ROUNDS and len(herald["reports"]) == ROUNDS and len(herald["round_results"]) == ROUNDS
    for key in ("deliveries_per_s", "server_cpu_us_per_delivery", "latency_p99_ms"):
        assert herald["results"][key] == statistics.median(r["results"][key] for r in herald["reports"])
    assert herald["results"]["delivered"] == CLIENTS * MESSAGES
    assert herald["results"]["lost"] == 0
    assert "taskset -c 0" in herald["server_command"] and "taskset -c 1" in herald["bench_command"]
    # Every run was watched for other work on the server's core.
    assert len(herald["interference"]) == ROUNDS
    assert all(set(i) == {"wall_s", "core_s", "servers_s", "other_s", "rejected"} for i in herald["interference"])


def test_rounds_are_interleaved_floor_then_herald(run):
    if not FLOOR_PRESENT:
        pytest.skip("no floor source")
    summary = summary_of(run)
    measured = [m for m in summary["measurements"] if m["clients"] == CLIENTS and m["scenario"] == "fanout"]
    assert {m["server"]: m["rounds"] for m in measured if m["client"] == "socketio"} == {"floor": ROUNDS, "herald": ROUNDS}
    assert next(m for m in measured if m["client"] == "websocket-json")["rounds"] == 1  # no verdict rests on it
    console = (run / "console.txt").read_text()
    order = [console.index(f"{server} fanout {CLIENTS} clients, round {n}/{ROUNDS}")
             for n in range(1, ROUNDS + 1) for server in ("floor", "herald")]
    assert order == sorted(order)


def test_the_floor_ratio_is_the_median_of_per_round_pairs(run):
    summary = summary_of(run)
    if not FLOOR_PRESENT:
        assert floor_ratio(summary["measurements"], "herald", CLIENTS) is None
        assert "**floor: skipped** — its source is not at" in (run / "BENCHMARKS.md").read_text()
        return
    herald = load(run / "results" / f"herald-fanout-{CLIENTS}.json")
    floor = load(run / "results" / f"floor-fanout-{CLIENTS}.json")
    pairs = [h["server_cpu_us_per_delivery"] / f["server_cpu_us_per_delivery"]
             for h, f in zip(herald["round_results"], floor["round_results"])]
    assert len(pairs) == ROUNDS
    assert floor_ratio(summary["measurements"], "herald", CLIENTS) == pytest.approx(statistics.median(pairs))
    markdown = (run / "BENCHMARKS.md").read_text()
    assert f"| {CLIENTS} | Herald | Socket.IO | {MESSAGES} | {ROUNDS}" in markdown
    assert f"{statistics.median(pairs):.2f}× ({min(pairs):.2f}–{max(pairs):.2f})" in markdown


def test_reliable_path_at_max_rate_reports_acked_deliveries_beside_fanout(run):
    summary = summary_of(run)
    for scenario in ("reliable", "reliable-drop"):
        result = load(run / "results" / f"herald-{scenario}-{RELIABLE_CLIENTS}.json")
        assert result["rounds"] == ROUNDS
        r = result["results"]
        assert r["lost"] == 0 and r["duplicated"] == 0 and r["clients_joined"] == RELIABLE_CLIENTS
        assert r["acked_deliveries_per_s"] > 0 and r["server_cpu_us_per_delivery"] > 0
        assert "--rate 0" in result["bench_command"]
    drop = load(run / "results" / f"herald-reliable-drop-{RELIABLE_CLIENTS}.json")
    assert drop["results"]["clients_dropped_on_purpose"] == RELIABLE_CLIENTS // 5
    fanout = load(run / "results" / f"herald-fanout-{RELIABLE_CLIENTS}.json")
    assert fanout["rounds"] == ROUNDS  # the ratio's denominator, interleaved with it
    pairs = pair_ratios(drop, fanout, "acked_deliveries_per_s", "deliveries_per_s")
    assert len(pairs) == ROUNDS
    markdown = (run / "BENCHMARKS.md").read_text()
    assert "## Reliable delivery" in markdown and "in memory, devices dropping" in markdown
    # 1,000 and 10,000 devices did not run at this size, and say so rather than pass.
    assert verdict(summary, "Reliable path in memory, acked deliveries/s, 1,000 devices")["status"] == NOT_MEASURED


@pytest.mark.skipif(not REDIS_PRESENT, reason="redis-server is not installed")
def test_reliable_on_redis_counts_redis_cpu_on_its_own(run):
    summary = summary_of(run)
    result = load(run / "results" / f"herald-reliable-redis-{RELIABLE_CLIENTS}.json")
    r = result["results"]
    assert r["lost"] == 0 and r["duplicated"] == 0
    assert r["redis_cpu_us_per_delivery"] >= 0 and r["server_cpu_us_per_delivery"] > 0
    assert "redis-server --port" in result["redis_command"] and "taskset -c 0" in result["redis_command"]
    assert "--redis-pid $PID" in result["bench_command"]
    assert "redis:" in result["config_files"]["config.yml"]
    status = verdict(summary, "Reliable path on Redis")
    memory = load(run / "results" / f"herald-reliable-{RELIABLE_CLIENTS}.json")
    expected = ratio(memory, result, "server_cpu_us_per_delivery")  # Herald's CPU per acked delivery, Redis apart
    assert status["status"] == (MET if expected.median >= 0.5 else MISSED)
    assert f"{expected.pairs} pairs" in status["measured"] and "Redis" in status["measured"]


@pytest.mark.skipif(not REDIS_PRESENT, reason="redis-server is not installed")
def test_several_instances_share_the_clients_and_sum_their_cpu(run):
    summary = summary_of(run)
    cluster = load(run / "results" / f"herald-cluster-fanout-{CLUSTER_CLIENTS}.json")
    assert cluster["instances"] == 3
    assert cluster["bench_command"].count("--url ") == 3 and cluster["bench_command"].count("--server-pid ") == 3
    assert cluster["server_command"].count("serve --config") == 3
    r = cluster["results"]
    assert r["clients_joined"] == CLUSTER_CLIENTS and r["lost"] == 0 and r["duplicated"] == 0
    assert r["delivered"] == CLUSTER_CLIENTS * r["sends_accepted"]
    assert "redis_cpu_us_per_delivery" in r
    reliable = load(run / "results" / f"herald-cluster-reliable-{CLUSTER_CLIENTS}.json")["results"]
    assert reliable["lost"] == 0 and reliable["duplicated"] == 0
    assert verdict(summary, "Fan-out on several instances")["status"] in (MET, MISSED)
    assert verdict(summary, "Reliable path on several instances")["status"] == REPORTED
    assert "## Several instances on one Redis" in (run / "BENCHMARKS.md").read_text()


def test_the_redis_cluster_comes_up_with_three_masters_and_leaves_no_process(tmp_path):
    if not REDIS_CLUSTER_PRESENT:
        pytest.skip("redis-server or redis-cli is not installed")
    with Children() as children:
        cluster = redis_server.start_cluster(children, str(tmp_path), 0)
        pids = cluster.pids
        assert len(pids) == 6 and len(set(pids)) == 6
        info = redis_server.fields(redis_server.command(cluster.nodes[0].port, "CLUSTER", "INFO"))
        assert info["cluster_state"] == "ok" and info["cluster_slots_ok"] == "16384" and info["cluster_size"] == "3"
        assert len(cluster.masters()) == 3
        assert cluster.url == "redis+cluster://" + ",".join(f"127.0.0.1:{node.port}" for node in cluster.nodes)
        assert all(argv[:3] == ["taskset", "-c", "0"] for argv in cluster.argvs)
    assert [pid for pid in pids if alive(pid)] == []


@pytest.fixture(scope="module")
def redis_cluster_run(tmp_path_factory):
    """The redis-cluster scenario at tiny sizes: needs a Herald that reads `redis+cluster://` seed lists."""
    if not REDIS_CLUSTER_PRESENT:
        pytest.skip("redis-server or redis-cli is not installed")
    out = tmp_path_factory.mktemp("bench-redis-cluster")
    done = bench(["--servers", "herald", "--scenarios", REDIS_CLUSTER, "--redis-cluster-clients", str(CLUSTER_CLIENTS)],
                 out, timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_redis_cluster_runs_fanout_and_reliable_beside_one_redis_on_one_and_three_instances(redis_cluster_run):
    run = redis_cluster_run
    for instances in (1, 3):
        for path in ("fanout", "reliable"):
            result = load(run / "results" / f"herald-redis-cluster-{path}-{instances}x-{CLUSTER_CLIENTS}.json")
            assert result["store"] == REDIS_CLUSTER and result["instances"] == instances
            r = result["results"]
            assert r["lost"] == 0 and r["duplicated"] == 0 and r["clients_joined"] == CLUSTER_CLIENTS
            assert r["redis_cpu_us_per_delivery"] >= 0 and r["server_cpu_us_per_delivery"] > 0
            assert "url: redis+cluster://127.0.0.1:" in result["config_files"]["config.yml"]
            assert result["redis_command"].count("--cluster-enabled yes") == 6
            assert "redis-cli --cluster create" in result["redis_setup_command"]
            assert result["bench_command"].count("--redis-pid $PID") == 6
            assert result["bench_command"].count("--url ") == instances
    fanout = load(run / "results" / f"herald-redis-cluster-fanout-3x-{CLUSTER_CLIENTS}.json")["results"]
    assert fanout["delivered"] == CLUSTER_CLIENTS * fanout["sends_accepted"]
    for twin in ("redis-fanout", "cluster-fanout", "reliable-redis", "cluster-reliable"):
        assert load(run / "results" / f"herald-{twin}-{CLUSTER_CLIENTS}.json")["results"]["lost"] == 0
    markdown = (run / "BENCHMARKS.md").read_text()
    section = markdown.split("## One Redis and a Redis Cluster", 1)[1].split("\n## ", 1)[0]
    assert section.count("| Cluster ÷ one Redis |") == 4  # fan-out and reliable, on 1 and 3 instances
    assert "**failed**" not in section
    assert len(load(run / "results" / "summary.json")["verdicts"]) == 16  # reported, no verdict of its own


def test_idle_reports_cpu_per_connection_per_second(run):
    result = load(run / "results" / f"herald-idle-{CLIENTS}.json")
    assert result["results"]["server_cpu_us_per_connection_per_s"] >= 0
    assert "pingInterval: 1000" in result["config_files"]["config.yml"]
    markdown = (run / "BENCHMARKS.md").read_text()
    assert "Centrifugo publishes 2.0–4.7 µs/s" in markdown


def test_compression_runs_or_is_skipped_with_the_reason(run):
    summary = summary_of(run)
    listed = subprocess.run([os.path.join(ROOT, BUILD_DIR, "herald-bench"), "help", "fanout"], capture_output=True,
                            text=True).stdout
    markdown = (run / "BENCHMARKS.md").read_text()
    if "--permessage-deflate" in listed:
        deflate = load(run / "results" / "herald-compression-4096b-deflate-50.json")
        assert "--permessage-deflate" in deflate["bench_command"]
        assert deflate["results"]["lost"] == 0
    else:
        reason = skipped_scenarios(summary)["compression"]
        assert "`herald-bench help fanout` does not list it" in reason
        assert f"Not measured — {reason}" in markdown
        assert verdict(summary, "permessage-deflate")["status"] == NOT_MEASURED


def test_crosscheck_runs_or_is_skipped_with_the_reason(run):
    summary = summary_of(run)
    if CROSSCHECK_PRESENT:
        assert "## Cross-check with an independent load generator" in (run / "BENCHMARKS.md").read_text()
        return
    assert skipped_scenarios(summary)["crosscheck"] == "the independent load generator bench/crosscheck/client.py is not there"


def test_benchmarks_md_shows_targets_tables_rounds_machine_and_commands(run):
    markdown = (run / "BENCHMARKS.md").read_text()
    for heading in ("## Targets", "## Fan-out", "## Fan-out with one /send in flight", "## Reliable delivery",
                    "## Connect storm through the auth hook", "## Idle connections", "## Payload width", "## Rounds",
                    "## Machine", "## Commands"):
        assert heading in markdown
    assert ("gcc -O2 -o .build-bench/floor_server" in markdown) == FLOOR_PRESENT
    assert "herald-bench fanout --url http://127.0.0.1:" in markdown
    summary = summary_of(run)
    assert len(summary["verdicts"]) == 16
    # The 1,000/5,000-client targets did not run at this size, and say so rather than pass.
    assert verdict(summary, "Fan-out server CPU per delivery, 1,000 clients, 4 senders")["status"] == NOT_MEASURED
    assert verdict(summary, "RSS per idle WebSocket connection, 10,000")["measured"] == f"idle ran at {CLIENTS} clients"
    connect = load(run / "results" / f"herald-connect-{CLIENTS}.json")
    storm = verdict(summary, "Connect storm")
    rates = [r["connections_per_s"] for r in connect["round_results"]]
    expected = MET if statistics.median(rates) >= 5000 and connect["results"]["failed"] == 0 else MISSED
    assert storm["status"] == expected and f"{len(rates)} rounds" in storm["measured"]


def fake_pairs(herald_values, floor_values, scenario="fanout", clients=1000, lost=0):
    """Two measurements with the given per-round server CPU per delivery."""
    def measurement(server, values):
        rounds = [{"server_cpu_us_per_delivery": v, "lost": lost if server == "herald" else 0, "duplicated": 0}
                  for v in values]
        return {"server": server, "scenario": scenario, "client": "socketio", "clients": clients,
                "results": {"server_cpu_us_per_delivery": statistics.median(values), "lost": lost, "duplicated": 0},
                "round_results": rounds}
    return [measurement("herald", herald_values), measurement("floor", floor_values)]


def status(measurements, target_start):
    return next(v for v in verdicts(measurements) if v.target.title.startswith(target_start))


def test_fanout_cpu_verdicts_follow_the_median_pair_and_the_limits():
    one_thousand = "Fan-out server CPU per delivery, 1,000 clients, 4 senders"
    # Pairs 1.0, 1.05, 1.2, 1.3, 1.08: median 1.08 ≤ 1.1 although the medians of each side give 1.1/1.0 = 1.1.
    met = status(fake_pairs([5.0, 5.25, 6.0, 6.5, 5.4], [5.0] * 5), one_thousand)
    assert met.status == MET and "1.08× (1.00–1.30, 5 pairs)" in met.measured
    assert status(fake_pairs([5.6] * 5, [5.0] * 5), one_thousand).status == MISSED
    serial = status(fake_pairs([6.9] * 5, [5.0] * 5, scenario="fanout-serial", clients=5000),
                    "Fan-out server CPU per delivery, 5,000 clients, one /send")
    assert serial.status == MET
    lossy = status(fake_pairs([5.0] * 5, [5.0] * 5, lost=3), one_thousand)
    assert lossy.status == MISSED and "15 lost" in lossy.measured


def test_a_round_is_rejected_when_other_work_used_the_server_core():
    def proc(core_ticks, server_ticks):
        files = {"/proc/stat": f"cpu  1 2 3 4\ncpu0 {core_ticks} 0 0 900 0 0 0 0 0 0\ncpu1 5 0 5 900 0 0 0 0 0 0\n",
                 "/proc/41/stat": f"41 (herald serve) S 1 1 1 0 -1 0 0 0 0 0 {server_ticks} 0 0 0 20 0 4 0"}
        return files.__getitem__

    def sampled(core_ticks, server_ticks, at):
        return cpu.sample(0, [41], reader=proc(core_ticks, server_ticks), clock=lambda: at)

    # 10 s: the core ran processes for 6 s, the server for 5.6 s: 0.4 s (4 %) of other work is accepted.
    quiet = cpu.interference(sampled(1000, 200, 0.0), sampled(1600, 760, 10.0), ticks_per_s=100)
    assert quiet.other_s == pytest.approx(0.4) and not quiet.rejected
    # A build on the core: 1.9 s (19 %) of other work rejects the round.
    busy = cpu.interference(sampled(1000, 200, 0.0), sampled(1750, 760, 10.0), ticks_per_s=100)
    assert busy.other_share == pytest.approx(0.19) and busy.rejected
    # Busy is user + nice + system + irq + softirq (charged to the running process too); idle, iowait, steal not.
    assert cpu.core_process_ticks("cpu1 1 1 1 1 1 1 1 1 0 0\ncpu0 10 1 2 50 3 400 500 70 0 0\n", 0) == 913


def test_rejected_rounds_are_measured_again_and_bounded(monkeypatch):
    noisy = cpu.Interference(wall_s=10.0, core_s=9.0, servers_s=5.0)
    clean = cpu.Interference(wall_s=10.0, core_s=5.1, servers_s=5.0)
    outcomes = iter([noisy, noisy, clean])
    calls = []

    def measure_once(*args):
        calls.append(args)
        return harness_run.Attempt(report={"results": {}}, code=0, interference=next(outcomes))

    monkeypatch.setattr(harness_run, "measure_once", measure_once)
    options = harness_run.parse_options(["--max-attempts", "3"])
    record = harness_run.Record(None)
    attempt = harness_run.measure_round(None, None, None, options, None, None, lambda text: None, record)
    assert attempt.interference is clean and record.rejected == 2 and len(calls) == 3 and record.kept_noisy == 0
    outcomes = iter([noisy] * 5)
    record = harness_run.Record(None)
    calls.clear()
    attempt = harness_run.measure_round(None, None, None, options, None, None, lambda text: None, record)
    assert attempt.interference is noisy and record.rejected == 3 and len(calls) == 3 and record.kept_noisy == 1


def test_quick_means_fewer_rounds():
    assert harness_run.parse_options([]).rounds == 5
    assert harness_run.parse_options(["--quick"]).rounds == 2
    assert harness_run.parse_options(["--quick", "--rounds", "3"]).rounds == 3


def test_a_missing_floor_is_skipped_and_said_so(tmp_path):
    done = bench(["--servers", "herald,floor", "--scenarios", "fanout", "--fanout-clients", "socketio",
                  "--floor-source", "nowhere/floor_server.c", "--rounds", "1"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipping floor: its source is not at nowhere/floor_server.c" in done.stdout
    markdown = (tmp_path / "BENCHMARKS.md").read_text()
    assert "**floor: skipped** — its source is not at nowhere/floor_server.c" in markdown
    summary = load(tmp_path / "results" / "summary.json")
    assert [m["server"] for m in summary["measurements"]] == ["herald"]
    assert summary["verdicts"][0]["status"] == NOT_MEASURED
    assert summary["verdicts"][0]["measured"].startswith("floor skipped: its source is not at")


def test_compression_is_skipped_when_herald_bench_lacks_the_flag(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    real = os.path.join(ROOT, BUILD_DIR)
    os.symlink(os.path.join(real, "herald"), fake / "herald")
    script = fake / "herald-bench"  # herald-bench whose help does not list --permessage-deflate
    script.write_text(f"#!/bin/sh\nif [ \"$1\" = help ]; then echo 'USAGE: herald-bench fanout'; exit 0; fi\n"
                      f"exec {os.path.join(real, 'herald-bench')} \"$@\"\n")
    script.chmod(0o755)
    done = bench(["--servers", "herald", "--scenarios", "compression", "--build-dir", str(fake)], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = load(tmp_path / "results" / "summary.json")
    assert summary["measurements"] == []
    assert "does not list it" in skipped_scenarios(summary)["compression"]
    assert "## Compression" in (tmp_path / "BENCHMARKS.md").read_text()


def test_an_unknown_server_is_a_clear_error(tmp_path):
    done = bench(["--servers", "herald,nginx"], tmp_path)
    assert done.returncode == 2
    assert "unknown nginx (choose from herald, floor, python-socketio)" in done.stderr
    assert not (tmp_path / "BENCHMARKS.md").exists()


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_stopping_the_bench_stops_the_server_it_started(tmp_path):
    argv = [sys.executable, os.path.join(ROOT, "bench", "run.py"), *TINY, "--servers", "herald", "--scenarios", "idle",
            "--idle-hold-seconds", "60", "--results-dir", str(tmp_path / "results"),
            "--markdown", str(tmp_path / "BENCHMARKS.md")]
    bench_process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        children = []
        while time.monotonic() < deadline and len(children) < 2:  # the server and herald-bench
            time.sleep(0.2)
            children = children_of(bench_process.pid)
        assert len(children) == 2, "the bench did not start a server and herald-bench"
        bench_process.send_signal(signal.SIGTERM)
        assert bench_process.wait(timeout=30) != 0
        assert [pid for pid in children if alive(pid)] == []
        assert not (tmp_path / "BENCHMARKS.md").exists()
    finally:
        if bench_process.poll() is None:
            bench_process.kill()
            bench_process.wait()
