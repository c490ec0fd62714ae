"""A Server-Sent Events device for chaos runs (`/sse/shop`), reading the stream as a browser's `EventSource` does:
it remembers the last `id:` it saw and, whenever the stream ends or breaks, reconnects with it in `Last-Event-ID`,
which is how an SSE client acknowledges. Replayed messages arrive as ordinary events, so they count as live copies
of their connection."""
import json

from reconnecting_device import ReconnectingDevice


class SSEDevice(ReconnectingDevice):
    """One device of one user, reading its stream through `proxy`."""

    transports = ["sse"]

    def __init__(self, user, device_id, proxy):
        super().__init__(user, device_id, proxy)
        self.last_event_id = ""

    @property
    def url(self):
        return f"http://127.0.0.1:{self.proxy.port}/sse/shop?token=good-{self.user}&deviceId={self.device_id}"

    async def _connection(self, http, number):
        headers = {"Accept": "text/event-stream"}
        if self.last_event_id:
            headers["Last-Event-ID"] = self.last_event_id
        async with http.get(self.url, headers=headers) as response:
            if response.status != 200:
                self.refusals.append((response.status, await response.text()))
                return False
            await self._read(response, number)
        return True

    async def _read(self, response, connection):
        event, data = "message", []
        async for raw in response.content:
            line = raw.decode().rstrip("\r\n")
            if not line:
                if data:
                    self._dispatch(event, json.loads("\n".join(data)), connection)
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

    def _dispatch(self, event, args, connection):
        if event == "settings":
            self._joined_now()
        elif event == "news":
            tag, sent_at = args
            self._record(tag, "live", sent_at, connection)
        elif event == "sentinel":
            self._saw_sentinel(args[0])
