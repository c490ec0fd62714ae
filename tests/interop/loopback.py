"""Helpers every suite uses to run servers on loopback without racing anyone for a port.

A port probed free and handed to a server can be taken by another process before the server binds it, and a test
that then waits for "something listens on the port" talks to that other process. So:

- servers that can bind port 0 do, and say which port they got: `herald serve` and `socketio-conformance` write it
  to `--port-file` (`read_port_file`);
- servers that cannot (redis-server, nginx) get a port from `candidate_port` and are retried on another one when
  their own output says the port was taken (`start_with_port_retries`); readiness is read from the server itself,
  never from a connection any process on the port could accept.
"""
import os
import random
import socket
import time

# Below Linux's ephemeral range (32768-60999): outgoing connections never take these ports, so a server stopped by a
# test can be started again on its port.
CANDIDATE_PORTS = range(20000, 32768)
PORT_ATTEMPTS = 8
POLL_SECONDS = 0.02


class PortTaken(RuntimeError):
    """The server could not bind its port because another process holds it."""


def free_port():
    """A port that was free a moment ago; anyone may take it before it is used. Only for a port where nothing is
    meant to listen; servers use `read_port_file` or `start_with_port_retries` instead."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def candidate_port():
    """A port for a server that cannot bind port 0; `start_with_port_retries` retries when it is taken."""
    return random.choice(CANDIDATE_PORTS)


def start_with_port_retries(start, attempts=PORT_ATTEMPTS):
    """Calls `start(port)` with candidate ports until it does not raise `PortTaken`; returns what it returns."""
    for attempt in range(1, attempts + 1):
        try:
            return start(candidate_port())
        except PortTaken:
            if attempt == attempts:
                raise


def read_port_file(process, path, name, output, timeout=20):
    """The port a server wrote to `path` (`--port-file`) once it listens; raises with its output if it exits or
    does not write the file in time. The server writes the file atomically, so a present file is complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                return int(f.readline())  # Herald's port; event-server ports may follow on further lines
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early with {process.returncode}: {output()}")
        time.sleep(POLL_SECONDS)
    process.kill()
    process.wait()
    raise RuntimeError(f"{name} did not start listening within {timeout} s: {output()}")


def port_file_path(directory, name):
    """A fresh port-file path in `directory` (a left-over file of an earlier run is removed)."""
    path = os.path.join(directory, f"{name}.port")
    if os.path.exists(path):
        os.remove(path)
    return path


def wait_until_listening(process, port, name, output, timeout=20):
    """Returns once `process` accepts connections on `port`; raises with its output if it exits or times out.
    Kept for callers outside the fixtures; it cannot tell `process` from another listener on the port."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early: {output()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"{name} did not start listening: {output()}")


def wait_until(condition, describe, timeout=10, interval=0.05):
    """Polls `condition()` until it is true; fails with `describe()` after `timeout` seconds. What tests use
    instead of sleeping for a state to be reached."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {describe()}"
        time.sleep(interval)
