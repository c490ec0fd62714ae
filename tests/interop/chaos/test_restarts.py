"""Deploys and failures while a backend sends: an instance killed with SIGKILL, every instance restarted in turn
with SIGTERM. Devices follow their load balancer (their proxy) to a live instance; every message whose /send got
200 reaches every device it was for, once per connection."""
import asyncio

from chaos_run import chaos_run, check, report


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
    report("instance-death-redis-3", verdict)
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
    report("rolling-restart-redis-3", verdict)
    check(verdict, redis_instances, connections_cut=False)
