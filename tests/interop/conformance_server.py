"""The `socketio-conformance` reference server as a process the interop tests start and stop."""
import os
import subprocess
import tempfile

from loopback import port_file_path, read_port_file
from processes import stop_process

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))


class RunningServer:
    """A socketio-conformance process on a loopback port it chose itself, stopped when the fixture ends."""

    def __init__(self, *extra_args):
        self.directory = tempfile.TemporaryDirectory(prefix="socketio-conformance-")
        port_file = port_file_path(self.directory.name, "server")
        binary = os.path.join(BUILD_DIR, "socketio-conformance")
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--port-file", port_file, *extra_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.port = read_port_file(
            self.process, port_file, "server", lambda: self.process.stdout.read().decode(errors="replace"), timeout=15
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def assert_alive(self):
        assert self.process.poll() is None, f"server died: {self.process.stdout.read().decode(errors='replace')}"

    def stop(self):
        stop_process(self.process)
        self.directory.cleanup()
