"""Benchmark of the hardened YAML reader (skipped by the default test run).

    pytest tests/benchmarks/test_bench_loader.py -o addopts="" -s

The reader composes the node tree and the data itself, from libyaml's events, so that
nesting, alias expansion and recursive aliases are checked as it goes (libyaml's own
composer recurses in C and follows recursive aliases). This measures what that costs
against the unguarded way: libyaml's C composer plus a walk that builds the data, on a
generated 10,000-element spec. It prints one ``BENCH`` line with the ratio and asserts
the hardened reader is not slower than 1.25x the unguarded one.
"""

from __future__ import annotations

import gc
import time

import yaml
from generate import synthetic_yaml

from journeymap.spec.yamlsource import read_source


def unguarded(text: str) -> object:
    """libyaml's composer and a plain recursive walk: what the reader replaced."""
    constructor = yaml.constructor.SafeConstructor()

    def walk(node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:str":
                return node.value
            return constructor.construct_object(node)
        if isinstance(node, yaml.SequenceNode):
            return [walk(n) for n in node.value]
        return {walk(k): walk(v) for k, v in node.value}

    return walk(yaml.compose(text, Loader=yaml.CSafeLoader))


def best_cpu(fn, *args, rounds: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Best of ``rounds`` in CPU seconds (the machine is shared: wall time is noisy)."""
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.process_time()
        fn(*args)
        times.append(time.process_time() - t0)
    return min(times)


def test_hardened_reader_vs_unguarded_10k(benchmark) -> None:
    text = synthetic_yaml(10000, seed=1)
    assert read_source("x.yaml", text).data == unguarded(text)  # same data, first
    gc.disable()
    try:
        plain = best_cpu(unguarded, text)
        benchmark.pedantic(read_source, args=("x.yaml", text), rounds=5, iterations=1)
        hardened = best_cpu(read_source, "x.yaml", text)
    finally:
        gc.enable()
    ratio = hardened / plain
    benchmark.extra_info.update(unguarded_s=plain, hardened_s=hardened, ratio=ratio)
    print(f"\nBENCH 10k reader: hardened_s={hardened:.3f}, unguarded_s={plain:.3f}, "
          f"ratio={ratio:.2f}x")
    assert ratio <= 1.25
