"""Redis Cluster under Herald: three instances on three masters with a replica each, devices whose connections are
cut, a backend sending, and the master holding the site's keys killed with SIGKILL mid-run. Its replica takes over;
every message whose /send got 200 reaches every device it was for, once per connection.

The instances wait for one replica per stored message (`redis.waitReplicas: 1`), so a 200 means two nodes have the
message. Until the killed node is back as the new master's replica, sends to the site are answered 503 (the backend
retries with the same Idempotency-Key): the price of that guarantee with one replica per master."""
import asyncio

from chaos_run import chaos_run, check, report


def test_jitter_on_a_redis_cluster_loses_and_duplicates_nothing(redis_cluster_instances, scale):
    instances, _ = redis_cluster_instances
    verdict = asyncio.run(chaos_run(instances, scale))
    report("jitter-redis-cluster", verdict, scale)
    check(verdict, instances)


def test_the_sites_master_killed_mid_run_loses_and_duplicates_nothing(redis_cluster_instances, scale):
    instances, cluster = redis_cluster_instances
    victim = cluster.master_of("herald:{shop}:u")
    killed = {}

    async def kill_the_sites_master(instances, proxies):
        await asyncio.sleep(scale.seconds / 3)
        await asyncio.to_thread(cluster.kill_master, victim)
        killed["replaced"] = cluster.master_of("herald:{shop}:u").address
        await asyncio.to_thread(cluster.rejoin, victim)

    verdict = asyncio.run(chaos_run(instances, scale, disruption=kill_the_sites_master, cut_connections=False))
    report("redis-cluster-master-killed", verdict, scale)
    check(verdict, instances, connections_cut=False)
    assert killed["replaced"] != victim.address, "the killed master still owns the site's slot"
    assert victim.role() == "slave", "the killed master did not come back as a replica"
