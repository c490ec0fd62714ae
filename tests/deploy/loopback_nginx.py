"""deploy/nginx.conf rewritten for loopback, and nginx run on it in the foreground.

Only what cannot work outside Docker is rewritten: the upstream host names (Compose service names) become
127.0.0.1 ports, `listen 80` a free loopback port, and the logs go to files the tests read. Every rewrite must
match, so a change to deploy/nginx.conf that the tests no longer understand fails loudly instead of being skipped.
"""
import os
import re
import shutil
import subprocess

import pytest

from support import free_port, read, stop_process, wait_for_port

UPSTREAM_SERVER = re.compile(r"^(\s*server\s+)([A-Za-z0-9_.-]+):(\d+)(\b[^;]*;)", re.M)
STICKY_DIRECTIVE = "hash $remote_addr consistent;"
# One line per request: who asked, for which Engine.IO session, and which Herald answered.
PROBE_FORMAT = "log_format probe '$remote_addr|$arg_sid|$upstream_addr|$status';"


def nginx_binary():
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(binary, os.X_OK):
        pytest.fail("nginx is missing: scripts/install-deps.sh test installs Debian's nginx")
    return binary


def upstream_servers(text):
    """[(host, port)] of the upstream `server` lines."""
    return [(match.group(2), int(match.group(3))) for match in UPSTREAM_SERVER.finditer(text)]


def replace_once(text, old, new):
    assert text.count(old) == 1, f"deploy/nginx.conf no longer has exactly one {old!r}; update tests/deploy"
    return text.replace(old, new)


def loopback_config(workdir, upstream_ports, listen_port=None, balancing=STICKY_DIRECTIVE):
    """The shipped nginx.conf with upstream host `name` sent to 127.0.0.1:upstream_ports[name]; with `listen_port`
    also listening there, logging to workdir, and `balancing` in place of the sticky directive."""
    text = read("deploy", "nginx.conf")
    names = [host for host, _ in upstream_servers(text)]
    assert sorted(names) == sorted(upstream_ports), f"upstream servers {names} differ from {sorted(upstream_ports)}"
    text = UPSTREAM_SERVER.sub(lambda m: f"{m.group(1)}127.0.0.1:{upstream_ports[m.group(2)]}{m.group(4)}", text)
    if listen_port is not None:
        text = replace_once(text, "listen 80;", f"listen 127.0.0.1:{listen_port};")
        text = replace_once(text, "error_log /dev/stderr warn;", f"error_log {workdir}/error.log warn;")
        temp_paths = "".join(
            f"    {kind}_temp_path {workdir}/{kind}_temp;\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        text = replace_once(
            text,
            "access_log /dev/stdout herald;",
            f"access_log {workdir}/access.log herald;\n    {PROBE_FORMAT}\n    access_log {workdir}/probe.log probe;\n{temp_paths}",
        )
        text = replace_once(text, STICKY_DIRECTIVE, balancing)
    path = os.path.join(workdir, "nginx.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def check_config(path, workdir):
    """(exit code, output) of `nginx -t` on the file at `path`."""
    result = subprocess.run(
        [nginx_binary(), "-t", "-e", "stderr", "-c", path, "-g", f"pid {workdir}/nginx-t.pid;"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result.returncode, result.stdout + result.stderr


class LoopbackNginx:
    """nginx on a free loopback port in front of the given upstream ports, stopped by `stop()`."""

    def __init__(self, workdir, upstream_ports, balancing=STICKY_DIRECTIVE):
        os.makedirs(workdir, exist_ok=True)
        os.chmod(workdir, 0o755)
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        path = loopback_config(workdir, upstream_ports, self.port, balancing)
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(workdir, f"{kind}_temp"), mode=0o777, exist_ok=True)
        self.output_path = os.path.join(workdir, "nginx.out")
        self.output = open(self.output_path, "w")
        self.process = subprocess.Popen(
            [nginx_binary(), "-e", "stderr", "-c", path, "-g", f"daemon off; pid {workdir}/nginx.pid;"],
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, self.process, self.describe)
        except Exception:
            self.stop()
            raise

    def describe(self):
        self.output.flush()
        parts = []
        for name in ("nginx.out", "error.log"):
            path = os.path.join(self.workdir, name)
            if os.path.exists(path):
                with open(path) as f:
                    parts.append(f"{name}: {f.read()}")
        return "\n".join(parts)

    def log(self, name):
        with open(os.path.join(self.workdir, name)) as f:
            return f.read()

    def probe_records(self):
        """[(client address, sid, upstream port, status)] of every proxied request so far."""
        records = []
        for line in self.log("probe.log").splitlines():
            address, sid, upstream, status = line.split("|")
            # After a failed attempt nginx lists every upstream it tried; the last one answered.
            port = upstream.split(",")[-1].strip().rsplit(":", 1)[-1]
            records.append((address, sid, int(port) if port.isdigit() else None, int(status)))
        return records

    def stop(self):
        # nginx's graceful stop is SIGQUIT; SIGTERM is its fast stop, which is what a test wants.
        stop_process(self.process, grace=10)
        self.output.close()
