"""What the image is made of, checked without a Docker engine: the Dockerfile's own release build, laid out as its
COPY lays it out, needs no shared library beyond debian:bookworm-slim and the runtime packages the Dockerfile
installs, and runs from there as the image runs it (check-config, serve with the demo page, stop on SIGTERM)."""
import json
import os
import re
import shutil
import subprocess
import time

import pytest

from dockerfile import build_stage, runtime_packages, runtime_stage, shell_commands, swift_build_command
from support import ROOT, http_get, repo_path, stop_process  # support puts tests/interop on the path
from loopback import POLL_SECONDS, PortTaken, start_with_port_retries  # noqa: E402

SCRATCH = os.path.join(ROOT, os.environ.get("HERALD_RELEASE_SCRATCH", ".build-release"))
BUILD_SECONDS = 3600
# The first test pays for the release build in its setup.
pytestmark = pytest.mark.timeout(BUILD_SECONDS + 300)
# Packages every debian:bookworm-slim has (apt and dpkg themselves link them), so the image need not install them.
BASE_PACKAGES = {
    "libc6": "libc, libm, libdl, libpthread, librt, libresolv and the dynamic loader",
    "libgcc-s1": "libgcc_s (apt links it)",
    "libstdc++6": "libstdc++ (apt links it)",
    "zlib1g": "libz (dpkg links it)",
}
# Herald drains for at most 10 s on SIGTERM; compose and systemd allow 15 s and 20 s.
STOP_SECONDS = 15
CONFIG_ENVIRONMENT = (
    "HERALD_ENV", "NODE_ENV", "HERALD_CONFIG", "HERALD_SITES", "PORT", "REDIS_URL", "DEVICE_TTL", "HERALD_HOST",
    "FLAKE_DATACENTER", "FLAKE_WORKER", "SITE_NAME", "AUTH_URL", "AUTH_SCHEME", "API_KEY", "USER_ROOM_PREFIX",
    "UPDATE_USER_URL", "PUBLIC_CHANNEL",
)


def run_logged(command, log_name, timeout):
    log_path = os.path.join(SCRATCH, log_name)
    os.makedirs(SCRATCH, exist_ok=True)
    with open(log_path, "w") as log:
        result = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
    with open(log_path) as log:
        return result.returncode, log.read()


@pytest.fixture(scope="module")
def release_bin_dir():
    """The Dockerfile's `swift build`, word for word, into its own scratch path (minutes the first time)."""
    command = swift_build_command()
    assert "release" in command and "--product" in command, command
    code, output = run_logged([*command, "--scratch-path", SCRATCH], "deploy-test-build.log", BUILD_SECONDS)
    assert code == 0, output[-5000:]
    result = subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path", "--scratch-path", SCRATCH],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    return result.stdout.strip()


@pytest.fixture(scope="module")
def image_root(release_bin_dir, tmp_path_factory):
    """A directory laid out like the image: the build stage's `cp` and `strip` in /staging, then the runtime COPY."""
    root = str(tmp_path_factory.mktemp("image"))
    copied = 0
    for run in build_stage().all("RUN"):
        for words in shell_commands(run):
            if words and words[0] == "strip":
                subprocess.run([*words[:-1], root + words[-1]], check=True, timeout=120)
            if words and words[0] == "cp":
                source = words[-2].replace("$bin", release_bin_dir)
                target = root + words[-1]
                os.makedirs(os.path.dirname(target), exist_ok=True)
                (shutil.copytree if os.path.isdir(source) else shutil.copy2)(source, target)
                copied += 1
    assert copied >= 2, "the build stage should stage the binary and its resource bundle"
    copy = runtime_stage().last("COPY").split()
    assert copy[0] == "--from=build", copy
    shutil.copytree(root + copy[1], root + copy[2], dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def image_binary(image_root):
    entrypoint = json.loads(runtime_stage().last("ENTRYPOINT"))[0]
    binary = image_root + entrypoint
    assert os.access(binary, os.X_OK), f"ENTRYPOINT {entrypoint} is not where the COPY put the binary"
    return binary


def shared_libraries(binary):
    """[(name, resolved path or None)] that the dynamic loader maps for `binary`."""
    output = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30, check=True).stdout
    libraries = []
    for line in output.splitlines():
        line = line.strip()
        if "=>" in line:
            name, _, rest = line.partition("=>")
            path = rest.split("(")[0].strip()
            libraries.append((name.strip(), None if path == "not found" else path))
        elif line.startswith("/"):
            libraries.append((os.path.basename(line.split()[0]), line.split()[0]))
    return libraries


def installed(package):
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.endswith(" installed")


def dependency_closure(packages):
    """The packages and, recursively, the installed packages they depend on: what apt-get install brings."""
    seen, pending = set(), list(packages)
    while pending:
        package = pending.pop()
        if package in seen:
            continue
        assert installed(package), f"{package} is not installed here; install it to check the image's libraries"
        seen.add(package)
        fields = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", package], capture_output=True, text=True, check=True
        ).stdout
        for clause in fields.split(","):
            alternatives = [re.sub(r"\(.*?\)", "", choice).strip().split(":")[0] for choice in clause.split("|")]
            chosen = next((choice for choice in alternatives if choice and installed(choice)), None)
            if chosen:
                pending.append(chosen)
    return seen


def package_files(packages):
    files = set()
    for package in packages:
        listing = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=True).stdout
        files |= {os.path.realpath(path) for path in listing.splitlines() if path.startswith("/")}
    return files


def test_the_image_needs_only_base_and_runtime_package_libraries(image_binary):
    libraries = shared_libraries(image_binary)
    assert libraries, "ldd listed no libraries"
    assert not [name for name, _ in libraries if name.startswith(("libswift", "libFoundation", "lib_Foundation"))], (
        "the Swift runtime is linked dynamically; the image has no Swift libraries"
    )
    packages = runtime_packages()
    allowed = package_files(BASE_PACKAGES) | package_files(dependency_closure(packages))
    unresolved = [name for name, path in libraries if path is None]
    assert not unresolved, f"not found by the loader: {unresolved}"
    foreign = {}
    for name, path in libraries:
        if os.path.realpath(path) not in allowed:
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True).stdout.split(":")[0]
            foreign[name] = f"{path} ({owner or 'no Debian package'})"
    assert not foreign, f"libraries neither in bookworm-slim's base nor brought by {packages}: {foreign}"


def test_the_runtime_packages_are_what_the_binary_links(image_binary):
    names = {name.split(".so")[0] for name, _ in shared_libraries(image_binary)}
    assert {"libhiredis", "libcurl", "libcrypto"} <= names, names


def image_environment(**settings):
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_ENVIRONMENT}
    env.update(settings)
    return env


def image_workdir(tmp_path, with_files):
    """An /etc/herald: the repository's config.yml and sites.yml mounted into it, or nothing."""
    workdir = tmp_path / "etc-herald"
    workdir.mkdir()
    if with_files:
        for name in ("config.yml", "sites.yml"):
            shutil.copy(repo_path(name), workdir)
    return str(workdir)


def check_config(binary, workdir, env):
    return subprocess.run([binary, "check-config"], cwd=workdir, env=env, capture_output=True, text=True, timeout=30)


def test_check_config_passes_on_the_shipped_files(image_binary, tmp_path):
    result = check_config(image_binary, image_workdir(tmp_path, True), image_environment())
    assert result.returncode == 0, result.stderr
    assert "configuration OK (environment production" in result.stdout
    assert "1 site: demo" in result.stdout


def test_environment_alone_describes_a_site(image_binary, tmp_path):
    env = image_environment(SITE_NAME="shop", AUTH_URL="https://shop.example/socket/rooms", API_KEY="a-long-random-secret")
    result = check_config(image_binary, image_workdir(tmp_path, False), env)
    assert result.returncode == 0, result.stderr
    assert "1 site: shop" in result.stdout


def test_without_sites_or_site_name_the_image_refuses_to_start(image_binary, tmp_path):
    result = check_config(image_binary, image_workdir(tmp_path, False), image_environment())
    assert result.returncode == 78, result.stdout + result.stderr
    assert "SITE_NAME" in result.stderr


def test_serve_answers_health_and_the_demo_page_from_the_bundle_beside_the_binary(image_binary, tmp_path):
    # A marker in the copied bundle proves the page comes from beside the binary, not from the build directory
    # that SwiftPM's Bundle.module also knows about (and that the image does not have).
    index = os.path.join(os.path.dirname(image_binary), "herald_HeraldServer.resources", "Public", "index.html")
    with open(index, "a") as f:
        f.write("\n<!-- served from the image layout -->\n")
    workdir = image_workdir(tmp_path, True)
    log_path = os.path.join(workdir, "herald.log")
    process, port = serve_image(image_binary, workdir, log_path)
    try:
        assert http_get(f"http://127.0.0.1:{port}/healthcheck") == (200, "ok")
        status, page = http_get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "served from the image layout" in page
        assert run_healthcheck(port).returncode == 0
    finally:
        code, took = stop_process(process, grace=STOP_SECONDS + 5)
    assert took < STOP_SECONDS, f"SIGTERM took {took:.1f} s"
    assert code == 0, open(log_path).read()
    assert run_healthcheck(port).returncode != 0, "the health check passes with Herald stopped"


def serve_image(binary, workdir, log_path):
    """(process, port) of `serve` run as the image runs it, PORT in the environment. PORT cannot be 0, so a
    candidate port is tried and another one when Herald exits saying it is taken; Herald is ready when it logs that
    it listens there (a connection to the port could reach another process)."""

    def start(port):
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [binary, "serve"],
                cwd=workdir,
                env=image_environment(PORT=str(port), HERALD_HOST="127.0.0.1"),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            if f"Herald listening on 127.0.0.1:{port}" in read_text(log_path):
                return process, port
            time.sleep(POLL_SECONDS)
        stop_process(process)
        output = read_text(log_path)
        if "Address already in use" in output:
            raise PortTaken(output)
        raise RuntimeError(f"herald did not listen on port {port}: {output}")

    return start_with_port_retries(start)


def read_text(path):
    with open(path) as f:
        return f.read()


def run_healthcheck(port):
    """The Dockerfile's HEALTHCHECK command, run by a shell as Docker runs it, with PORT as in the container."""
    command = runtime_stage().last("HEALTHCHECK").split(" CMD ", 1)[1]
    return subprocess.run(["/bin/sh", "-c", command], env=image_environment(PORT=str(port)), capture_output=True, timeout=10)
