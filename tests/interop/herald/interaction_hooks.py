"""A stub of a site backend's interaction hooks (`subscribeUrl`, `publishUrl`, `rpcUrl`): POST /subscribe, /publish
and /rpc, each call recorded with its Authorization header and JSON body.

The room (subscribe, publish) or the method (rpc) decides the answer:
  open-*     200 (publish: an empty body, the message goes out as sent)
  closed-*   403 {"error": "Members only"}
  slow-*     200, after SLOW_SECONDS (longer than the tests' 1 s hook timeout)
  broken-*   500
  garbage-*  200 with a body that is not JSON
  filter-*   publish: 200 {"args": ["[filtered]"]} (the backend replaces what was published)
  echo       rpc: 200 {"echo": params, "user": the token}
  empty      rpc: 200 with an empty body
A name passed to `refuse(name)` is answered 403 from then on, whatever its form.
"""
import json
import socket
import threading
import time

from stub_hooks import JSONHandler, StubServer

SLOW_SECONDS = 2.5


class InteractionHooks:
    def __init__(self):
        self.calls = []
        self.refused = set()
        self.condition = threading.Condition()
        self.server = StubServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def calls_to(self, path):
        with self.condition:
            return [call for call in self.calls if call["path"] == path]

    def refuse(self, name):
        """From now on the room or method `name` is answered 403."""
        with self.condition:
            self.refused.add(name)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler_class(self):
        stub = self

        class Handler(JSONHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                with stub.condition:
                    stub.calls.append({"path": self.path, "authorization": self.headers.get("Authorization", ""), "body": body})
                    stub.condition.notify_all()
                name = body.get("method") if self.path == "/rpc" else body.get("room", "")
                with stub.condition:
                    refused = name in stub.refused
                if refused:
                    self._reply(403, json.dumps({"error": "No longer allowed"}))
                elif name.startswith("slow-"):
                    time.sleep(SLOW_SECONDS)
                    self._reply(200, "")
                elif name.startswith("closed-") or name == "closed":
                    self._reply(403, json.dumps({"error": "Members only"}))
                elif name.startswith("broken-") or name == "broken":
                    self._reply(500, "{}")
                elif name.startswith("garbage-") or name == "garbage":
                    self._reply(200, "<html>")
                elif name.startswith("filter-"):
                    self._reply(200, json.dumps({"args": ["[filtered]"]}))
                elif name == "echo":
                    self._reply(200, json.dumps({"echo": body.get("params"), "token": body.get("token")}))
                else:
                    self._reply(200, "")

        return Handler


class RefusingPort:
    """A loopback port bound but not listening: every connection to it is refused at once (no free-port race, since
    the port stays bound while the test runs)."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def close(self):
        self.socket.close()
