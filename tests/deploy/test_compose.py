"""docker-compose.yml as Compose itself resolves it (`config` needs no Docker engine): Redis, two Herald instances
that share it with distinct flake workers, and nginx in front of them with the shipped nginx.conf."""
import re
import shutil
import subprocess

import pytest
import yaml

from dockerfile import runtime_stage
from loopback_nginx import upstream_servers
from support import ROOT, read, repo_path

HERALDS = ["herald1", "herald2"]
# Herald drains for at most this long on SIGTERM (the multi-instance core's bound).
DRAIN_SECONDS = 10


def compose_command():
    """`docker compose` (the v2 plugin) when present, else Debian's docker-compose."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.fail("no Compose CLI: install the docker compose plugin or Debian's docker-compose (scripts/install-deps.sh test)")


@pytest.fixture(scope="module")
def compose():
    result = subprocess.run(
        [*compose_command(), "-f", repo_path("docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def seconds(duration):
    """Compose durations as resolved by either CLI: "15s", "1m30s", or a number of seconds."""
    if isinstance(duration, (int, float)):
        return duration
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(value) * units[unit] for value, unit in re.findall(r"([\d.]+)(ms|h|m|s)", duration))


def depends_on(service):
    """{service name: condition} whichever form Compose printed."""
    value = service.get("depends_on", {})
    if isinstance(value, list):
        return {name: "service_started" for name in value}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in value.items()}


def environment(service):
    value = service.get("environment", {})
    if isinstance(value, list):
        return dict(item.split("=", 1) for item in value)
    return {name: str(setting) for name, setting in value.items()}


def mounts(service):
    """{target: source} of the bind mounts, whichever form Compose printed."""
    result = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        result[target] = source
    return result


def test_the_stack_is_redis_two_heralds_and_nginx(compose):
    assert set(compose["services"]) == {"redis", *HERALDS, "nginx"}
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert compose["services"]["nginx"]["image"].startswith("nginx:")


def test_heralds_share_redis_with_distinct_flake_workers(compose):
    envs = [environment(compose["services"][name]) for name in HERALDS]
    assert all(env["REDIS_URL"].startswith("redis://redis:") for env in envs), envs
    assert len({env["REDIS_URL"] for env in envs}) == 1
    workers = [int(env["FLAKE_WORKER"]) for env in envs]
    assert len(set(workers)) == len(workers) and all(0 <= worker <= 31 for worker in workers), workers


def test_heralds_are_built_here_health_checked_and_wait_for_redis(compose):
    redis = compose["services"]["redis"]
    assert "healthcheck" in redis
    for name in HERALDS:
        service = compose["services"][name]
        assert service["build"]["context"] == ROOT
        assert "/healthcheck" in " ".join(service["healthcheck"]["test"])
        assert depends_on(service) == {"redis": "service_healthy"}
        assert seconds(service["stop_grace_period"]) > DRAIN_SECONDS


def test_heralds_read_the_mounted_files_from_the_image_workdir(compose):
    workdir = runtime_stage().last("WORKDIR")
    for name in HERALDS:
        assert mounts(compose["services"][name]) == {
            f"{workdir}/config.yml": repo_path("config.yml"),
            f"{workdir}/sites.yml": repo_path("sites.yml"),
        }


def test_nginx_waits_for_healthy_heralds_and_publishes_8080(compose):
    nginx = compose["services"]["nginx"]
    assert depends_on(nginx) == {name: "service_healthy" for name in HERALDS}
    ports = [(int(port["published"]), int(port["target"])) for port in nginx["ports"]]
    assert ports == [(8080, 80)]
    assert mounts(nginx)["/etc/nginx/nginx.conf"] == repo_path("deploy", "nginx.conf")


def test_nginx_upstreams_are_the_herald_services():
    assert sorted(upstream_servers(read("deploy", "nginx.conf"))) == [(name, 1337) for name in HERALDS]
    assert re.search(r"^\s*listen 80;", read("deploy", "nginx.conf"), re.M)
