"""Stopping the processes the suites start (herald, the reference server, stubs) the same way everywhere."""
import subprocess
import time


def stop_process(process, grace=10):
    """SIGTERM, then SIGKILL after `grace` seconds; returns the exit code and how long the stop took."""
    started = time.monotonic()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode, time.monotonic() - started
