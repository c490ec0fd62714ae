"""What the chaos suite's devices of the protocols without a client library (plain WebSocket JSON, Server-Sent
Events) share: a careful client's reconnect loop with a jittered backoff, and the record of every copy they get,
kept exactly as the Socket.IO `Device` keeps it, with the connection's number in place of a Socket.IO `sid`."""
import asyncio
import random
import time
from collections import defaultdict

import aiohttp


class ReconnectingDevice:
    """One device (`deviceId`) of one user through `proxy`. A subclass opens and reads one connection in
    `_connection(http, number)` and calls `_joined_now()`, `_record()` and `_saw_sentinel()` as messages come."""

    def __init__(self, user, device_id, proxy):
        self.user = user
        self.device_id = device_id
        self.proxy = proxy
        self.copies = defaultdict(list)  # tag -> [(connection number, "live" | "batch", received_at)]
        self.sent_at = {}
        self.sentinels = set()
        self.connects = 0
        self.refusals = []
        self.changed = asyncio.Event()
        self._connections = 0
        self._joined = asyncio.Event()
        self._stopping = False
        self._task = None
        self._http = None

    @property
    def key(self):
        return f"{self.user}/{self.device_id}"

    @property
    def connected(self):
        return self._joined.is_set()

    async def connect(self):
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=5))
        self._task = asyncio.create_task(self._run())
        try:
            await asyncio.wait_for(self._joined.wait(), 10)
        except asyncio.TimeoutError as error:
            raise AssertionError(f"{self.key} could not connect: {self.refusals}") from error

    async def close(self):
        self._stopping = True
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._http:
            await self._http.close()

    async def _run(self):
        delay = 0.3
        while not self._stopping:
            self._connections += 1
            try:
                if await self._connection(self._http, self._connections):
                    delay = 0.3
            except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                pass
            self._joined.clear()
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.5)

    async def _connection(self, http, number):
        """Opens connection `number` and reads it until it ends; True when it was admitted."""
        raise NotImplementedError

    def _joined_now(self):
        self.connects += 1
        self._joined.set()

    def _record(self, tag, source, sent_at, connection):
        self.copies[tag].append((connection, source, time.time()))
        self.sent_at.setdefault(tag, sent_at)

    def _saw_sentinel(self, tag):
        self.sentinels.add(tag)
        self.changed.set()
