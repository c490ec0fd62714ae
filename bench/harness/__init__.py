"""The benchmark harness behind `make bench`: builds and starts each server pinned to one core, drives it with
herald-bench pinned to the other, and turns herald-bench's JSON into BENCHMARKS.md, bench/results/*.json and a
chart."""
