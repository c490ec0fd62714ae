"""What was promised and what arrived: every message whose `/send` got 200, the devices it was for, and per device
the copies that came. Exactly-once is judged per device and message:

- lost: no copy at all;
- duplicate: two copies on one connection (live twice, or live and in that connection's `_batch`) — never allowed;
- redelivery: a copy on a later connection of a message already received on an earlier one, which happens when the
  connection was cut before the client's ack reached Herald (at-least-once across connections by design); counted
  and reported, not a failure.
"""
import statistics
from dataclasses import dataclass, field


@dataclass
class Promise:
    """A message Herald accepted: its tag, when it was sent, and the device keys it is owed to."""

    tag: str
    sent_at: float
    devices: frozenset


@dataclass
class Verdict:
    expected: int = 0
    delivered: int = 0
    lost: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    redeliveries: int = 0
    latencies_ms: list = field(default_factory=list)
    cuts: int = 0
    connects: int = 0
    sends: int = 0
    refused_sends: int = 0

    @property
    def delivered_percent(self):
        return 100.0 * self.delivered / self.expected if self.expected else 100.0

    @property
    def p99_ms(self):
        if len(self.latencies_ms) < 2:
            return max(self.latencies_ms, default=0.0)
        return statistics.quantiles(self.latencies_ms, n=100)[98]

    def summary(self):
        return {
            "expected": self.expected,
            "delivered": self.delivered,
            "delivered_percent": round(self.delivered_percent, 3),
            "lost": len(self.lost),
            "duplicates": len(self.duplicates),
            "redeliveries": self.redeliveries,
            "p99_ms": round(self.p99_ms, 1),
            "cuts": self.cuts,
            "connects": self.connects,
            "sends": self.sends,
            "sends_answered_503_then_retried": self.refused_sends,
        }


def judge(promises, devices):
    """The verdict over every (device, promised message) pair."""
    by_key = {device.key: device for device in devices}
    verdict = Verdict()
    verdict.cuts = sum(device.proxy.cuts for device in devices)
    verdict.connects = sum(device.connects for device in devices)
    for promise in promises:
        for key in promise.devices:
            verdict.expected += 1
            copies = by_key[key].copies.get(promise.tag, [])
            if not copies:
                verdict.lost.append((key, promise.tag))
                continue
            verdict.delivered += 1
            verdict.latencies_ms.append(1000.0 * (copies[0][2] - promise.sent_at))
            connections = [sid for sid, _, _ in copies]
            if len(set(connections)) < len(connections):
                verdict.duplicates.append((key, promise.tag, copies))
            verdict.redeliveries += len(set(connections)) - 1
    return verdict
