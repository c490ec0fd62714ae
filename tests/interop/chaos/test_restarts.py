"""Deploys and failures while a backend sends: an instance killed with SIGKILL, every instance restarted in turn
with SIGTERM. Devices follow their load balancer (their proxy) to a live instance; every message whose /send got
200 reaches every device it was for, once per connection."""
import asyncio
import os
import sys
import time

import pytest

from chaos_run import chaos_run, check, report

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "deploy"))
from loopback_nginx import LoopbackNginx  # noqa: E402


def move_devices(proxies, from_port, to_ports):
    """Points the proxies of the instance on `from_port` at the others, as a load balancer does once its health
    check fails."""
    moved = [proxy for proxy in proxies if proxy.upstream_port == from_port]
    for index, proxy in enumerate(moved):
        proxy.point_to(to_ports[index % len(to_ports)])
    return moved


def test_an_instance_killed_while_its_devices_hold_unacked_messages_loses_nothing(redis_instances, scale):
    async def kill_one(instances, proxies):
        await asyncio.sleep(scale.seconds / 3)
        victim = instances[0]
        victim.kill()
        instances.remove(victim)
        assert move_devices(proxies, victim.port, [instance.port for instance in instances])

    everyone = list(redis_instances)
    verdict = asyncio.run(chaos_run(redis_instances, scale, disruption=kill_one, cut_connections=False))
    report("instance-death-redis-3", verdict, scale)
    check(verdict, redis_instances, connections_cut=False)
    assert len(redis_instances) == 2 and not everyone[0].process.poll() is None


def test_a_rolling_restart_with_sigterm_loses_nothing(redis_instances, scale):
    async def restart_each(instances, proxies):
        for position in range(len(instances)):
            await asyncio.sleep(scale.seconds / (len(instances) + 1))
            instance = instances[position]
            others = [other.port for other in instances if other is not instance]
            old_port = instance.port
            move_devices(proxies, old_port, others)
            assert await asyncio.to_thread(instance.terminate) == 0, instance.output()[-3000:]
            await asyncio.to_thread(instance.start)

    verdict = asyncio.run(chaos_run(redis_instances, scale, disruption=restart_each, cut_connections=False))
    report("rolling-restart-redis-3", verdict, scale)
    check(verdict, redis_instances, connections_cut=False)


def test_a_rolling_restart_behind_the_shipped_nginx_loses_nothing(redis_instances, scale, tmp_path):
    """deploy/nginx.conf (one more server line for the third instance) in front of everything: devices reach it each
    from a loopback address of its own, so its client-address hash spreads them; each instance gets SIGTERM in turn,
    comes back on a new port and nginx reloads, as a deploy does."""
    upstream = {f"herald{instance.number}": instance.port for instance in redis_instances}
    nginx = LoopbackNginx(str(tmp_path / "nginx"), dict(upstream))

    async def restart_each(instances, proxies):
        for instance in list(instances):
            await asyncio.sleep(scale.seconds / (len(instances) + 1))
            assert await asyncio.to_thread(instance.terminate) == 0, instance.output()[-3000:]
            await asyncio.to_thread(instance.start)
            upstream[f"herald{instance.number}"] = instance.port
            nginx.reload(dict(upstream))

    try:
        verdict = asyncio.run(chaos_run(redis_instances, scale, disruption=restart_each, cut_connections=False,
                                        front=nginx))
    finally:
        nginx.stop()
    with open(os.path.join(nginx.workdir, "probe.log")) as log:
        served_by = {line.split("|")[2].split(",")[0] for line in log if line.count("|") == 3}
    assert len(served_by) >= 3, f"nginx passed requests to {sorted(served_by)} only"
    report("rolling-restart-nginx-redis-3", verdict, scale)
    check(verdict, redis_instances, connections_cut=False)


@pytest.mark.parametrize("appendfsync", ["always", "everysec"])
def test_redis_killed_and_restarted_on_its_append_only_file_loses_nothing(redis_cluster, scale, appendfsync):
    # A killed redis-server loses nothing with either setting: what it wrote is in the kernel's page cache. Only a
    # host crash can lose what `everysec` had not yet fsynced (up to about a second of writes).
    instances, redis = redis_cluster(appendfsync=appendfsync)

    async def restart_redis(instances, proxies):
        await asyncio.sleep(scale.seconds / 3)
        redis.stop()
        await asyncio.sleep(1.0)  # Redis stays down for a second: sends meanwhile are answered 503
        await asyncio.to_thread(redis.start)

    verdict = asyncio.run(chaos_run(instances, scale, disruption=restart_redis, cut_connections=False))
    report(f"redis-restart-aof-{appendfsync}", verdict, scale)
    check(verdict, instances, connections_cut=False)
    assert verdict.refused_sends > 0, "no send was refused while Redis was down"


def connected_device_entries(redis, user):
    """The user's devices hash as Redis holds it: device ID -> `c<sockets>` or `d<since>`."""
    reply = redis.command("HGETALL", f"herald:{{shop}}:u:user_{user}:devices").split(b"\r\n")
    values = [line.decode() for line in reply if line and line[:1] not in (b"*", b"$")]
    return dict(zip(values[0::2], values[1::2]))


def test_redis_restarted_empty_gets_connected_devices_registered_again_without_a_reconnect(redis_cluster, scale):
    instances, redis = redis_cluster()
    restarted = {}

    def all_registered():
        return all(connected_device_entries(redis, f"u{user}").keys() == {"d0", "d1"} for user in range(scale.users))

    async def restart_redis_empty(instances, proxies):
        await asyncio.sleep(scale.seconds / 3)
        redis.stop()
        await asyncio.sleep(1.0)
        await asyncio.to_thread(redis.start)
        # Until its device is registered again a message is delivered live only; from then on it is kept.
        deadline = time.monotonic() + 30
        while not await asyncio.to_thread(all_registered):
            assert time.monotonic() < deadline, "devices not registered again within 30 s of the restart"
            await asyncio.sleep(0.2)
        restarted["at"] = time.time()

    def every_device_registered_again():
        for user in range(scale.users):
            assert connected_device_entries(redis, f"u{user}") == {"d0": "c1", "d1": "c1"}

    # What was stored before the restart is gone with the data; everything sent once the devices are registered
    # again must arrive.
    verdict = asyncio.run(chaos_run(instances, scale, disruption=restart_redis_empty, cut_connections=False,
                                    judged=lambda promise: promise.sent_at > restarted.get("at", float("inf")),
                                    while_connected=every_device_registered_again))
    report("redis-restart-empty", verdict, scale)
    check(verdict, instances, connections_cut=False)
    assert verdict.connects == 2 * scale.users, "a device had to reconnect"

