"""Hot reload of sites.yml while clients are connected: SIGHUP and `herald reload --pid` add, remove and change
sites; an invalid file is refused with its error logged and the running sites kept."""
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BUILD_DIR, RunningHerald

KEYS = {name: f"{name}-api-key-0123456789" for name in ("alpha", "beta", "gamma")}
NEW_ALPHA_KEY = "alpha-rotated-key-0123456789"


def site(hooks, name, key=None, extra=""):
    return f"{name}:\n  authUrl: {hooks.url}/auth\n  apiKey: {key or KEYS[name]}\n{extra}"


@pytest.fixture
def herald(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, sites=site(hooks, "alpha") + site(hooks, "beta"))
        yield running
        running.assert_alive()
        running.stop()


def log_entries(herald, prefix):
    entries = [json.loads(line) for line in herald.output().splitlines() if line.strip()]
    return [e for e in entries if e["message"].startswith(prefix)]


def reload_by_signal(herald, sites_text, expect="sites reloaded"):
    """Writes sites.yml, sends SIGHUP and waits for the reload's log line; returns it."""
    before = len(log_entries(herald, expect))
    with open(herald.sites_path, "w") as f:
        f.write(sites_text)
    herald.process.send_signal(signal.SIGHUP)
    return wait_for_log(herald, expect, before)


def wait_for_log(herald, prefix, before, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        entries = log_entries(herald, prefix)
        if len(entries) > before:
            return entries[-1]
        time.sleep(0.05)
    raise AssertionError(f"no new {prefix!r} log line within {timeout}s: {herald.output()[-2000:]}")


def reload_command(herald):
    return subprocess.run(
        [
            os.path.join(BUILD_DIR, "herald"),
            "reload",
            "--pid",
            str(herald.process.pid),
            "--config",
            herald.config_path,
            "--sites",
            herald.sites_path,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "HERALD_ENV": "test"},
    )


def send(herald, site_name, key, room="news"):
    return requests.post(
        f"{herald.url}/send",
        params={"site": site_name, "apiKey": key},
        json={"rooms": [room], "event": "news", "args": [site_name]},
        timeout=5,
    )


def test_added_site_accepts_connections_and_sends(herald, hooks, clients):
    assert clients("gamma", "good-1", expect_success=False).errors == ["Invalid namespace"]
    line = reload_by_signal(herald, site(hooks, "alpha") + site(hooks, "beta") + site(hooks, "gamma"))
    assert (line["added"], line["removed"], line["changed"]) == (["gamma"], [], [])
    client = clients("gamma", "good-2")
    assert send(herald, "gamma", KEYS["gamma"]).status_code == 200
    assert client.wait_for("news") == [["gamma"]]


def test_removed_site_disconnects_its_clients_and_refuses_new_ones(herald, hooks, clients):
    leaving = clients("beta", "good-1")
    staying = clients("alpha", "good-2")
    line = reload_by_signal(herald, site(hooks, "alpha"))
    assert (line["added"], line["removed"], line["changed"]) == ([], ["beta"], [])
    assert wait_until(lambda: not leaving.client.connected or "/beta" not in leaving.client.namespaces)
    assert clients("beta", "good-3", expect_success=False).errors == ["Invalid namespace"]
    refused = send(herald, "beta", KEYS["beta"])
    assert (refused.status_code, refused.text) == (401, "ApiKey invalid.")
    assert send(herald, "alpha", KEYS["alpha"]).status_code == 200
    assert staying.wait_for("news") == [["alpha"]]


def test_changed_key_and_limits_apply_to_new_requests(herald, hooks, clients):
    first = clients("alpha", "good-1")
    clients("alpha", "good-2")
    changed = site(hooks, "alpha", key=NEW_ALPHA_KEY, extra="  maxConnections: 2\n") + site(hooks, "beta")
    line = reload_by_signal(herald, changed)
    assert (line["added"], line["removed"], line["changed"]) == ([], [], ["alpha"])
    old = send(herald, "alpha", KEYS["alpha"])
    assert (old.status_code, old.text) == (401, "ApiKey invalid.")
    assert send(herald, "alpha", NEW_ALPHA_KEY).status_code == 200
    assert first.wait_for("news") == [["alpha"]]  # connected clients stay
    assert clients("alpha", "good-3", expect_success=False).errors == ["Site connection limit reached"]
    clients("beta", "good-4")


def test_invalid_file_is_refused_with_its_error_and_the_running_sites_kept(herald, hooks, clients):
    invalid = site(hooks, "alpha", extra="  maxConnections: -3\n") + site(hooks, "gamma")
    line = reload_by_signal(herald, invalid, expect="sites reload refused")
    assert line["level"] == "error"
    assert herald.sites_path + ":4:19: alpha.maxConnections: must be a positive number of connections" in line["message"]
    assert not log_entries(herald, "sites reloaded")
    assert clients("gamma", "good-1", expect_success=False).errors == ["Invalid namespace"]
    clients("beta", "good-2")
    assert send(herald, "alpha", KEYS["alpha"]).status_code == 200


def test_reload_command_validates_then_signals(herald, hooks, clients):
    refusals = len(log_entries(herald, "sites reload refused"))
    before = len(log_entries(herald, "sites reloaded"))
    with open(herald.sites_path, "w") as f:
        f.write(site(hooks, "alpha") + "beta:\n  apiKey: 12ab\n")
    refused = reload_command(herald)
    assert refused.returncode == 78
    assert f"{herald.sites_path}:5:3: beta: needs authUrl" in refused.stderr
    assert clients("beta", "good-1").connected.is_set()

    with open(herald.sites_path, "w") as f:
        f.write(site(hooks, "alpha") + site(hooks, "gamma"))
    accepted = reload_command(herald)
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == f"sent SIGHUP to {herald.process.pid}: reloading 2 sites (alpha, gamma)"
    line = wait_for_log(herald, "sites reloaded", before)
    assert (line["added"], line["removed"], line["changed"]) == (["gamma"], ["beta"], [])
    # Hang-ups are handled in order: had the refused command signalled, its reload would be logged before this one.
    assert len(log_entries(herald, "sites reloaded")) == before + 1
    assert len(log_entries(herald, "sites reload refused")) == refusals, "the refused command signalled"
    clients("gamma", "good-2")


def test_reload_command_reports_a_process_that_is_gone(herald, tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    result = subprocess.run(
        [os.path.join(BUILD_DIR, "herald"), "reload", "--pid", str(gone.pid), "--config", herald.config_path,
         "--sites", herald.sites_path],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "HERALD_ENV": "test"},
    )
    assert result.returncode == 1
    assert f"cannot signal process {gone.pid}: No such process" in result.stderr


def wait_until(predicate, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_removed_site_disconnects_its_plain_websocket_clients_with_a_reason(herald, hooks):
    from plain_client import PlainClient, wait_connected

    leaving = wait_connected(PlainClient(herald.url, "beta", "good-lou", device=None))
    staying = wait_connected(PlainClient(herald.url, "alpha", "good-mia", device=None))
    try:
        reload_by_signal(herald, site(hooks, "alpha"))
        assert leaving.wait_closed() == 4410
        assert [(m["code"], m["message"]) for m in leaving.of_type("error")] == [("DISCONNECTED", "Disconnected by the server")]
        requests.post(
            f"{herald.url}/send", params={"site": "alpha", "apiKey": KEYS["alpha"]},
            json={"rooms": ["news"], "event": "news", "args": ["still here"]}, timeout=5,
        ).raise_for_status()
        assert [m["args"] for m in staying.wait_for_event("news")] == [["still here"]]
        refused = PlainClient(herald.url, "beta", "good-lou", device=None)
        assert refused.wait_closed() == 4404
    finally:
        leaving.close()
        staying.close()
