"""deploy/herald.service: systemd accepts it (as a plain and as a template unit), it stops Herald with SIGTERM and
waits longer than Herald's drain, and its sandbox rates as well exposed as systemd's own scale allows."""
import os
import re
import shutil
import subprocess

import pytest

from support import read

DRAIN_SECONDS = 10
INSTALLED_BINARY = "/usr/local/bin/herald"


def systemd_analyze():
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.fail("systemd-analyze is missing: scripts/install-deps.sh test installs Debian's systemd")
    return binary


def unit_settings():
    """{(section, key): [values]}; systemd keys may repeat, so configparser's one-value model is not enough."""
    settings, section = {}, None
    for line in read("deploy", "herald.service").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault((section, key), []).append(value)
    return settings


def seconds(value):
    match = re.fullmatch(r"(\d+)(s|min)?", value)
    assert match, value
    return int(match.group(1)) * (60 if match.group(2) == "min" else 1)


@pytest.mark.parametrize("unit_name", ["herald.service", "herald@.service"])
def test_systemd_accepts_the_unit(tmp_path, herald_binary, unit_name):
    # verify also checks that ExecStart is executable; point it at the binary this run built.
    path = tmp_path / unit_name
    path.write_text(read("deploy", "herald.service").replace(INSTALLED_BINARY, os.path.abspath(herald_binary)))
    result = subprocess.run([systemd_analyze(), "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_unit_runs_herald_from_the_image_paths_as_a_non_root_user():
    settings = unit_settings()
    assert settings[("Service", "ExecStart")] == [f"{INSTALLED_BINARY} serve"]
    assert settings[("Service", "WorkingDirectory")] == ["/etc/herald"]
    assert settings[("Service", "User")][0] not in ("root", "0")


def test_unit_stops_with_sigterm_after_the_drain_and_restarts_only_what_a_restart_can_fix():
    settings = unit_settings()
    assert settings[("Service", "KillSignal")] == ["SIGTERM"]
    assert seconds(settings[("Service", "TimeoutStopSec")][0]) > DRAIN_SECONDS
    assert settings[("Service", "Restart")] == ["on-failure"]
    assert "78" in settings[("Service", "RestartPreventExitStatus")][0].split()


def test_unit_is_sandboxed(tmp_path):
    settings = unit_settings()
    assert settings[("Service", "NoNewPrivileges")] == ["yes"]
    assert settings[("Service", "ProtectSystem")] == ["strict"]
    path = tmp_path / "herald.service"
    path.write_text(read("deploy", "herald.service"))
    result = subprocess.run(
        [systemd_analyze(), "security", "--offline=true", "--no-pager", str(path)], capture_output=True, text=True, timeout=60
    )
    match = re.search(r"Overall exposure level for herald.service: ([\d.]+) (\w+)", result.stdout)
    assert match, result.stdout + result.stderr
    # systemd's scale: 0 is fully sandboxed, 10 fully exposed; "OK" is below 2.
    assert float(match.group(1)) < 2.0, match.group(0)
