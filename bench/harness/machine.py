"""What the benchmark ran on, for BENCHMARKS.md."""

import os
import platform
import subprocess


def first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        text = (out.stdout or out.stderr).strip()
        return text.splitlines()[0] if text else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def describe(swift="swift"):
    """CPU, memory, kernel and tool versions."""
    uname = platform.uname()
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_gib(), 1),
        "kernel": f"{uname.system} {uname.release} {uname.machine}",
        "swift": first_line([swift, "--version"]),
        "python": platform.python_version(),
        "gcc": first_line(["gcc", "--version"]),
    }
