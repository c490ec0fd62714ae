"""bench/capacity.py at tiny sizes against a real redis-server and Herald: every phase is counted from Redis's own
INFO, the instances' background is taken off (an idle device costs Redis nothing), a plain broadcast is one PUBLISH
whatever the room, and a broadcast to a room of devices costs in proportion to its devices."""

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("HERALD_BUILD_DIR", ".build/debug")
PHASES = ("baseline", "connect", "idle", "user send", "user ack", "room send", "room ack", "plain send", "disconnect")
DEVICES = 20


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    out = tmp_path_factory.mktemp("capacity")
    argv = [sys.executable, os.path.join(ROOT, "bench", "capacity.py"), "--build-dir", BUILD_DIR, "--instances", "1",
            "--devices", str(DEVICES), "--plain-clients", "10", "--user-sends", "20", "--room-sends", "4",
            "--plain-sends", "10", "--idle-seconds", "9", "--baseline-seconds", "6",
            "--json", str(out / "capacity.json"), "--markdown", str(out / "capacity.md")]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out / "capacity.json") as f:
        return json.load(f), (out / "capacity.md").read_text()


def test_every_phase_is_counted_per_unit(measured):
    results, markdown = measured
    (configuration,) = results["configurations"]
    assert configuration["instances"] == 1 and configuration["store"] == "one redis-server"
    assert tuple(configuration["phases"]) == PHASES
    phases = configuration["phases"]
    assert phases["connect"]["units"] == DEVICES and phases["disconnect"]["units"] == DEVICES
    assert phases["user ack"]["units"] == 20 * 2  # two devices per user room
    for name in ("connect", "disconnect", "user send", "room send", "user ack", "room ack"):
        assert phases[name]["commands"] > 1 and phases[name]["bytes_in"] > 0, name
    assert "| connect: device connect |" in markdown


def test_an_idle_device_costs_redis_nothing_beyond_the_instances_heartbeat(measured):
    phases = measured[0]["configurations"][0]["phases"]
    assert phases["baseline"]["commands"] > 0  # the instance's own liveness and lease
    # What is left after taking the baseline off is one heartbeat (a few commands) either way over 3 device-minutes.
    assert abs(phases["idle"]["commands"]) < phases["connect"]["commands"] / 4


def test_a_plain_broadcast_is_one_publish_and_a_device_room_scales_with_its_devices(measured):
    phases = measured[0]["configurations"][0]["phases"]
    assert phases["plain send"]["calls"].get("publish") == 1
    per_device_in_room = phases["room send"]["commands"] / DEVICES
    per_device_of_user = phases["user send"]["commands"] / 2
    assert per_device_in_room > per_device_of_user / 2
