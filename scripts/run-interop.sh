#!/usr/bin/env bash
# Runs the interop suite: Socket.IO v5 clients and raw protocol tests in .venv-sio5, then v4 clients in .venv-sio4,
# then the multi-instance suite a second time on a real Redis Cluster (three masters, three replicas), and the
# single-instance Redis cases on a one-node cluster (which refuses any script leaving its keys' slot).
set -euo pipefail
cd "$(dirname "$0")/.."
export HERALD_BUILD_DIR=${HERALD_BUILD_DIR:-.build/debug}
status=0
SIO_GENERATION=5 .venv-sio5/bin/python -m pytest -p no:cacheprovider --timeout 60 -q tests/interop || status=1
SIO_GENERATION=4 .venv-sio4/bin/python -m pytest -p no:cacheprovider --timeout 60 -q tests/interop || status=1
# The suites that ran on one redis-server above, now on the Cluster (test_send_waits reads one server's PUBLISH
# statistics and pauses it, which has no Cluster equivalent; its guarantee is the same code path). The chaos
# failover file starts its own Cluster.
HERALD_TEST_REDIS=cluster SIO_GENERATION=5 .venv-sio5/bin/python -m pytest -p no:cacheprovider --timeout 120 -q \
    tests/interop/cluster/test_cluster.py tests/interop/cluster/test_backend_control_cluster.py \
    tests/interop/cluster/test_presence_cluster.py tests/interop/cluster/test_plain_websocket_cluster.py || status=1
# The single-instance tests that run on Redis, on a one-node Redis Cluster: every key is local there, so Herald needs
# no routing, but Redis refuses a script or command whose keys leave one slot (the key discipline the Cluster needs).
HERALD_TEST_REDIS=cluster1 SIO_GENERATION=5 .venv-sio5/bin/python -m pytest -p no:cacheprovider --timeout 120 -q \
    -k redis tests/interop/herald/test_plain_websocket_reliable.py tests/interop/herald/test_redis_channel.py \
    tests/interop/herald/test_redis_outage.py tests/interop/herald/test_reliable_acks_raw.py \
    tests/interop/herald/test_reliable_delivery.py tests/interop/herald/test_send_raw_arguments.py \
    tests/interop/herald/test_idempotency.py tests/interop/herald/test_interactive_redis.py \
    tests/interop/herald/test_reliable_bounds.py tests/interop/sse/test_sse_store_outage.py || status=1
exit $status
