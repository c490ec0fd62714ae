#!/usr/bin/env python3
"""Draws the fan-out chart of a benchmark run: deliveries/s and p99 latency against client count, one line per
server and client protocol. Runs in the chart virtualenv (matplotlib).

    python bench/chart.py bench/results/summary.json bench/results/fanout.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

STYLE = {"herald": ("#d9480f", "o"), "floor": ("#495057", "s"), "python-socketio": ("#1971c2", "^")}  # legend order
PROTOCOLS = {"socketio": ("", "-"), "websocket-json": ("plain WebSocket JSON", "--"), "sse": ("SSE", ":")}


def client_of(measurement):
    return measurement.get("client", "socketio")


def series(summary, server, client, key):
    points = sorted((m["clients"], m["results"][key]) for m in summary["measurements"]
                    if m["server"] == server and client_of(m) == client and m["scenario"] == "fanout"
                    and key in (m.get("results") or {}))
    return [x for x, _ in points], [y for _, y in points]


def draw(summary, path):
    order = sorted(summary["servers"], key=lambda name: list(STYLE).index(name) if name in STYLE else len(STYLE))
    lines = [(name, client) for name in order for client in PROTOCOLS
             if series(summary, name, client, "deliveries_per_s")[0]]
    figure, (rate, latency) = plt.subplots(1, 2, figsize=(11, 5), constrained_layout=True)
    for name, client in lines:
        color, marker = STYLE.get(name, (None, "o"))
        protocol, dashes = PROTOCOLS[client]
        label = summary["servers"][name]["label"] + (f", {protocol} clients" if protocol else "")
        rate.plot(*series(summary, name, client, "deliveries_per_s"), marker=marker, linestyle=dashes, color=color,
                  label=label)
        latency.plot(*series(summary, name, client, "latency_p99_ms"), marker=marker, linestyle=dashes, color=color,
                     label=label)
    options = summary["options"]
    rate.set_title("Deliveries per second (higher is better)")
    rate.set_ylabel("deliveries/s")
    rate.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:,.0f}k"))
    rate.set_ylim(bottom=0)
    latency.set_title("p99 latency at max /send rate (lower is better)")
    latency.set_ylabel("ms (log scale)")
    latency.set_yscale("log")
    latency.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))
    sizes = sorted({m["clients"] for m in summary["measurements"] if m["scenario"] == "fanout"})
    for axes in (rate, latency):
        axes.set_xlabel("clients in one room")
        axes.set_xticks(sizes)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axes.grid(True, alpha=0.3)
    handles, labels = rate.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3), fontsize=9, frameon=False)
    figure.suptitle(f"Fan-out to one room, {options['payload_bytes']}-byte messages at max rate, server on one core, "
                    f"herald-bench on the other ({summary['date']})", fontsize=10)
    figure.savefig(path, dpi=110)


def main():
    with open(sys.argv[1]) as f:
        summary = json.load(f)
    draw(summary, sys.argv[2])


if __name__ == "__main__":
    main()
