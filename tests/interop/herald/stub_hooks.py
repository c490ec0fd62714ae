"""A stub of a site's backend: answers Herald's authUrl calls by token and records updateUserUrl PUTs.

Rooms granted with `grant(token, rooms)` (or refused with `revoke(token)`) come first; otherwise tokens decide the
answer:
  good-<user>   200 ["user_<user>", "news"]      (Herald joins the user room and the shared room "news")
  sport-<user>  200 ["user_<user>", "sports"]
  lobby-only    200 ["lobby"]                    (the site's publicChannel)
  shared-only   200 ["news"]                     (no private room)
  denied        401
  broken        500
  garbage       200 with a body that is not a JSON list
  slow-<user>   answers like good-<user>, but only after SLOW_SECONDS
  brief-<user>  answers like good-<user> after BRIEF_SECONDS (within Herald's hook timeout)
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 3.0
BRIEF_SECONDS = 0.5


class StubServer(ThreadingHTTPServer):
    """A listen backlog for connect storms: with the default of 5, a burst of hundreds of authUrl calls (the chaos
    fleet connecting at once to three instances) overflows it, and a SYN retried after 1 s and 3 s can outlast
    Herald's hook timeout, which refuses the client."""
    request_queue_size = 1024
    daemon_threads = True


class JSONHandler(BaseHTTPRequestHandler):
    """A stub endpoint's request handler: keep-alive, no access log, JSON answers."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class StubHooks:
    def __init__(self):
        self.calls = []
        self.grants = {}
        self.condition = threading.Condition()
        self.server = StubServer(("127.0.0.1", 0), self._handler_class())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, call):
        with self.condition:
            self.calls.append(call)
            self.condition.notify_all()

    def wait_for(self, predicate, timeout=5):
        with self.condition:
            assert self.condition.wait_for(lambda: any(predicate(c) for c in self.calls), timeout), (
                f"no matching hook call within {timeout}s; calls: {self.calls}"
            )
            return [c for c in self.calls if predicate(c)]

    def grant(self, token, rooms):
        """From now on `token` gets 200 with `rooms`."""
        with self.condition:
            self.grants[token] = list(rooms)

    def revoke(self, token):
        """From now on `token` gets 401."""
        with self.condition:
            self.grants[token] = None

    def calls_for(self, token):
        """How many authUrl calls carried `token`."""
        with self.condition:
            return sum(1 for call in self.calls if call["method"] == "GET" and call["authorization"].split(" ", 1)[-1] == token)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler_class(self):
        stub = self

        class Handler(JSONHandler):
            def do_GET(self):
                auth = self.headers.get("Authorization", "")
                stub.record({"method": "GET", "path": self.path, "authorization": auth, "meta": self.headers.get("X-META")})
                token = auth.split(" ", 1)[1] if " " in auth else ""
                with stub.condition:
                    granted = stub.grants.get(token, ())
                if granted is None:
                    self._reply(401, "{}")
                    return
                if granted != ():
                    self._reply(200, json.dumps(granted))
                    return
                if token.startswith("slow-"):
                    time.sleep(SLOW_SECONDS)
                    token = "good-" + token[len("slow-"):]
                if token.startswith("brief-"):
                    time.sleep(BRIEF_SECONDS)
                    token = "good-" + token[len("brief-"):]
                if token.startswith("good-"):
                    self._reply(200, json.dumps([f"user_{token[5:]}", "news"]))
                elif token.startswith("sport-"):
                    self._reply(200, json.dumps([f"user_{token[6:]}", "sports"]))
                elif token == "lobby-only":
                    self._reply(200, json.dumps(["lobby"]))
                elif token == "shared-only":
                    self._reply(200, json.dumps(["news"]))
                elif token == "denied":
                    self._reply(401, "{}")
                elif token == "broken":
                    self._reply(500, "{}")
                elif token == "garbage":
                    self._reply(200, "<html>")
                else:
                    self._reply(401, "{}")

            def do_PUT(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                stub.record({
                    "method": "PUT",
                    "path": self.path,
                    "authorization": self.headers.get("Authorization", ""),
                    "content_type": self.headers.get("Content-Type", ""),
                    "body": json.loads(body) if body else None,
                })
                self._reply(200, "{}")

        return Handler
