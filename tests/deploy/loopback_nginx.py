"""deploy/nginx.conf rewritten for loopback, and nginx run on it in the foreground.

Only what cannot work outside Docker is rewritten: the upstream host names (Compose service names) become
127.0.0.1 ports, `listen 80` a loopback port (another one if it is taken), and the logs go to files the tests read.
Every rewrite must match, so a change to deploy/nginx.conf that the tests no longer understand fails loudly instead of being skipped.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from support import read, stop_process  # support puts tests/interop on the path for loopback
from loopback import POLL_SECONDS, PortTaken, start_with_port_retries  # noqa: E402

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


def with_more_servers(text, names):
    """The config with one more upstream `server` line per name in `names`, each a copy of the last one (the shipped
    file says: one line per instance)."""
    last = list(UPSTREAM_SERVER.finditer(text))[-1]
    lines = "".join(f"\n{last.group(1)}{name}:{last.group(3)}{last.group(4)}" for name in names)
    return text[:last.end()] + lines + text[last.end():]


def loopback_config(workdir, upstream_ports, listen_port=None, balancing=STICKY_DIRECTIVE, config="nginx.conf"):
    """The shipped deploy/`config` with upstream host `name` sent to 127.0.0.1:upstream_ports[name]; with
    `listen_port` also listening there, logging to workdir, and `balancing` in place of the sticky directive (None: the
    file has none, as nginx-round-robin.conf). Names beyond the shipped file's servers become more server lines like
    them."""
    text = read("deploy", config)
    shipped = [host for host, _ in upstream_servers(text)]
    assert set(shipped) <= set(upstream_ports), f"upstream servers {shipped} are not all in {sorted(upstream_ports)}"
    text = with_more_servers(text, [name for name in sorted(upstream_ports) if name not in shipped]) if len(
        upstream_ports) > len(shipped) else text
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
        if balancing is not None:
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
    """nginx on a loopback port in front of the given upstream ports, stopped by `stop()`.

    nginx cannot bind port 0 and report it, so it gets a candidate port and another one when its error log says the
    port was taken. It is ready when its master process has written the pid file, which nginx does only after it
    opened its listening sockets; a connection to the port could have reached another process."""

    START_SECONDS = 20

    def __init__(self, workdir, upstream_ports, balancing=STICKY_DIRECTIVE, config="nginx.conf"):
        os.makedirs(workdir, exist_ok=True)
        os.chmod(workdir, 0o755)
        self.workdir = workdir
        self.upstream_ports = upstream_ports
        self.balancing = balancing
        self.config = config
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(workdir, f"{kind}_temp"), mode=0o777, exist_ok=True)
        self.output_path = os.path.join(workdir, "nginx.out")
        self.output = None
        self.process = None
        start_with_port_retries(self._start_on)

    def _start_on(self, port):
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        path = loopback_config(self.workdir, self.upstream_ports, self.port, self.balancing, self.config)
        pid_path = os.path.join(self.workdir, "nginx.pid")
        for stale in (pid_path, os.path.join(self.workdir, "error.log")):
            if os.path.exists(stale):
                os.remove(stale)
        if self.output:
            self.output.close()
        self.output = open(self.output_path, "w")
        self.process = subprocess.Popen(
            [nginx_binary(), "-e", "stderr", "-c", path, "-g", f"daemon off; pid {pid_path};"],
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.START_SECONDS
        while self.process.poll() is None and time.monotonic() < deadline:
            if self._pid_written(pid_path):
                return
            time.sleep(POLL_SECONDS)
        stop_process(self.process, grace=10)
        description = self.describe()
        self.output.close()
        if "Address already in use" in description:
            raise PortTaken(description)
        raise RuntimeError(f"nginx did not start on port {port}: {description}")

    def reload(self, upstream_ports):
        """Points the upstream servers at `upstream_ports` (an instance restarted on another port) and has nginx
        reload, as a deploy does: new connections go to the new workers, proxied ones stay on the old workers until
        they close."""
        self.upstream_ports = upstream_ports
        loopback_config(self.workdir, upstream_ports, self.port, self.balancing, self.config)
        self.process.send_signal(signal.SIGHUP)

    def _pid_written(self, pid_path):
        try:
            with open(pid_path) as f:
                return f.read().strip() == str(self.process.pid)
        except FileNotFoundError:
            return False

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
