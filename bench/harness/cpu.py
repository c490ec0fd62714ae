"""Whether other work used the server's core during a measurement.

The server (every instance, and Redis when there is one) is pinned to one core. Over a herald-bench run the
harness reads that core's busy time from /proc/stat and the servers' CPU time from /proc/<pid>/stat; what the core
spent on anything but the servers is other work (a build, a cron job, the harness itself), and a round where it
passes `REJECT_SHARE` of the wall time is rejected and measured again.

The core's busy time is user + nice + system + irq + softirq. With the kernel's tick-based accounting (this
machine's kernel has no CONFIG_IRQ_TIME_ACCOUNTING) a tick spent in an interrupt or softirq while a process runs
is charged to that process's stime as well as to the irq/softirq field, so the kernel delivering the server's own
writes on loopback counts on both sides and cancels out; steal time (the hypervisor's) counts on neither."""

import os
import time
from dataclasses import dataclass

REJECT_SHARE = 0.05  # of the wall time
REJECT_FLOOR_S = 0.05  # a few clock ticks of rounding never reject a short round
TICKS_PER_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def core_process_ticks(proc_stat, cpu):
    """Clock ticks core `cpu` was busy (user + nice + system + irq + softirq) according to the text of /proc/stat."""
    prefix = f"cpu{cpu} "
    for line in proc_stat.splitlines():
        if line.startswith(prefix):
            user, nice, system, _idle, _iowait, irq, softirq = (int(value) for value in line.split()[1:8])
            return user + nice + system + irq + softirq
    raise ValueError(f"no cpu{cpu} line in /proc/stat")


def process_ticks(pid_stat):
    """utime + stime (clock ticks, all threads) from the text of /proc/<pid>/stat."""
    fields = pid_stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@dataclass(frozen=True)
class CoreSample:
    """One instant: the core's process ticks, the watched processes' ticks (summed), the monotonic time."""

    core_ticks: int
    process_ticks: int
    at: float


@dataclass(frozen=True)
class Interference:
    """What the core did between two samples besides running the watched processes."""

    wall_s: float
    core_s: float
    servers_s: float

    @property
    def other_s(self):
        return max(0.0, self.core_s - self.servers_s)

    @property
    def other_share(self):
        return self.other_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def rejected(self):
        return self.other_s > max(REJECT_SHARE * self.wall_s, REJECT_FLOOR_S)

    def as_dict(self):
        return {"wall_s": round(self.wall_s, 3), "core_s": round(self.core_s, 3), "servers_s": round(self.servers_s, 3),
                "other_s": round(self.other_s, 3), "rejected": self.rejected}


def interference(before, after, ticks_per_s=TICKS_PER_S):
    """The `Interference` between two `CoreSample`s."""
    return Interference(wall_s=after.at - before.at,
                        core_s=(after.core_ticks - before.core_ticks) / ticks_per_s,
                        servers_s=(after.process_ticks - before.process_ticks) / ticks_per_s)


def read(path):
    with open(path) as f:
        return f.read()


def sample(cpu, pids, reader=read, clock=time.monotonic):
    """A `CoreSample` of core `cpu` and processes `pids` (one that is gone counts 0: the round then shows the
    core's time as other work, and is measured again)."""
    total = 0
    for pid in pids:
        try:
            total += process_ticks(reader(f"/proc/{pid}/stat"))
        except OSError:
            pass
    return CoreSample(core_process_ticks(reader("/proc/stat"), cpu), total, clock())
