"""A Server-Sent Events device for chaos runs (`/sse/shop`), reading the stream as a browser's `EventSource` does:
it remembers the last `id:` it saw and, whenever the stream ends or breaks, reconnects with it in `Last-Event-ID`,
which is how an SSE client acknowledges. It records every copy it gets exactly as the Socket.IO `Device` does, with
its connection number in place of a Socket.IO `sid`; replayed messages arrive as ordinary events, so they count as
live copies of their connection."""
import asyncio
import json
import random
import time
from collections import defaultdict

import aiohttp


class SSEDevice:
    """One device (`deviceId`) of one user, reading its stream through `proxy`."""

    transports = ["sse"]

    def __init__(self, user, device_id, proxy):
        self.user = user
        self.device_id = device_id
        self.proxy = proxy
        self.copies = defaultdict(list)  # tag -> [(connection, "live", received_at)]
        self.sent_at = {}
        self.sentinels = set()
        self.connects = 0
        self.refusals = []
        self.changed = asyncio.Event()
        self.last_event_id = ""
        self._connections = 0
        self._joined = asyncio.Event()
        self._stopping = False
        self._task = None
        self._http = None

    @property
    def key(self):
        return f"{self.user}/{self.device_id}"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.proxy.port}/sse/shop?token=good-{self.user}&deviceId={self.device_id}"

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
            headers = {"Accept": "text/event-stream"}
            if self.last_event_id:
                headers["Last-Event-ID"] = self.last_event_id
            try:
                async with self._http.get(self.url, headers=headers) as response:
                    if response.status == 200:
                        await self._read(response)
                        delay = 0.3
                    else:
                        self.refusals.append((response.status, await response.text()))
            except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                pass
            self._joined.clear()
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.5)

    async def _read(self, response):
        self._connections += 1
        connection = self._connections
        event, data = "message", []
        async for raw in response.content:
            line = raw.decode().rstrip("\r\n")
            if not line:
                if data:
                    self._dispatch(event, "\n".join(data), connection)
                event, data = "message", []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id" and "\0" not in value:
                self.last_event_id = value

    def _dispatch(self, event, data, connection):
        args = json.loads(data)
        if event == "settings":
            self.connects += 1
            self._joined.set()
        elif event == "news":
            tag, sent_at = args
            self.copies[tag].append((connection, "live", time.time()))
            self.sent_at.setdefault(tag, sent_at)
        elif event == "sentinel":
            self.sentinels.add(args[0])
            self.changed.set()
