#!/usr/bin/env python3
"""`make bench-config`: how long Herald takes to read a `sites.yml` with a large `tokens:` table, beside a peer
that reads the same file with libyaml's C loader into Python dicts (PyYAML's `CSafeLoader`, what a Python
service would do).

Each round runs `herald check-config` (which reads and validates the file exactly as `serve` and a SIGHUP reload
do) and then the peer, one after the other on one pinned core, and takes each one's wall time, CPU time and peak
RSS from `wait4`. The verdict uses the median of the per-round Herald/peer ratios, so a noisy machine moves both
sides of a pair alike.

    python3 bench/config_load.py                          # 1,000,000 tokens, 3 rounds
    python3 bench/config_load.py --tokens 100000 --rounds 5 --json out.json
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

PEER_SCRIPT = """
import sys, yaml
with open(sys.argv[1], "rb") as f:
    document = yaml.load(f, Loader=yaml.CSafeLoader)
tokens = document["big"]["tokens"]
assert len(tokens) == int(sys.argv[2]), len(tokens)
"""


def write_sites(path, tokens):
    """A sites.yml with one site whose table admits token i into its own user room and a shared room."""
    with open(path, "w") as f:
        f.write("big:\n  apiKey: big-api-key-0123\n  userRoomPrefix: user_\n  tokens:\n")
        for i in range(tokens):
            f.write(f"    bench-token-{i:010d}: [user_{i}, all]\n")


def measured(argv, cpu, env=None):
    """Runs `argv` pinned to `cpu`; returns (wall s, CPU s, peak RSS MiB) and fails on a non-zero exit."""
    started = time.monotonic()
    process = subprocess.Popen(["taskset", "-c", str(cpu), *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}:\n{output.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


PEER_REQUIREMENT = "PyYAML==6.0.3"


def peer_python():
    """The Python of `.venv-bench` (git-ignored), made and given PyYAML with its C loader when it lacks them."""
    venv = os.path.join(ROOT, ".venv-bench")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    probe = [python, "-c", "import yaml; yaml.CSafeLoader"]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", PEER_REQUIREMENT], check=True)
        subprocess.run(probe, check=True)
    return python


def run(options):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "SITE_NAME"))}
    with tempfile.TemporaryDirectory(prefix="herald-config-bench-") as work:
        sites = os.path.join(work, "sites.yml")
        config = os.path.join(work, "config.yml")
        write_sites(sites, options.tokens)
        with open(config, "w") as f:
            f.write("production:\n  host: 127.0.0.1\n")
        size = os.path.getsize(sites)
        rounds = []
        for number in range(1, options.rounds + 1):
            herald = measured([options.herald, "check-config", "--config", config, "--sites", sites], options.cpu, env)
            peer = measured([options.python, "-c", PEER_SCRIPT, sites, str(options.tokens)], options.cpu)
            rounds.append({"herald": dict(zip(("wall_s", "cpu_s", "rss_mib"), herald)),
                           "peer": dict(zip(("wall_s", "cpu_s", "rss_mib"), peer))})
            print(f"round {number}/{options.rounds}: herald {herald[0]:.2f} s wall, {herald[1]:.2f} s CPU, "
                  f"{herald[2]:.0f} MiB; peer {peer[0]:.2f} s, {peer[1]:.2f} s, {peer[2]:.0f} MiB", flush=True)
    summary = {"tokens": options.tokens, "file_bytes": size, "rounds": rounds}
    for key in ("wall_s", "cpu_s", "rss_mib"):
        summary[f"herald_{key}"] = statistics.median(r["herald"][key] for r in rounds)
        summary[f"peer_{key}"] = statistics.median(r["peer"][key] for r in rounds)
        summary[f"ratio_{key}"] = statistics.median(r["herald"][key] / r["peer"][key] for r in rounds)
    return summary


def parse_options(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tokens", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--herald", default=os.path.join(ROOT, ".build-release", "release", "herald"))
    p.add_argument("--python", help="a Python with PyYAML's C loader (default: .venv-bench, made when missing)")
    p.add_argument("--cpu", type=int, default=0, help="core both programs are pinned to")
    p.add_argument("--json", help="also write the results here")
    return p.parse_args(argv)


def main(argv):
    options = parse_options(argv)
    options.python = options.python or peer_python()
    summary = run(options)
    print(f"{options.tokens:,} tokens ({summary['file_bytes'] / 1e6:.1f} MB), median of {options.rounds}: "
          f"Herald {summary['herald_wall_s']:.2f} s wall, {summary['herald_cpu_s']:.2f} s CPU, "
          f"{summary['herald_rss_mib']:.0f} MiB peak; peer {summary['peer_wall_s']:.2f} s, "
          f"{summary['peer_cpu_s']:.2f} s, {summary['peer_rss_mib']:.0f} MiB; "
          f"Herald/peer CPU {summary['ratio_cpu_s']:.2f}x, RSS {summary['ratio_rss_mib']:.2f}x")
    if options.json:
        with open(options.json, "w") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
