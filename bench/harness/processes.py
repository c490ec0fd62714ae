"""Child processes the harness starts: each in its own process group, pinned to a CPU, and all of them stopped
when the harness leaves, whether it finished, failed or was interrupted."""

import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.request


class ProcessError(RuntimeError):
    """A child failed to start, did not become ready, or did not finish in time."""


def listening_socket():
    """A TCP socket listening on 127.0.0.1 at a port the kernel chose, inheritable so a child can serve on it:
    nothing else can take the port between choosing and serving, as it can with a probed free port."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4096)
    server.set_inheritable(True)
    return server


def pinned(cpu, argv):
    """`argv` run by `taskset -c cpu` (taskset execs it, so the PID is the program's own)."""
    return ["taskset", "-c", str(cpu)] + [str(arg) for arg in argv]


def command_line(argv):
    """`argv` as a shell command someone can paste."""
    return " ".join(shlex.quote(str(arg)) for arg in argv)


def raise_file_limit():
    """Raises this process's open-file soft limit to its hard limit; children inherit it."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class Children:
    """Owns every child process: `stop_all` (also run on exit from a `with` block) ends each process group with
    SIGTERM, then SIGKILL for those still there after a grace period."""

    def __init__(self):
        self._running = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop_all()
        return False

    def start(self, argv, log_path, env=None, cwd=None, pass_fds=()):
        """Starts `argv` in a new process group with stdout and stderr going to `log_path`; `pass_fds` stay open
        in the child under the same numbers."""
        log = open(log_path, "wb")
        try:
            process = subprocess.Popen(
                [str(arg) for arg in argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
                start_new_session=True,
                pass_fds=pass_fds,
            )
        finally:
            log.close()
        self._running.append(process)
        return process

    def run(self, argv, log_path, timeout, env=None, pass_fds=()):
        """Runs `argv` to completion (own process group, output to `log_path`); returns its exit code."""
        process = self.start(argv, log_path, env=env, pass_fds=pass_fds)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop(process)
            raise ProcessError(f"{command_line(argv)} did not finish within {timeout} s")
        self._forget(process)
        return code

    def stop(self, process, grace=5.0):
        """Ends `process`'s group: SIGTERM, then SIGKILL after `grace` seconds. Returns how it ended: the exit
        code, or None when it had to be killed."""
        if process.poll() is not None:
            self._forget(process)
            return process.returncode
        self._signal(process, signal.SIGTERM)
        try:
            code = process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal(process, signal.SIGKILL)
            process.wait()
            code = None
        self._signal(process, signal.SIGKILL)  # anything the program itself started and left behind
        self._forget(process)
        return code

    def stop_all(self):
        for process in list(self._running):
            self.stop(process, grace=5.0)

    @staticmethod
    def _signal(process, signum):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass

    def _forget(self, process):
        if process in self._running:
            self._running.remove(process)


def wait_until_healthy(process, launch, log_path, timeout=60.0):
    """Waits for the port the server chose (`launch.find_port`), then polls its `/healthcheck` until it answers
    200; fails early, with the log's tail, when `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ProcessError(f"server exited with status {process.returncode} before it was ready:\n{tail(log_path)}")
        if launch.port is None:
            launch.port = launch.find_port(log_path)
        if launch.port is not None:
            try:
                with urllib.request.urlopen(f"{launch.url}/healthcheck", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.1)
    raise ProcessError(f"server not ready (port {launch.port}) after {timeout} s:\n{tail(log_path)}")


def tail(path, lines=20):
    """The last `lines` lines of a log file."""
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")
    except OSError:
        return ""
