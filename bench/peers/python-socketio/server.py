"""A small push service written the way a Python developer would: python-socketio's AsyncServer on aiohttp,
running on uvloop.

It is the subset of Herald that the benchmark exercises, for one site:

* Socket.IO clients connect to the namespace ``/<site>`` with ``?token=...&deviceId=...``. The token is checked
  against a tokens table (``--tokens FILE``, a JSON object mapping each token to its list of rooms) or sent to the
  site's auth hook (``--auth-url``) as ``Authorization: Bearer <token>``; a 200 answer is the JSON list of rooms
  the client joins, 401 refuses it with "Authentication failed", another status with "Auth <status> error".
* ``POST /send?site=<site>&apiKey=<key>`` with a JSON body ``{"rooms": [...], "event": "...", "args": [...]}``
  emits ``event`` with ``args`` to every client in those rooms.
* ``GET /healthcheck`` answers ``ok``.

Usage:
    python server.py --port 18006 --site bench --api-key bench-api-key --tokens tokens.json
    python server.py --port 18006 --site bench --api-key bench-api-key --auth-url http://127.0.0.1:18100/auth
"""

import argparse
import asyncio
import json
import logging
import os
import socket
from urllib.parse import parse_qs

import aiohttp
import socketio
import uvloop
from aiohttp import web

log = logging.getLogger("peer")

AUTH_TIMEOUT = aiohttp.ClientTimeout(total=10)


class RoomSource:
    """Answers which rooms a token may join, from a tokens table or the site's auth hook."""

    def __init__(self, tokens=None, auth_url=None, auth_scheme="Bearer"):
        self.tokens = tokens
        self.auth_url = auth_url
        self.auth_scheme = auth_scheme
        self.session = None

    async def start(self):
        if self.auth_url:
            connector = aiohttp.TCPConnector(limit=256)
            self.session = aiohttp.ClientSession(connector=connector, timeout=AUTH_TIMEOUT)

    async def stop(self):
        if self.session:
            await self.session.close()

    async def rooms_for(self, token):
        if self.tokens is not None:
            if token not in self.tokens:
                raise socketio.exceptions.ConnectionRefusedError("Authentication failed")
            return self.tokens[token]
        headers = {"Authorization": f"{self.auth_scheme} {token}", "Accept": "application/json"}
        try:
            async with self.session.get(self.auth_url, headers=headers) as response:
                if response.status == 401:
                    raise socketio.exceptions.ConnectionRefusedError("Authentication failed")
                if response.status != 200:
                    raise socketio.exceptions.ConnectionRefusedError(f"Auth {response.status} error")
                rooms = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            raise socketio.exceptions.ConnectionRefusedError("Auth service unreachable")
        if not isinstance(rooms, list):
            raise socketio.exceptions.ConnectionRefusedError("Auth response is not a list of rooms")
        return [str(room) for room in rooms]


def create_app(site, api_key, room_source, device_ttl=3600, ping_interval=25):
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", ping_interval=ping_interval)
    app = web.Application()
    sio.attach(app)
    namespace = f"/{site}"

    @sio.on("connect", namespace=namespace)
    async def connect(sid, environ, auth):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        token = query.get("token", [""])[0]
        rooms = await room_source.rooms_for(token)
        for room in rooms:
            await sio.enter_room(sid, room, namespace=namespace)
        await sio.emit("_settings", {"device_ttl": device_ttl}, to=sid, namespace=namespace)

    async def send(request):
        if request.query.get("site") is None or request.query.get("apiKey") is None:
            return web.Response(status=400, text="Missing query param 'site' or 'apiKey'.")
        if request.query["site"] != site or request.query["apiKey"] != api_key:
            return web.Response(status=401, text="ApiKey invalid.")
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="Body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("event"), str):
            return web.Response(status=400, text="Body must be an object with 'rooms', 'event' and 'args'")
        rooms = body.get("rooms") or []
        if isinstance(rooms, str):
            rooms = [rooms]
        args = body.get("args") or []
        if not isinstance(args, list):
            args = [args]
        if rooms:
            await sio.emit(body["event"], tuple(args), to=rooms, namespace=namespace)
        return web.Response(text="OK")

    async def healthcheck(request):
        return web.Response(text="ok")

    async def on_startup(app):
        await room_source.start()

    async def on_cleanup(app):
        await room_source.stop()

    app.router.add_post("/send", send)
    app.router.add_get("/healthcheck", healthcheck)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18006, help="0 lets the kernel choose (see --port-file)")
    parser.add_argument("--port-file", help="write the port listened on to this file once it is bound")
    parser.add_argument("--site", default="bench")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--ping-interval", type=float, default=25, help="seconds between Engine.IO heartbeats")
    auth = parser.add_mutually_exclusive_group(required=True)
    auth.add_argument("--tokens", help="JSON file: {token: [room, ...]}")
    auth.add_argument("--auth-url", help="auth hook: GET with Authorization: Bearer <token>, 200 -> [rooms]")
    args = parser.parse_args()

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    tokens = None
    if args.tokens:
        with open(args.tokens) as f:
            tokens = json.load(f)
    app = create_app(args.site, args.api_key, RoomSource(tokens=tokens, auth_url=args.auth_url),
                     ping_interval=args.ping_interval)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(listener.getsockname()[1]))
        os.replace(args.port_file + ".tmp", args.port_file)
    web.run_app(app, sock=listener, backlog=4096, access_log=None, print=None, loop=uvloop.new_event_loop())


if __name__ == "__main__":
    main()
