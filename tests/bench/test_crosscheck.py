"""The cross-check (bench/crosscheck/compare.py) end to end at tiny sizes: herald-bench and the independent Python
client each drive a fresh Herald through fan-out and reliable delivery, and both must see every message at every
client exactly once, report under herald-bench's result names, and leave no server behind when stopped."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("aiohttp")  # client.py's one dependency (bench/crosscheck/requirements.txt)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("HERALD_BUILD_DIR", ".build/debug")
COMPARE = os.path.join(ROOT, "bench", "crosscheck", "compare.py")
CLIENTS, MESSAGES = 20, 5


def compare_argv(out, *extra):
    return [sys.executable, COMPARE, "--build-dir", BUILD_DIR, "--pairs", "1", "--drain-seconds", "5",
            "--fanout-clients", str(CLIENTS), "--fanout-messages", str(MESSAGES),
            "--reliable-clients", str(CLIENTS), "--reliable-messages", str(MESSAGES), "--reliable-rate", "100",
            "--json", str(out / "crosscheck.json"), *extra]


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    out = tmp_path_factory.mktemp("crosscheck")
    done = subprocess.run(compare_argv(out), cwd=ROOT, capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out / "crosscheck.json") as f:
        return json.load(f)


def test_both_generators_see_every_message_once_in_both_scenarios(document):
    runs = document["runs"]
    assert sorted((r["scenario"], r["generator"]) for r in runs) == [
        ("fanout", "crosscheck-python"), ("fanout", "herald-bench"),
        ("reliable", "crosscheck-python"), ("reliable", "herald-bench")]
    for run in runs:
        results = run["report"]["results"]
        assert results["clients_joined"] == CLIENTS, run
        assert results["expected"] == CLIENTS * MESSAGES, run
        assert results["delivered"] == CLIENTS * MESSAGES, run
        assert results["lost"] == 0 and results["duplicated"] == 0, run
    for summary in document["summaries"]:
        assert summary["deliveries_agree"], summary


def test_reliable_deliveries_were_acked_to_herald(document):
    for run in (r for r in document["runs"] if r["scenario"] == "reliable"):
        assert run["server_acked"] == CLIENTS * MESSAGES, run
    python = next(r for r in document["runs"] if r["scenario"] == "reliable" and r["generator"] == "crosscheck-python")
    assert python["report"]["results"]["acked_deliveries_per_s"] > 0


def test_python_client_reports_under_herald_bench_names(document):
    for scenario in ("fanout", "reliable"):
        reports = {r["generator"]: r["report"] for r in document["runs"] if r["scenario"] == scenario}
        missing = set(reports["herald-bench"]["results"]) - set(reports["crosscheck-python"]["results"])
        assert not missing, f"{scenario}: client.py lacks {sorted(missing)}"
        assert reports["crosscheck-python"]["scenario"] == scenario
        assert "client_cpu_share" in reports["crosscheck-python"]["results"]


def test_tiny_runs_are_not_called_agreement_on_cpu(document):
    """A few hundred deliveries spend a few clock ticks of server CPU: no CPU verdict can be drawn from them."""
    for summary in document["summaries"]:
        assert summary["verdict"] == "inconclusive", summary


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_stopping_the_driver_stops_herald_and_the_generator(tmp_path):
    driver = subprocess.Popen(compare_argv(tmp_path, "--scenarios", "reliable", "--reliable-rate", "1",
                                           "--reliable-messages", "100"),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        started = []
        while len(started) < 2 and time.monotonic() < deadline:  # Herald and the first generator
            started = children_of(driver.pid)
            time.sleep(0.05)
        assert len(started) == 2, "the driver did not start Herald and a generator"
        driver.send_signal(signal.SIGTERM)
        driver.wait(timeout=20)
        for pid in started:
            assert not os.path.exists(f"/proc/{pid}") or zombie(pid), f"process {pid} outlived the driver"
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()


def zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2:].split()[0] == "Z"
