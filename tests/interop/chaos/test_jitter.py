"""Jitter: every device's connection is cut abruptly (a TCP reset, no DISCONNECT) every few seconds and refused for
a moment, while a backend sends to user rooms and to a shared room; every message whose /send got 200 reaches
every device it was for, once per connection, live or in a `_batch`."""
import asyncio

from chaos_run import chaos_run, check, report


def test_jitter_on_one_instance_in_memory_loses_and_duplicates_nothing(memory_instances, scale):
    verdict = asyncio.run(chaos_run(memory_instances, scale))
    report("jitter-memory", verdict, scale)
    check(verdict, memory_instances)


def test_jitter_on_three_instances_on_redis_loses_and_duplicates_nothing(redis_instances, scale):
    verdict = asyncio.run(chaos_run(redis_instances, scale))
    report("jitter-redis-3", verdict, scale)
    check(verdict, redis_instances)
