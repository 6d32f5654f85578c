"""Benchmarks of the loading and writing side (skipped by the default test run).

    pytest tests/benchmarks/test_bench_loader.py -o addopts="" -s

Side by side, on generated journeys whose supports name no stage, CPU seconds (best of
several: the machine is shared, wall time is noisy):

* the hardened reader (``spec/yamlsource.py``) against the floor of any reader built
  on libyaml's events (pulling the events, nothing else) and against the unguarded way
  it replaced (libyaml's C composer plus a walk that builds the data);
* the yes/no schema check as shipped (``$ref``s inlined, compiled without messages)
  against ``fastjsonschema.compile`` of the schema as written (what it replaced);
* ``load_spec`` as a whole, and its phases;
* writing the JSON result with one C encoder made once against one ``JSONEncoder`` call
  per item (what it replaced), same bytes;
* the whole ``journeymap analyze --format json`` process with the cyclic garbage
  collector off (as ``journeymap`` runs) against on (as before).

Each test prints a ``BENCH`` line. Sanity bounds only (the reader within 2.5x of the
event floor, no slower than the unguarded way); the numbers are in the README.
"""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from generate import synthetic_yaml
from json_reference import reference_dumps as old_dumps

from journeymap.spec import load_spec
from journeymap.spec.yamlsource import read_source

ROOT = Path(__file__).resolve().parents[2]


def report(name: str, **values: object) -> None:
    print(f"\nBENCH {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


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


def events_only(text: str) -> int:
    """The floor of an event-based reader: pull libyaml's events, keep nothing."""
    loader = yaml.CSafeLoader(text)
    count = 0
    try:
        while loader.get_event().__class__ is not yaml.StreamEndEvent:
            count += 1
    finally:
        loader.dispose()
    return count


def best_cpu(fn, *args, rounds: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Best of ``rounds`` in CPU seconds, the cyclic collector off (as the CLI runs)."""
    times = []
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            t0 = time.process_time()
            fn(*args)
            times.append(time.process_time() - t0)
    finally:
        if was:
            gc.enable()
    return min(times)


@pytest.fixture(scope="module")
def spec_10k(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("loader-bench") / "synthetic-10000.journey.yaml"
    path.write_text(synthetic_yaml(10000, seed=1, support_stages=False), encoding="utf-8")
    return path


def test_hardened_reader_vs_event_floor_and_unguarded_10k(benchmark, spec_10k) -> None:
    text = spec_10k.read_text(encoding="utf-8")
    assert read_source("x.yaml", text).data == unguarded(text)  # same data, first
    floor = best_cpu(events_only, text)
    plain = best_cpu(unguarded, text)
    benchmark.pedantic(read_source, args=("x.yaml", text), rounds=3, iterations=1)
    hardened = best_cpu(read_source, "x.yaml", text)
    benchmark.extra_info.update(events_s=floor, unguarded_s=plain, hardened_s=hardened)
    report("10k reader", hardened_s=f"{hardened:.3f}", events_floor_s=f"{floor:.3f}",
           unguarded_s=f"{plain:.3f}", vs_floor=f"{hardened / floor:.2f}x",
           vs_unguarded=f"{hardened / plain:.2f}x")
    assert hardened <= 2.5 * floor and hardened <= plain


def test_schema_check_vs_plain_fastjsonschema_10k(benchmark, spec_10k) -> None:
    import fastjsonschema

    from journeymap.spec.load import schema_text, yes_no_check

    data = read_source("x.yaml", spec_10k.read_text(encoding="utf-8")).data
    schema = json.loads(schema_text())
    t0 = time.process_time()
    shipped = yes_no_check(schema)
    compile_shipped = time.process_time() - t0
    t0 = time.process_time()
    plain = fastjsonschema.compile(schema)
    compile_plain = time.process_time() - t0
    assert shipped(data)
    plain(data)  # raises if invalid
    benchmark.pedantic(shipped, args=(data,), rounds=3, iterations=1)
    now, before = best_cpu(shipped, data), best_cpu(plain, data)
    report("10k schema check", shipped_s=f"{now:.3f}", plain_fastjsonschema_s=f"{before:.3f}",
           ratio=f"{before / now:.1f}x", compile_shipped_ms=f"{compile_shipped * 1000:.0f}",
           compile_plain_ms=f"{compile_plain * 1000:.0f}")


def test_load_spec_phases_10k(benchmark, spec_10k) -> None:
    from journeymap.spec import load as L
    from journeymap.spec.catalog import resolve_uses

    path = str(spec_10k)
    load_spec(path)  # compile the checks first: their one-off cost is not the phases'
    src = read_source(path)
    used = resolve_uses(src, None)
    phases = {
        "read": best_cpu(read_source, path),
        "schema": best_cpu(L._fast_validator(), src.data),
        "references": best_cpu(lambda: L._Checker(src, used.party_ids,
                                                  used.element_ids).run()),
        "build": best_cpu(L._build, src),
    }
    benchmark.pedantic(load_spec, args=(path,), rounds=3, iterations=1)
    total = best_cpu(load_spec, path)
    report("10k load_spec", total_s=f"{total:.3f}",
           **{f"{k}_s": f"{v:.3f}" for k, v in phases.items()})


def test_json_writing_10k(benchmark, spec_10k) -> None:
    from journeymap.analysis import analyze
    from journeymap.formats.analyze.json_report import dumps, to_dict

    doc = to_dict(analyze(load_spec(str(spec_10k))))
    assert dumps(doc) == old_dumps(doc)  # same bytes
    benchmark.pedantic(dumps, args=(doc,), rounds=3, iterations=1)
    now, before = best_cpu(dumps, doc), best_cpu(old_dumps, doc)
    report("10k JSON writing", one_encoder_s=f"{now:.3f}", encoder_per_item_s=f"{before:.3f}",
           ratio=f"{before / now:.2f}x", mb=f"{len(dumps(doc)) / 1e6:.1f}")


def cpu_of(code: str, *args: str) -> float:
    """CPU seconds (user + system) of one whole Python process running ``code``, exit
    included (Python's last collection at exit is part of what is measured)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_whole_process_gc_off_vs_on_10k(benchmark, spec_10k, tmp_path) -> None:
    args = ["analyze", "--format", "json", "-o", str(tmp_path / "a.json"), str(spec_10k)]
    # as `journeymap` runs: main() turns the collector off for the process
    off = "from journeymap.cli import main; main()"
    # as before: the command with the collector on (paused inside the loader and the
    # engine only), so it rescans everything after each pause and at exit
    on = "from journeymap.cli import cli; cli.main(prog_name='journeymap')"
    runs_off = sorted(cpu_of(off, *args) for _ in range(3))
    runs_on = sorted(cpu_of(on, *args) for _ in range(3))
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)  # results are in extra_info
    benchmark.extra_info.update(gc_off_s=runs_off[1], gc_on_s=runs_on[1])
    report("10k whole process, CPU, median of 3", gc_off_s=f"{runs_off[1]:.2f}",
           gc_on_s=f"{runs_on[1]:.2f}", ratio=f"{runs_on[1] / runs_off[1]:.2f}x")
