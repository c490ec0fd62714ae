"""The benchmark harness (bench/run.py) end to end at tiny sizes: a real run of Herald and the floor server
through every scenario, Herald's fan-out with Socket.IO, plain WebSocket JSON and (when the build serves it) SSE
clients, what it writes, the floor ratios and target verdicts it derives from herald-bench's JSON, how it reports a
missing floor or endpoint, bad flags, and that it leaves no server behind when stopped."""

import copy
import json
import os
import signal
import statistics
import subprocess
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from harness.results import MET, MISSED, NOT_MEASURED, floor_ratio, verdicts  # noqa: E402

BUILD_DIR = os.environ.get("HERALD_BUILD_DIR", ".build/debug")
# The floor's source lives beside the repository, not in it (HERALD_FLOOR_SOURCE names it for a checkout elsewhere,
# such as a git worktree); without it the run reports the floor as skipped and the tests check that report instead
# of the floor's numbers.
FLOOR_SOURCE = os.environ.get("HERALD_FLOOR_SOURCE", os.path.join(ROOT, "..", "shared", "bench", "floor_server.c"))
FLOOR_PRESENT = os.path.isfile(FLOOR_SOURCE)
CLIENTS, MESSAGES, RELIABLE_CLIENTS = 100, 200, 10  # 20,000 deliveries: enough CPU ticks for a ratio

TINY = [
    "--no-build", "--build-dir", BUILD_DIR, "--chart-venv", "",
    "--clients", str(CLIENTS), "--messages", str(MESSAGES),
    "--connect-clients", str(CLIENTS), "--idle-clients", str(CLIENTS), "--idle-hold-seconds", "1",
    "--reliable-clients", str(RELIABLE_CLIENTS), "--reliable-messages", "20", "--reliable-rate", "50",
]


def bench(args, out, timeout=150):
    argv = [sys.executable, os.path.join(ROOT, "bench", "run.py"), *TINY, *args,
            "--results-dir", str(out / "results"), "--markdown", str(out / "BENCHMARKS.md")]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def load(path):
    with open(path) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    done = bench(["--servers", "herald,floor", "--rounds", "2", "--floor-source", os.path.relpath(FLOOR_SOURCE, ROOT)], out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def sse_skip(summary):
    """Why the run measured no SSE clients (the build does not serve /sse), or None when it did."""
    return next((s["reason"] for s in summary["skipped"] if s.get("client") == "sse"), None)


def test_every_measurement_gets_a_result_file_with_the_median_of_its_rounds(run):
    expected = {f"herald-fanout-{CLIENTS}", f"herald-websocket-json-fanout-{CLIENTS}", f"herald-connect-{CLIENTS}",
                f"herald-idle-{CLIENTS}", f"herald-reliable-{RELIABLE_CLIENTS}"}
    if sse_skip(load(run / "results" / "summary.json")) is None:
        expected.add(f"herald-sse-fanout-{CLIENTS}")
    if FLOOR_PRESENT:
        expected |= {f"floor-fanout-{CLIENTS}", f"floor-idle-{CLIENTS}"}
    files = {name[:-5] for name in os.listdir(run / "results") if name.endswith(".json")}
    assert files == expected | {"summary"}
    herald = load(run / "results" / f"herald-fanout-{CLIENTS}.json")
    assert herald["rounds"] == 2 and len(herald["reports"]) == 2
    for key in ("deliveries_per_s", "server_cpu_us_per_delivery", "latency_p99_ms"):
        assert herald["results"][key] == statistics.median(r["results"][key] for r in herald["reports"])
    assert herald["results"]["delivered"] == CLIENTS * MESSAGES
    assert herald["results"]["lost"] == 0
    assert "taskset -c 0" in herald["server_command"] and "taskset -c 1" in herald["bench_command"]


def test_the_floor_ratio_is_herald_cpu_over_the_floor_cpu_of_the_same_run(run):
    summary = load(run / "results" / "summary.json")
    if not FLOOR_PRESENT:
        assert floor_ratio(summary["measurements"], "herald", CLIENTS) is None
        assert "**floor: skipped** — its source is not at" in (run / "BENCHMARKS.md").read_text()
        return
    herald = load(run / "results" / f"herald-fanout-{CLIENTS}.json")["results"]["server_cpu_us_per_delivery"]
    floor = load(run / "results" / f"floor-fanout-{CLIENTS}.json")["results"]["server_cpu_us_per_delivery"]
    ratio = floor_ratio(summary["measurements"], "herald", CLIENTS)
    assert ratio == pytest.approx(herald / floor)
    markdown = (run / "BENCHMARKS.md").read_text()
    assert f"| {CLIENTS} | Herald | " in markdown and f"| {ratio:.2f}× |" in markdown


@pytest.mark.parametrize("client", ["websocket-json", "sse"])
def test_herald_fanout_with_plain_clients_counts_every_delivery_beside_the_floor(run, client):
    summary = load(run / "results" / "summary.json")
    markdown = (run / "BENCHMARKS.md").read_text()
    label = {"websocket-json": "plain WebSocket JSON", "sse": "SSE"}[client]
    if client == "sse" and sse_skip(summary):
        assert "answered 404" in sse_skip(summary)
        assert f"SSE clients of Herald: not measured — {sse_skip(summary)}" in markdown
        assert "**Herald with SSE clients: skipped** — " in markdown
        return
    result = load(run / "results" / f"herald-{client}-fanout-{CLIENTS}.json")
    assert result["client"] == client and result["rounds"] == 2
    assert result["results"]["clients_joined"] == CLIENTS
    assert result["results"]["delivered"] == CLIENTS * MESSAGES
    assert result["results"]["lost"] == 0 and result["results"]["duplicated"] == 0
    assert result["results"]["malformed"] == 0
    assert f"--client {client}" in result["bench_command"]
    assert all(report["parameters"]["client"] == client for report in result["reports"])
    ratio = floor_ratio(summary["measurements"], "herald", CLIENTS, client=client)
    row = f"| {CLIENTS} | Herald | {label} | {MESSAGES} | "
    assert row in markdown
    if FLOOR_PRESENT:
        floor = load(run / "results" / f"floor-fanout-{CLIENTS}.json")["results"]["server_cpu_us_per_delivery"]
        assert ratio == pytest.approx(result["results"]["server_cpu_us_per_delivery"] / floor)
        assert f"| {ratio:.2f}× |" in markdown.split(row, 1)[1].splitlines()[0]
    else:
        assert ratio is None


def test_benchmarks_md_shows_targets_tables_machine_and_commands(run):
    markdown = (run / "BENCHMARKS.md").read_text()
    for heading in ("## Targets", "## Fan-out", "## Connect storm through the auth hook", "## Idle connections",
                    "## Reliable delivery", "## Machine", "## Commands"):
        assert heading in markdown
    assert ("gcc -O2 -o .build-bench/floor_server" in markdown) == FLOOR_PRESENT
    assert "herald-bench fanout --url http://127.0.0.1:" in markdown
    summary = load(run / "results" / "summary.json")
    by_target = {v["target"]: v for v in summary["verdicts"]}
    # The 1,000/5,000/10,000-client targets did not run at this size, and say so rather than pass.
    assert by_target["Fan-out server CPU per delivery, 1,000 clients in one room"]["status"] == NOT_MEASURED
    assert by_target["RSS per idle WebSocket connection, 10,000 clients"]["measured"] == f"idle ran at {CLIENTS} clients"
    reliable = load(run / "results" / f"herald-reliable-{RELIABLE_CLIENTS}.json")["results"]
    assert reliable["lost"] == 0 and reliable["duplicated"] == 0
    assert by_target["Reliable path: clients dropping and reconnecting"]["status"] == MET
    connect = load(run / "results" / f"herald-connect-{CLIENTS}.json")["results"]
    expected = MET if connect["connections_per_s"] >= 5000 and connect["failed"] == 0 else MISSED
    assert by_target["Connect storm through the auth hook"]["status"] == expected


def at_size(measurements, clients, herald_cpu_ratio=None, lost=0):
    """The run's real fan-out measurements relabelled to `clients`, Herald's CPU set to a multiple of the floor's."""
    moved = copy.deepcopy([m for m in measurements if m["scenario"] == "fanout"])
    floor = next((m for m in moved if m["server"] == "floor"), None)
    if floor is None:  # no floor source here: Herald's own measurement stands in for the floor's
        floor = copy.deepcopy(next(m for m in moved if m["server"] == "herald"))
        floor["server"] = "floor"
        moved.append(floor)
    for m in moved:
        m["clients"] = clients
        if m["server"] == "herald":
            if herald_cpu_ratio is not None:
                m["results"]["server_cpu_us_per_delivery"] = herald_cpu_ratio * floor["results"]["server_cpu_us_per_delivery"]
            m["results"]["lost"] = lost
    return moved


def status(measurements, target):
    return next(v for v in verdicts(measurements) if v.target.title == target)


def test_fanout_cpu_verdicts_follow_the_limits(run):
    measurements = load(run / "results" / "summary.json")["measurements"]
    one_thousand = "Fan-out server CPU per delivery, 1,000 clients in one room"
    ten_thousand = "Fan-out server CPU per delivery, 10,000 clients in one room"
    assert status(at_size(measurements, 1000, 1.29), one_thousand).status == MET
    assert status(at_size(measurements, 1000, 1.31), one_thousand).status == MISSED
    assert status(at_size(measurements, 10000, 1.45), ten_thousand).status == MET
    assert status(at_size(measurements, 10000, 1.55), ten_thousand).status == MISSED
    lossy = status(at_size(measurements, 1000, 1.0, lost=3), one_thousand)
    assert lossy.status == MISSED and "3 lost" in lossy.measured


def test_a_missing_floor_is_skipped_and_said_so(tmp_path):
    done = bench(["--servers", "herald,floor", "--scenarios", "fanout", "--fanout-clients", "socketio",
                  "--floor-source", "nowhere/floor_server.c"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipping floor: its source is not at nowhere/floor_server.c" in done.stdout
    markdown = (tmp_path / "BENCHMARKS.md").read_text()
    assert "**floor: skipped** — its source is not at nowhere/floor_server.c" in markdown
    summary = load(tmp_path / "results" / "summary.json")
    assert [m["server"] for m in summary["measurements"]] == ["herald"]
    assert summary["verdicts"][0]["status"] == NOT_MEASURED
    assert summary["verdicts"][0]["measured"].startswith("floor skipped: its source is not at")


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
