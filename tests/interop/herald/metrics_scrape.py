"""Reads Herald's `GET /metrics` (Prometheus text format) into {(name, labels): value}."""
import re
import time

import requests

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(herald):
    response = requests.get(f"{herald.url}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in response.text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        name, labels, value = match.groups()
        key = (name, frozenset(LABEL.findall(labels or "")))
        samples[key] = float(value)
    return samples


def value(samples, name, **labels):
    """The sample `name{labels}`, or 0 when it was never recorded."""
    return samples.get((name, frozenset(labels.items())), 0)


def wait_for_value(herald, name, expected, timeout=5, **labels):
    """Scrapes until `name{labels}` reaches `expected` (acks are recorded asynchronously) and returns the scrape."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(herald)
        if value(samples, name, **labels) >= expected or time.monotonic() > deadline:
            return samples
        time.sleep(0.1)
