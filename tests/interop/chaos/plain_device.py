"""A plain WebSocket JSON device for chaos runs (`/ws/shop`), written as a careful client of that protocol would be:
it reconnects with a jittered backoff whenever its connection drops, acknowledges every message that carries an ID
once it has recorded it, and acknowledges a batch with all of its IDs. It records every copy it gets exactly as the
Socket.IO `Device` does, with its connection number in place of a Socket.IO `sid`."""
import asyncio
import json
import random
import time
from collections import defaultdict

import aiohttp


class PlainDevice:
    """One device (`deviceId`) of one user, connected through `proxy` over a plain WebSocket."""

    transports = ["websocket-json"]

    def __init__(self, user, device_id, proxy):
        self.user = user
        self.device_id = device_id
        self.proxy = proxy
        self.copies = defaultdict(list)  # tag -> [(connection, "live" | "batch", received_at)]
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
    def url(self):
        return f"ws://127.0.0.1:{self.proxy.port}/ws/shop?token=good-{self.user}&deviceId={self.device_id}"

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
            try:
                async with self._http.ws_connect(self.url, heartbeat=None, autoping=True) as ws:
                    await self._serve(ws)
                    delay = 0.3
            except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                pass
            self._joined.clear()
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.5)

    async def _serve(self, ws):
        self._connections += 1
        connection = self._connections
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                break
            message = json.loads(frame.data)
            kind = message["type"]
            if kind == "settings":
                self.connects += 1
                self._joined.set()
            elif kind == "event":
                self._event(message["event"], message["args"], "live", connection)
                if "id" in message:
                    await ws.send_str(json.dumps({"type": "ack", "id": message["id"]}))
            elif kind == "batch":
                for entry in message["messages"]:
                    self._event(entry["event"], entry["args"], "batch", connection)
                await ws.send_str(json.dumps({"type": "ack", "ids": [entry["id"] for entry in message["messages"]]}))
            elif kind == "error":
                self.refusals.append(message)

    def _event(self, event, args, source, connection):
        if event == "news":
            tag, sent_at = args
            self.copies[tag].append((connection, source, time.time()))
            self.sent_at.setdefault(tag, sent_at)
        elif event == "sentinel":
            self.sentinels.add(args[0])
            self.changed.set()
