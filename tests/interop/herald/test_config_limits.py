"""Hostile configuration text: `herald check-config` refuses it within a second with a located error and exit 78,
without growing; written into a running server's sites.yml and reloaded, it is refused, the running sites keep
serving and the process does not grow."""
import os
import re
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import BUILD_DIR
from server_state import resident_kib
from test_hot_reload import KEYS, herald, log_entries, send, site, wait_for_log  # noqa: F401 (herald: the fixture)

HERALD = os.path.join(BUILD_DIR, "herald")
# A debug build of check-config reading a valid file peaks near 30 MiB; a bomb must not add to that materially.
CHECK_CONFIG_RSS_BOUND_KIB = 100 * 1024
# A reload that was refused must leave the server within this much of its RSS before the reload.
RELOAD_RSS_GROWTH_BOUND_KIB = 50 * 1024


def merge_key_bomb():
    """~700 bytes: m9 merges ten copies of m8, which merges ten of m7, ... 10^9 keys expanded naively."""
    lines = ["m0: &m0 {k: v}"]
    for level in range(1, 10):
        lines.append(f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 10)}]}}")
    return "\n".join(lines) + "\n"


def billion_laughs():
    """Lists of ten aliases of the list before, nine levels deep, used both as a value and as a mapping key."""
    lines = ["l0: &l0 [lol]"]
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 10)}]")
    lines.append("laughs: *l9")
    lines.append("? *l9\n: x")
    return "\n".join(lines) + "\n"


def ten_thousand_deep():
    return "deep: " + "{a: " * 10_000 + "x" + "}" * 10_000 + "\n"


EXPANDS = "the document expands to more than 16000000 values once its aliases and merge keys (<<) are resolved"
# Each hostile text, the line its error points at, and the error.
HOSTILE = {
    "merge-key bomb": (merge_key_bomb, 8, EXPANDS),
    "billion laughs": (billion_laughs, 8, EXPANDS),
    "10,000-deep mapping": (ten_thousand_deep, 1, "nested more than 64 levels deep"),
}


def located(path, line, message):
    return re.compile(re.escape(f"{path}:{line}:") + r"\d+: " + re.escape(message))


def check_config(directory, sites_text, env=None):
    """Runs `herald check-config` under /usr/bin/time -v; returns (result, elapsed seconds, peak RSS in KiB)."""
    config = os.path.join(directory, "config.yml")
    with open(config, "w") as f:
        f.write("production:\n  port: 1337\n")
    sites = os.path.join(directory, "sites.yml")
    with open(sites, "w") as f:
        f.write(sites_text)
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_NAME", "HERALD_ENV", "NODE_ENV")}
    clean.update(env or {})
    started = time.monotonic()
    result = subprocess.run(
        ["/usr/bin/time", "-v", HERALD, "check-config", "--config", config, "--sites", sites],
        capture_output=True, text=True, timeout=10, env=clean, cwd=directory,
    )
    elapsed = time.monotonic() - started
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return result, elapsed, rss


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_config_refuses_hostile_yaml_within_a_second(name):
    make, line, message = HOSTILE[name]
    with tempfile.TemporaryDirectory() as directory:
        result, elapsed, rss = check_config(directory, make())
        assert result.returncode == 78, result.stderr
        assert located(os.path.join(directory, "sites.yml"), line, message).search(result.stderr), result.stderr
    assert elapsed < 1.0, f"{name} took {elapsed:.2f}s"
    assert rss < CHECK_CONFIG_RSS_BOUND_KIB, f"{name} peaked at {rss} KiB"


def test_check_config_refuses_an_oversized_file_without_reading_it():
    padding = "# " + "x" * 1000 + "\n"
    with tempfile.TemporaryDirectory() as directory:
        result, elapsed, rss = check_config(directory, padding * 2048, env={"HERALD_MAX_CONFIG_BYTES": "1048576"})
    assert result.returncode == 78, result.stderr
    assert "sites.yml: is 2054144 bytes, more than the 1048576 bytes a configuration file may have" in result.stderr
    assert "(raise the limit with HERALD_MAX_CONFIG_BYTES)" in result.stderr
    assert elapsed < 1.0
    assert rss < CHECK_CONFIG_RSS_BOUND_KIB


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_sites_file_is_refused_on_reload_and_the_running_sites_keep_serving(herald, hooks, clients, name):
    make, line, message = HOSTILE[name]
    receiver = clients("alpha", "good-1")
    rss_before = resident_kib(herald.process.pid)
    before = len(log_entries(herald, "sites reload refused"))
    with open(herald.sites_path, "w") as f:
        f.write(site(hooks, "alpha") + make())
    started = time.monotonic()
    herald.process.send_signal(signal.SIGHUP)
    entry = wait_for_log(herald, "sites reload refused", before, timeout=5)
    assert time.monotonic() - started < 2.0
    assert entry["level"] == "error"
    # the alpha site's three lines come first
    assert located(herald.sites_path, line + 3, message).search(entry["message"]), entry["message"]
    assert not log_entries(herald, "sites reloaded")

    assert send(herald, "alpha", KEYS["alpha"]).status_code == 200
    assert receiver.wait_for("news") == [["alpha"]]
    clients("beta", "good-2")
    herald.assert_alive()
    assert resident_kib(herald.process.pid) - rss_before < RELOAD_RSS_GROWTH_BOUND_KIB
