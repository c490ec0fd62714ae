#!/usr/bin/env python3
"""Measures Herald's delivery throughput with raw Engine.IO v4 WebSocket clients that ack every event.

  reliable:  N user devices (one per user) connected to one instance; M messages posted to a shared room reach
             every device through its queue and are acked. Reports /send messages/s and acked deliveries/s.
  broadcast: N clients of a site without user rooms, spread over K instances on one Redis; M messages posted to
             instance 1. Reports deliveries/s.

The load generator is Python (one process); on a 2-core machine it competes with the server, so compare ratios
measured in the same run (memory vs Redis, 1 vs 3 instances), not absolute figures.

Usage: scripts/measure-delivery.py reliable --store memory --devices 1000 --messages 200
       scripts/measure-delivery.py broadcast --instances 3 --clients 1000 --messages 200
"""
import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

import aiohttp

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop", "herald"))
from loopback import port_file_path, read_port_file  # noqa: E402
from redis_server import RedisServer  # noqa: E402

KEY = "bench-api-key-0123456789"


def write_config(workdir, users, user_rooms):
    with open(os.path.join(workdir, "config.yml"), "w") as f:
        f.write("production:\n  host: 127.0.0.1\n  device_ttl: 3600\n  device_queue_limit: 100000\n")
    with open(os.path.join(workdir, "sites.yml"), "w") as f:
        f.write(f"bench:\n  apiKey: {KEY}\n")
        if user_rooms:
            f.write("  userRoomPrefix: user_\n")
        f.write("  tokens:\n")
        for n in range(users):
            f.write(f"    bench-token-{n:010d}: [user_{n}, all]\n")


def start_herald(binary, workdir, redis_url, number):
    port_file = port_file_path(workdir, f"herald-{number}")
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "HERALD_ENV", "NODE_ENV")}
    env.update({"FLAKE_WORKER": str(number), "LOG_LEVEL": "warning"})
    if redis_url:
        env["REDIS_URL"] = redis_url
    process = subprocess.Popen(
        [binary, "serve", "--config", "config.yml", "--sites", "sites.yml", "--port", "0", "--port-file", port_file],
        cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return process, read_port_file(process, port_file, "herald", lambda: "(output discarded)")


class Client:
    def __init__(self, session, port, token, device):
        self.session, self.port, self.token, self.device = session, port, token, device
        self.received = 0

    async def run(self, ready, total, done):
        url = f"ws://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket&token={self.token}&deviceId={self.device}"
        async with self.session.ws_connect(url, max_msg_size=0) as ws:
            await ws.receive_str()
            await ws.send_str("40/bench,")
            async for frame in ws:
                text = frame.data
                if text == "2":
                    await ws.send_str("3")
                elif text.startswith("40/bench,"):
                    ready.release()
                elif text.startswith("42/bench,"):
                    body = text[len("42/bench,"):]
                    bracket = body.index("[")
                    if bracket > 0:
                        await ws.send_str(f"43/bench,{body[:bracket]}[]")
                    if not body[bracket:].startswith('["_settings"'):
                        self.received += 1
                        total[0] += 1
                        if total[0] >= total[1]:
                            done.set()


async def measure(ports, users, messages, concurrency):
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        ready = asyncio.Semaphore(0)
        total = [0, users * messages]
        done = asyncio.Event()
        clients = [Client(session, ports[n % len(ports)], f"bench-token-{n:010d}", f"d{n}") for n in range(users)]
        tasks = [asyncio.create_task(c.run(ready, total, done)) for c in clients]
        for _ in range(users):
            await asyncio.wait_for(ready.acquire(), 60)
        await asyncio.sleep(0.5)
        started = time.perf_counter()
        queue = asyncio.Queue()
        for n in range(messages):
            queue.put_nowait(n)
        send_latencies = []

        async def sender():
            while not queue.empty():
                n = queue.get_nowait()
                body = {"rooms": ["all"], "event": "bench", "args": [{"n": n, "t": time.time()}]}
                t0 = time.perf_counter()
                async with session.post(f"http://127.0.0.1:{ports[0]}/send?site=bench", json=body,
                                        headers={"Authorization": f"Bearer {KEY}"}) as response:
                    assert response.status == 200, await response.text()
                send_latencies.append(time.perf_counter() - t0)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
        sent = time.perf_counter()
        await asyncio.wait_for(done.wait(), 300)
        finished = time.perf_counter()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        send_latencies.sort()
        return {
            "messages": messages,
            "recipients": users,
            "deliveries": total[0],
            "send_seconds": round(sent - started, 3),
            "total_seconds": round(finished - started, 3),
            "messages_per_second": round(messages / (finished - started), 1),
            "deliveries_per_second": round(total[0] / (finished - started), 1),
            "send_p50_ms": round(send_latencies[len(send_latencies) // 2] * 1000, 2),
            "send_p99_ms": round(send_latencies[int(len(send_latencies) * 0.99) - 1] * 1000, 2),
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["reliable", "broadcast"])
    parser.add_argument("--store", choices=["memory", "redis"], default="memory")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--devices", "--clients", dest="users", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "herald"))
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    redis = RedisServer() if (args.store == "redis" or args.mode == "broadcast") else None
    processes = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            write_config(workdir, args.users, user_rooms=args.mode == "reliable")
            ports = []
            for number in range(args.instances):
                process, port = start_herald(args.binary, workdir, redis.url if redis else None, number)
                processes.append(process)
                ports.append(port)
            result = asyncio.run(measure(ports, args.users, args.messages, args.concurrency))
            result.update({"mode": args.mode, "store": "redis" if redis else "memory", "instances": args.instances})
            print(json.dumps(result))
    finally:
        for process in processes:
            process.kill()
            process.wait()
        if redis:
            redis.stop()


if __name__ == "__main__":
    main()
