"""Sentinel failover under load: devices receive while a backend keeps POSTing /send to two Herald instances; the
master is killed with SIGKILL, the sentinels promote the replica, Herald follows. Every /send answered 200 reaches
every device it was for, once per connection; the sends refused meanwhile are 503 with Retry-After (never 500, never
a hang); service resumes on the promoted replica."""
import asyncio
import json
import socket
import time

from dataclasses import dataclass

import aiohttp

import chaos_run as chaos_run_module
from chaos_run import Sender, chaos_run, check, report
from chaos_site import SHOP_KEY
from sentinel_group import MASTER_NAME


@dataclass(frozen=True)
class FailoverScale:
    users: int = 10  # two devices each, Socket.IO WebSocket / polling, plain WebSocket and SSE in turn
    seconds: float = 14
    cut_every: float = 0
    outage: float = 0
    sends_per_second: float = 20


class RecordingSender(Sender):
    """The chaos sender, recording every answer: (time, status or the client error, Retry-After)."""

    answers = []

    async def post(self, http, rooms, event, args, key, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            url = self.instances[self.sends % len(self.instances)].url
            self.sends += 1
            try:
                async with http.post(f"{url}/send", params={"site": "shop", "apiKey": SHOP_KEY},
                                     headers={"Idempotency-Key": key},
                                     json={"rooms": rooms, "event": event, "args": args}) as response:
                    body = await response.text()
                    self.answers.append((time.time(), response.status, response.headers.get("Retry-After"), body))
                    if response.status == 200:
                        return True
                    self.refused += 1
                    await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 0.5))
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                self.answers.append((time.time(), repr(error), None, ""))
                await asyncio.sleep(0.1)
        return False


def sentinel_master(port):
    """The master address a sentinel names now."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(f"*3\r\n$8\r\nSENTINEL\r\n$23\r\nget-master-addr-by-name\r\n${len(MASTER_NAME)}\r\n{MASTER_NAME}\r\n"
                     .encode())
        return _read_reply(conn)


def _read_reply(conn):
    reader = conn.makefile("rb")
    header = reader.readline()
    assert header.startswith(b"*2"), header
    values = []
    for _ in range(2):
        reader.readline()
        values.append(reader.readline().rstrip(b"\r\n").decode())
    return f"{values[0]}:{values[1]}"


def test_a_master_killed_mid_run_is_replaced_without_loss_and_sends_meanwhile_get_503(sentinel_deployment, monkeypatch):
    group, instances = sentinel_deployment
    scale = FailoverScale()
    monkeypatch.setattr(chaos_run_module, "Sender", RecordingSender)
    RecordingSender.answers = []
    timings = {}
    replica_address = f"127.0.0.1:{group.replica.port}"

    async def kill_master(instances, proxies):
        await asyncio.sleep(scale.seconds / 4)
        timings["killed"] = time.time()
        group.master.kill()
        deadline = time.monotonic() + 30
        while await asyncio.to_thread(sentinel_master, group.sentinels[0].port) != replica_address:
            assert time.monotonic() < deadline, "the sentinels did not promote the replica within 30 s"
            await asyncio.sleep(0.05)
        timings["promoted"] = time.time()

    verdict = asyncio.run(chaos_run(instances, scale, disruption=kill_master, cut_connections=False))
    report("sentinel-failover", verdict, scale)
    check(verdict, instances, connections_cut=False)

    answers = RecordingSender.answers
    after_kill = [answer for answer in answers if answer[0] >= timings["killed"]]
    refused = [answer for answer in after_kill if answer[1] != 200]
    assert refused, "no send was refused while the master was down"
    # 409: a retry of a send whose first attempt claimed its Idempotency-Key on the old master just before it died
    # (the claim was replicated, its release was not); the claim expires and the retry then runs. Anything else —
    # a 500, a 503 without Retry-After, a connection error or a timeout (a hang) — is wrong.
    conflicts = [answer for answer in answers if answer[1] == 409]
    wrong = [answer for answer in answers if answer[1] not in (200, 409) and (answer[1] != 503 or not answer[2])]
    assert not wrong, f"sends answered other than 200 or 503 with Retry-After: {wrong[:5]}"
    resumed = [answer for answer in after_kill if answer[1] == 200 and answer[0] > refused[-1][0]]
    assert resumed, "no send succeeded after the switch"
    for instance in instances:
        assert "Redis master changed" in instance.output() or "Redis connection restored" in instance.output()
    figures = {
        "killed_to_promoted_s": round(timings["promoted"] - timings["killed"], 2),
        "killed_to_first_200_s": round(resumed[0][0] - timings["killed"], 2),
        "refused_503": len(refused) - len(conflicts),
        "conflicts_409": len(conflicts),
        "first_to_last_503_s": round(refused[-1][0] - refused[0][0], 2),
        "sends_200": verdict.sends,
        "redeliveries": verdict.redeliveries,
    }
    print(f"\nsentinel-failover timings: {json.dumps(figures)}")
