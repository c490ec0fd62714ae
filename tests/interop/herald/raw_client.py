"""A hand-driven Socket.IO v5 client over one Engine.IO v4 WebSocket, for tests that choose when (and whether) to ack."""
import json
import re
import urllib.parse

import websocket

EVENT = re.compile(r"^42(/[^,]*),(\d*)(\[.*)$", re.S)


def recv_answering_pings(ws):
    """The next frame from an Engine.IO v4 WebSocket that is not a ping; pings are answered, as a client must."""
    while True:
        frame = ws.recv()
        if frame == "2":
            ws.send("3")
            continue
        return frame


class RawSiteClient:
    def __init__(self, herald, site, token, device):
        self.namespace = f"/{site}"
        query = urllib.parse.urlencode({"EIO": 4, "transport": "websocket", "token": token, "deviceId": device})
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{herald.port}/socket.io/?{query}", timeout=5)
        assert self.ws.recv().startswith("0{")
        self.ws.send(f"40{self.namespace},")
        answer = self._recv()
        assert answer.startswith(f"40{self.namespace},"), answer
        # `_settings` comes once the device is registered with the store, so messages sent from now on are kept.
        settings = self._recv()
        assert settings.startswith(f'42{self.namespace},["_settings"'), settings

    def _recv(self):
        return recv_answering_pings(self.ws)

    def next_event(self, skip=("_settings",)):
        """(name, args, ack_id) of the next event, skipping `skip`."""
        while True:
            frame = self._recv()
            match = EVENT.match(frame)
            assert match and match.group(1) == self.namespace, f"unexpected frame {frame!r}"
            data = json.loads(match.group(3))
            if data[0] in skip:
                continue
            return data[0], data[1:], int(match.group(2)) if match.group(2) else None

    def nothing_more(self, seconds=0.5, skip=("_settings",)):
        """True when no event but those in `skip` arrives within `seconds` (heartbeats answered)."""
        self.ws.settimeout(seconds)
        try:
            while True:
                frame = self.ws.recv()
                if frame == "2":
                    self.ws.send("3")
                    continue
                match = EVENT.match(frame)
                if match and json.loads(match.group(3))[0] in skip:
                    continue
                self.unexpected = frame
                return False
        except websocket.WebSocketTimeoutException:
            return True
        finally:
            self.ws.settimeout(5)

    def ack(self, ack_id, *args):
        self.ws.send(f"43{self.namespace},{ack_id}{json.dumps(list(args))}")

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
