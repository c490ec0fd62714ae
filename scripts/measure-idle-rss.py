#!/usr/bin/env python3
"""Peak RSS of socketio-conformance holding N idle Socket.IO WebSocket clients.

Usage: .venv-sio5/bin/python scripts/measure-idle-rss.py [--clients 1000] [--binary .build/debug/socketio-conformance]
Starts the server on a loopback port of its choosing (--port 0 --port-file), opens N Engine.IO v4 WebSocket sessions that join `/` and answer
pings, holds them for a few heartbeats, and prints the server's RSS before, with clients, and its peak (VmHWM).
"""
import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time

import aiohttp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "interop"))
from loopback import port_file_path, read_port_file  # noqa: E402


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


async def client(session, url, joined, stop):
    async with session.ws_connect(url) as ws:
        opening = await ws.receive_str()
        assert opening.startswith("0{"), opening
        await ws.send_str("40")
        answer = await ws.receive_str()
        assert answer.startswith("40"), answer
        joined.append(1)
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(ws.receive(), timeout=0.5)
            except asyncio.TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.TEXT and message.data == "2":
                await ws.send_str("3")
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                raise RuntimeError("server closed an idle client")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--binary", default=".build/debug/socketio-conformance")
    parser.add_argument("--hold", type=float, default=3.0)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="measure-idle-rss-")
    port_file = port_file_path(workdir, "conformance")
    server = subprocess.Popen([args.binary, "--port", "0", "--port-file", port_file])
    try:
        port = read_port_file(server, port_file, "socketio-conformance", lambda: "(output on the console)")
        baseline = rss_kib(server.pid, "VmRSS")
        url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
        joined, stop = [], asyncio.Event()
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            tasks = []
            for index in range(args.clients):
                tasks.append(asyncio.create_task(client(session, url, joined, stop)))
                if index % 100 == 99:
                    await asyncio.sleep(0.05)
            deadline = time.time() + 60
            while len(joined) < args.clients and time.time() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(args.hold)
            held = rss_kib(server.pid, "VmRSS")
            peak = rss_kib(server.pid, "VmHWM")
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        print(f"clients joined: {len(joined)}/{args.clients}")
        print(f"RSS before: {baseline} KiB, with clients: {held} KiB, peak (VmHWM): {peak} KiB")
        print(f"marginal per client: {(held - baseline) / max(len(joined), 1):.1f} KiB")
        return 0 if len(joined) == args.clients else 1
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
