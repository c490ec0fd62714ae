"""User devices for chaos runs: stock python-socketio `AsyncClient`s that reconnect on their own, each through its
own `DeviceProxy`, recording every copy of every message they get (live or inside a `_batch`) with the connection
(`sid`) it came on. Handlers return normally, so every message that asked for an ack is acknowledged, as a real
client does."""
import asyncio
import time
from collections import defaultdict

import socketio

from plain_device import PlainDevice
from sse_device import SSEDevice

NAMESPACE = "/shop"


class Device:
    """One device (`deviceId`) of one user, connected through `proxy` with `transports`."""

    def __init__(self, user, device_id, proxy, transports):
        self.user = user
        self.device_id = device_id
        self.proxy = proxy
        self.transports = transports
        self.copies = defaultdict(list)  # tag -> [(sid, "live" | "batch", received_at)]
        self.sent_at = {}
        self.sentinels = set()
        self.connects = 0
        self.refusals = []  # CONNECT_ERROR payloads, for a failure that says why
        self.changed = asyncio.Event()
        self.client = socketio.AsyncClient(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=0.3,
            reconnection_delay_max=1.5,
            randomization_factor=0.5,
        )
        self.client.on("connect", self._connected, namespace=NAMESPACE)
        self.client.on("connect_error", self._refused, namespace=NAMESPACE)
        self.client.on("news", self._news, namespace=NAMESPACE)
        self.client.on("_batch", self._batch, namespace=NAMESPACE)
        self.client.on("sentinel", self._sentinel, namespace=NAMESPACE)

    @property
    def key(self):
        return f"{self.user}/{self.device_id}"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.proxy.port}?token=good-{self.user}&deviceId={self.device_id}"

    async def connect(self):
        try:
            await self.client.connect(self.url, namespaces=[NAMESPACE], transports=self.transports, wait_timeout=10)
        except socketio.exceptions.ConnectionError as error:
            raise AssertionError(f"{self.key} could not connect: {self.refusals or error}") from error

    async def close(self):
        await self.client.disconnect()

    @property
    def connected(self):
        return self.client.connected and NAMESPACE in self.client.namespaces

    def _sid(self):
        return self.client.get_sid(NAMESPACE)

    async def _connected(self):
        self.connects += 1

    async def _refused(self, data):
        self.refusals.append(data)

    def _record(self, tag, source, sent_at):
        self.copies[tag].append((self._sid(), source, time.time()))
        self.sent_at.setdefault(tag, sent_at)

    async def _news(self, tag, sent_at):
        self._record(tag, "live", sent_at)

    async def _batch(self, entries):
        for entry in entries:
            if entry[0] == "news":
                self._record(entry[1], "batch", entry[2])
            elif entry[0] == "sentinel":
                self._saw_sentinel(entry[1])

    async def _sentinel(self, tag):
        self._saw_sentinel(tag)

    def _saw_sentinel(self, tag):
        self.sentinels.add(tag)
        self.changed.set()


def fleet(users, proxies_for, transports_for):
    """Two devices per user (`d0`, `d1`), each behind the proxy `proxies_for(index)` with `transports_for(index)`:
    a list of Socket.IO transports, `["websocket-json"]` for a plain WebSocket device or `["sse"]` for a
    Server-Sent Events device."""
    devices = []
    for number in range(users):
        for device_number in range(2):
            index = len(devices)
            user, device_id, proxy, transports = f"u{number}", f"d{device_number}", proxies_for(index), transports_for(index)
            if transports == PlainDevice.transports:
                devices.append(PlainDevice(user, device_id, proxy))
            elif transports == SSEDevice.transports:
                devices.append(SSEDevice(user, device_id, proxy))
            else:
                devices.append(Device(user, device_id, proxy, transports))
    return devices


async def wait_until(predicate, timeout, what):
    """Polls `predicate` every 50 ms until it holds; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        await asyncio.sleep(0.05)
