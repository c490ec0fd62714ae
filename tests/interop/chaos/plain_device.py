"""A plain WebSocket JSON device for chaos runs (`/ws/shop`), written as a careful client of that protocol would be:
it reconnects whenever its connection drops, acknowledges every message that carries an ID once it has recorded it,
and acknowledges a batch with all of its IDs."""
import json

import aiohttp

from reconnecting_device import ReconnectingDevice


class PlainDevice(ReconnectingDevice):
    """One device of one user, connected through `proxy` over a plain WebSocket."""

    transports = ["websocket-json"]

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.proxy.port}/ws/shop?token=good-{self.user}&deviceId={self.device_id}"

    async def _connection(self, http, number):
        async with http.ws_connect(self.url, heartbeat=None, autoping=True) as ws:
            async for frame in ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    break
                message = json.loads(frame.data)
                kind = message["type"]
                if kind == "settings":
                    self._joined_now()
                elif kind == "event":
                    self._event(message["event"], message["args"], "live", number)
                    if "id" in message:
                        await ws.send_str(json.dumps({"type": "ack", "id": message["id"]}))
                elif kind == "batch":
                    for entry in message["messages"]:
                        self._event(entry["event"], entry["args"], "batch", number)
                    await ws.send_str(json.dumps({"type": "ack", "ids": [entry["id"] for entry in message["messages"]]}))
                elif kind == "error":
                    self.refusals.append(message)
        return self.connected

    def _event(self, event, args, source, connection):
        if event == "news":
            tag, sent_at = args
            self._record(tag, source, sent_at, connection)
        elif event == "sentinel":
            self._saw_sentinel(args[0])
