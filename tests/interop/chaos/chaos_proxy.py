"""A TCP proxy per device that the test controls: it forwards the device's connections to one Herald instance and
can cut them the way a mobile network does, abruptly (a reset, no Socket.IO DISCONNECT, no TCP FIN), and refuse new
ones for a while.

The proxies run on the event loop of the chaos run itself; each listens on a port the kernel chose, so nothing
races for ports."""
import asyncio
import random
import socket
import struct


class DeviceProxy:
    """Forwards connections from its own port to `upstream_port`. `cut(seconds)` resets every open connection and
    resets new ones for `seconds`; `point_to(port)` sends later connections to another upstream."""

    def __init__(self, upstream_port, source_host=None):
        self.upstream_port = upstream_port
        self.source_host = source_host
        self.links = set()
        self.refusing_until = 0.0
        self.cuts = 0
        self.server = None
        self.port = None

    @classmethod
    async def start(cls, upstream_port, source_host=None):
        """A proxy to 127.0.0.1:`upstream_port`; with `source_host` (another loopback address, such as 127.0.0.7)
        its upstream connections come from there, so a load balancer hashing client addresses tells devices apart."""
        proxy = cls(upstream_port, source_host)
        proxy.server = await asyncio.start_server(proxy._accept, "127.0.0.1", 0)
        proxy.port = proxy.server.sockets[0].getsockname()[1]
        return proxy

    async def _accept(self, reader, writer):
        loop = asyncio.get_running_loop()
        if loop.time() < self.refusing_until:
            _reset(writer)
            return
        try:
            local = (self.source_host, 0) if self.source_host else None
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port, local_addr=local)
        except OSError:
            _reset(writer)
            return
        link = (writer, upstream_writer)
        self.links.add(link)
        try:
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except asyncio.CancelledError:
            pass  # the run ended: its loop cancels what is left
        finally:
            self.links.discard(link)
            for end in link:
                end.close()

    def cut(self, seconds):
        """Resets every connection and refuses (resets) new ones for `seconds`."""
        self.cuts += 1
        self.refusing_until = asyncio.get_running_loop().time() + seconds
        for link in list(self.links):
            for end in link:
                _reset(end)
        self.links.clear()

    def point_to(self, upstream_port):
        """Sends later connections to `upstream_port` (another instance)."""
        self.upstream_port = upstream_port

    def close(self):
        self.server.close()
        for link in list(self.links):
            for end in link:
                _reset(end)
        self.links.clear()


async def jitter(proxies, every, outage, stop):
    """Cuts each proxy about every `every` seconds (first cut at a random point of that span, then `every` ± 20%)
    for about `outage` seconds (± 30%), until the `stop` event is set. Counts nothing itself: each proxy counts its
    cuts."""
    loop = asyncio.get_running_loop()
    next_cut = {proxy: loop.time() + random.uniform(0, every) for proxy in proxies}
    while not stop.is_set():
        now = loop.time()
        for proxy, when in next_cut.items():
            if now >= when:
                proxy.cut(outage * random.uniform(0.7, 1.3))
                next_cut[proxy] = now + every * random.uniform(0.8, 1.2)
        await asyncio.sleep(0.05)


async def _pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError, asyncio.CancelledError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (OSError, RuntimeError):
            pass


def _reset(writer):
    """Closes with a TCP reset: SO_LINGER with a zero timeout, then an immediate close."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()
