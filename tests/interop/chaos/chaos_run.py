"""One chaos run: user devices behind their proxies, a backend sending at a steady rate, a disruption running
meanwhile (cut connections, restart instances, restart Redis), then a sentinel per user and the verdict."""
import asyncio
import json
import os
import random
import threading
import time

import aiohttp

from chaos_proxy import DeviceProxy, jitter
from chaos_site import SHOP_KEY
from fleet import fleet, wait_until
from ledger import Promise, judge


# Devices take turns: Socket.IO over a WebSocket, Socket.IO over long-polling, plain WebSocket JSON, Socket.IO over a
# WebSocket again, and Server-Sent Events, so a user's two devices are often of different protocols.
TRANSPORT_MIX = (["websocket"], ["polling"], ["websocket-json"], ["websocket"], ["sse"])


class Sender:
    """A backend sending at a steady rate, alternating a random user's room and the shared room `news`; a send
    refused with 503 (or cut) is retried until it gets 200, as the Node service's backends are told to."""

    def __init__(self, instances, devices):
        self.instances = instances
        self.devices = devices
        self.users = sorted({device.user for device in devices})
        self.promises = []
        self.sends = 0
        self.refused = 0

    async def post(self, http, rooms, event, args, key, timeout=30):
        """POSTs until 200 (True) or `timeout` (False: the outcome is unknown, the message is not promised). Every
        attempt carries the same Idempotency-Key, so a retry of a send that did run sends nothing twice."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            url = self.instances[self.sends % len(self.instances)].url
            self.sends += 1
            try:
                async with http.post(f"{url}/send", params={"site": "shop", "apiKey": SHOP_KEY},
                                     headers={"Idempotency-Key": key},
                                     json={"rooms": rooms, "event": event, "args": args}) as response:
                    if response.status == 200:
                        return True
                    # 503: the store is away (retry after Retry-After); 409: a first attempt of this key is still
                    # running, or ran on an instance that died (its claim expires); 502: a load balancer lost the
                    # instance it had passed the request to (the retry finds the key's answer if it did run).
                    assert response.status in (503, 409, 502), f"/send answered {response.status}: {await response.text()}"
                    self.refused += 1
                    await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 0.5))
            except (aiohttp.ClientError, asyncio.TimeoutError):
                await asyncio.sleep(0.1)
        return False

    async def run(self, stop, per_second):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            number = 0
            while not stop.is_set():
                number += 1
                tag = f"m{number}"
                if number % 2:
                    user = random.choice(self.users)
                    rooms, owed = [f"user_{user}"], [d.key for d in self.devices if d.user == user]
                else:
                    rooms, owed = ["news"], [d.key for d in self.devices]
                sent_at = time.time()
                if await self.post(http, rooms, "news", [tag, sent_at], key=tag):
                    self.promises.append(Promise(tag, sent_at, frozenset(owed)))
                await asyncio.sleep(1 / per_second)

    async def sentinels(self):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            for user in self.users:
                assert await self.post(http, [f"user_{user}"], "sentinel", [f"{user}-end"], key=f"{user}-end")


async def chaos_run(instances, scale, disruption=None, cut_connections=True, judged=lambda promise: True,
                    while_connected=None, front=None):
    """Runs the fleet against `instances` for `scale.seconds`, cutting connections when `cut_connections`, and
    running `disruption(instances, proxies)` meanwhile (it may restart instances and point proxies elsewhere);
    judges the promises `judged` selects. `while_connected()` runs at the end, before the devices leave. With a
    `front` (a load balancer with a `port` and a `url`), every device and the backend go through it, each device from
    a loopback address of its own."""
    if front:
        proxies = [await DeviceProxy.start(front.port, source_host=f"127.0.{1 + index // 250}.{1 + index % 250}")
                   for index in range(2 * scale.users)]
    else:
        ports = [instance.port for instance in instances]
        proxies = [await DeviceProxy.start(ports[index % len(ports)]) for index in range(2 * scale.users)]
    devices = fleet(scale.users, lambda i: proxies[i], lambda i: TRANSPORT_MIX[i % len(TRANSPORT_MIX)])
    try:
        await asyncio.gather(*(device.connect() for device in devices))
        sender = Sender([front] if front else instances, devices)
        stop = asyncio.Event()
        stop_sending = threading.Event()
        # The backend sends from a thread and event loop of its own, so the devices' work does not slow it down.
        sending = threading.Thread(target=lambda: asyncio.run(sender.run(stop_sending, scale.sends_per_second)))
        sending.start()
        chaos = asyncio.create_task(jitter(proxies, scale.cut_every, scale.outage, stop)) if cut_connections else None
        started = time.monotonic()
        if disruption:
            await disruption(instances, proxies)
        await asyncio.sleep(max(0.0, scale.seconds - (time.monotonic() - started)))  # the rest of the run
        stop.set()
        stop_sending.set()
        await asyncio.to_thread(sending.join)
        if chaos:
            await chaos
        await wait_until(lambda: all(device.connected for device in devices), 30, "every device connected again")
        # A sentinel per user, sent after everything else: once each device has it, every earlier message that
        # was coming to it has come (its connection delivers in order, its _batch before live messages).
        await sender.sentinels()
        await wait_until(lambda: all(f"{d.user}-end" in d.sentinels for d in devices), 30, "every device's sentinel")
        if while_connected:
            await asyncio.to_thread(while_connected)
        verdict = judge([promise for promise in sender.promises if judged(promise)], devices)
        verdict.sends, verdict.refused_sends = len(sender.promises), sender.refused
        return verdict
    finally:
        await asyncio.gather(*(device.close() for device in devices), return_exceptions=True)
        for proxy in proxies:
            proxy.close()


def report(case, verdict, scale):
    """Prints the case's figures and, with `CHAOS_RESULTS` set (make chaos), writes them there for BENCHMARKS.md."""
    summary = verdict.summary()
    summary["devices"] = 2 * scale.users
    summary["seconds"] = scale.seconds
    print(f"\n{case}: {json.dumps(summary)}")
    results = os.environ.get("CHAOS_RESULTS")
    if results:
        os.makedirs(results, exist_ok=True)
        with open(os.path.join(results, f"{case}.json"), "w") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
            f.write("\n")


def check(verdict, instances, connections_cut=True):
    for instance in instances:
        instance.assert_alive()
    assert verdict.sends > 0
    assert verdict.cuts > 0 or not connections_cut
    assert not verdict.lost, f"{len(verdict.lost)} of {verdict.expected} deliveries lost, e.g. {verdict.lost[:5]}"
    assert not verdict.duplicates, f"{len(verdict.duplicates)} duplicates, e.g. {verdict.duplicates[:3]}"
    assert verdict.delivered == verdict.expected
