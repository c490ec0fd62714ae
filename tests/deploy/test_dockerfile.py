"""What the Dockerfile promises beyond its libraries: Debian 12 on both stages, a non-root user, the port, the
health check on /healthcheck with a tool the image installs, and a build context without local build outputs."""
import fnmatch
import json
import os
import re

from dockerfile import build_stage, runtime_packages, runtime_stage
from support import ROOT, read


def test_build_on_swift_6_bookworm_and_run_on_bookworm_slim():
    assert re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm", build_stage().base), build_stage().base
    assert runtime_stage().base == "debian:bookworm-slim"


def test_runtime_runs_as_a_non_root_user():
    user = runtime_stage().last("USER").split(":")[0]
    assert user not in ("root", "0"), user
    assert any(f"--uid {user}" in run for run in runtime_stage().all("RUN")), "the USER is not created"


def test_exposes_herald_port_and_health_checks_it_with_an_installed_tool():
    assert runtime_stage().last("EXPOSE") == "1337"
    check = runtime_stage().last("HEALTHCHECK")
    assert "/healthcheck" in check and "${PORT:-1337}" in check
    tool = check.split(" CMD ", 1)[1].split()[0]
    assert tool in runtime_packages(), f"{tool} is not installed in the runtime stage"


def test_entrypoint_serves_by_default_from_the_config_workdir():
    assert json.loads(runtime_stage().last("ENTRYPOINT")) == ["/usr/local/bin/herald"]
    assert json.loads(runtime_stage().last("CMD")) == ["serve"]
    assert runtime_stage().last("WORKDIR") == "/etc/herald"
    assert runtime_stage().last("STOPSIGNAL") == "SIGTERM"


def ignored(path, patterns):
    """Whether .dockerignore drops `path` (or a folder above it); enough of Docker's rules for these patterns."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern.removeprefix("**/")) or fnmatch.fnmatch(prefix, pattern)
               for pattern in patterns for prefix in prefixes)


def test_build_context_leaves_out_local_outputs_but_keeps_the_package():
    patterns = [line.strip() for line in read(".dockerignore").splitlines() if line.strip() and not line.startswith("#")]
    assert not any(pattern.startswith("!") for pattern in patterns), "the simple matcher here does not do exceptions"
    for path in (".build/debug/herald", ".build-release/x", ".venv-deploy/bin/python", ".git/HEAD", "sites.yml"):
        assert ignored(path, patterns), f"{path} would be sent to the Docker daemon"
    needed = ["Package.swift", "Package.resolved"]
    for top in ("Sources", "Tests"):
        for directory, _, files in os.walk(os.path.join(ROOT, top)):
            needed += [os.path.relpath(os.path.join(directory, name), ROOT) for name in files]
    assert len(needed) > 10
    dropped = [path for path in needed if ignored(path, patterns)]
    assert not dropped, f".dockerignore drops files the build needs: {dropped[:10]}"


def test_image_resolves_the_committed_package_versions():
    """The image must build the versions CI tested: the lock file is copied before `swift package resolve`."""
    instructions = build_stage().instructions
    resolve = next(i for i, (keyword, argument) in enumerate(instructions)
                   if keyword == "RUN" and "swift package resolve" in argument)
    copied_before = " ".join(argument for keyword, argument in instructions[:resolve] if keyword == "COPY")
    assert "Package.resolved" in copied_before.split(), copied_before
    assert os.path.isfile(os.path.join(ROOT, "Package.resolved")), "Package.resolved is not in the repository"
