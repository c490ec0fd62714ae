"""What Herald has processed, read from /metrics (so tests wait for it instead of sleeping), and what it holds."""
from loopback import wait_until
from metrics_scrape import scrape, value


def acked(herald, site="shop"):
    """Messages devices of `site` acknowledged so far (counted once the store removed them)."""
    return value(scrape(herald), "herald_messages_acked_total", site=site)


def wait_for_acks(herald, before, count, site="shop"):
    """Waits until `count` more acknowledgements than `before` (an earlier `acked()`) were recorded."""
    wait_until(lambda: acked(herald, site) >= before + count, lambda: f"{count} acks after {before} on {site}")


def connected_sockets(herald, site="shop"):
    samples = scrape(herald)
    return sum(v for (name, labels), v in samples.items() if name == "herald_connected_sockets" and ("site", site) in labels)


def wait_for_connected_sockets(herald, count, site="shop"):
    """Waits until exactly `count` sockets of `site` are connected: a client's close has been processed."""
    wait_until(
        lambda: connected_sockets(herald, site) == count,
        lambda: f"{count} connected sockets on {site}, have {connected_sockets(herald, site)}",
    )


def resident_kib(pid):
    """The resident memory of process `pid` in KiB (VmRSS), for bounds on what hostile input may make it grow."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"/proc/{pid}/status has no VmRSS line")
