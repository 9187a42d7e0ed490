"""Seconds from ``loadwatch demo`` starting to its first page, and to its first data.

Run: ``python benchmarks/bench_demo.py [--repeats 3]`` (Linux: reads /proc).
Starts ``python -m loadwatch demo --no-browser`` on a free port with a fresh
data folder and polls ``/`` every 20 ms until it answers 200: the **first
page** (what the browser shows first: the page with its controls, no data
yet). It reads the CPU seconds of the demo process until then. Then it asks
what a browser asks next: the page's layout and callbacks, the athlete list
(the dropdown's callback) and the runner view of the athlete it selects (the
charts' callback, as the page sends them): the **first data**, when the
charts are drawn with the samples. It reads the CPU seconds of the demo
process and of its finished helper processes (the sample import), and stops
the server. Prints wall and CPU seconds, min and median of the repeats, and
the verdict. ``--baseline TREE`` runs the demo of another source tree (an
older version, e.g. from ``git worktree add``) in turn with this one, A B A B,
and prints its figures below. Before timing, the bytecode of each tree's
packages is compiled, as ``pip install`` does (``--no-compile``: not, as on
the very first start from a source checkout). Goal 6: the first page within
3 s of start (wall; on a busy machine the CPU figure of the demo process, the
critical path, is the steadier one).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 3.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds of a running process alone, and with its reaped children (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = sum(int(v) for v in fields[11:13])  # utime, stime
    children = sum(int(v) for v in fields[13:15])  # cutime, cstime
    tick = os.sysconf("SC_CLK_TCK")
    return own / tick, (own + children) / tick


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.loads(r.read())


def _callback(base: str, dependencies: list[dict], output: str, values: dict) -> dict:
    """Call the callback whose outputs include ``output`` (``id.property``) as the page
    would, inputs and states from ``values`` ((id, property) -> value, else None)."""
    dep = next(d for d in dependencies if output in d["output"].strip(".").split("..."))
    outs = [o.rsplit(".", 1) for o in dep["output"].strip(".").split("...")]
    outputs = [{"id": i, "property": p} for i, p in outs]

    def items(kind: str) -> list[dict]:
        return [
            {
                "id": x["id"],
                "property": x["property"],
                "value": values.get((x["id"], x["property"])),
            }
            for x in dep[kind]
        ]

    body = {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [],
    }
    request = urllib.request.Request(
        base + "_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Origin": base.rstrip("/")},
    )
    with urllib.request.urlopen(request, timeout=120) as r:
        return dict(json.loads(r.read())["response"])


def _layout_values(node: object, out: dict) -> dict:
    """(id, property) -> value of every component with an id in the layout tree."""
    if isinstance(node, list):
        for child in node:
            _layout_values(child, out)
    elif isinstance(node, dict) and "props" in node:
        props = node["props"]
        if isinstance(props.get("id"), str):
            for key, value in props.items():
                out[(props["id"], key)] = value
        _layout_values(props.get("children"), out)
    return out


def first_data(base: str) -> str:
    """Ask for the athlete list and the selected athlete's runner view, as the page does;
    the athlete selected."""
    values = _layout_values(_get(base + "_dash-layout"), {})
    dependencies = list(_get(base + "_dash-dependencies"))  # type: ignore[call-overload]
    athletes = _callback(base, dependencies, "athlete-dropdown.options", values)
    chosen = athletes["athlete-dropdown"]["value"]
    if not chosen:
        raise RuntimeError("the demo lists no athlete")
    values[("selected-athlete", "data")] = chosen
    charts = _callback(base, dependencies, "weekly-graph.figure", values)
    if not charts["timeline-graph"]["figure"]["data"]:
        raise RuntimeError("the runner view came back without runs")
    return str(chosen)


Run = tuple[float, tuple[float, float], float, tuple[float, float]]


def one_run(tmp: Path, tree: Path = ROOT) -> Run:
    """The demo of source tree ``tree``: first page s, its CPU s (demo process, with
    reaped helpers), first data s, its CPU s."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(tree), "LOADWATCH_HOME": str(tmp)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "loadwatch", "demo", "--no-browser", "--port", str(port)],
        env=env,
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("demo exited before answering") from None
                time.sleep(0.02)
        page = time.perf_counter() - started
        page_cpu = _cpu_s(proc.pid)
        first_data(url)
        data = time.perf_counter() - started
        return page, page_cpu, data, _cpu_s(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--baseline", type=Path, metavar="TREE", help="another source tree, run in turn with this"
    )
    parser.add_argument(
        "--no-compile", action="store_true", help="do not compile the trees' bytecode first"
    )
    args = parser.parse_args()
    import tempfile

    trees = [ROOT, *([args.baseline.resolve()] if args.baseline else [])]
    if not args.no_compile:
        import compileall

        for tree in trees:
            for package in ("loadwatch", "dashboards", "sample_activities"):
                compileall.compile_dir(tree / package, quiet=1)

    def fresh() -> Path:
        return Path(tempfile.mkdtemp(prefix="lw-demo-"))

    runs: list[Run] = []
    before: list[Run] = []
    for _ in range(args.repeats):
        runs.append(one_run(fresh()))
        if args.baseline:
            before.append(one_run(fresh(), args.baseline.resolve()))

    print("input: loadwatch demo --no-browser (bundled samples, fresh store each run)")
    print(f"bytecode: {'as found' if args.no_compile else 'compiled before timing'}")
    if before:
        print(f"baseline ({args.baseline}), run in turn with this tree:")
        report(before)
        print("this tree:")
    pages = report(runs)
    med = statistics.median(pages)
    verdict = "met" if med <= GOAL_S else f"MISSED by {med - GOAL_S:.2f} s"
    print(f"goal 6 (first page within {GOAL_S:.0f} s of start): {verdict} (median {med:.2f} s)")


def report(runs: list[Run]) -> list[float]:
    """Print the figures of ``runs``; the first-page wall seconds."""

    def row(what: str, values: list[float]) -> None:
        each = " ".join(f"{v:.2f}" for v in values)
        print(
            f"  {what:<44s} min {min(values):5.2f}  median {statistics.median(values):5.2f}"
            f"  (each: {each})"
        )

    print(f"  (n = {len(runs)})")
    pages = [r[0] for r in runs]
    row("first page  wall s", pages)
    row("first page  CPU s of the demo process", [r[1][0] for r in runs])
    row("first data  wall s (athletes and charts)", [r[2] for r in runs])
    row("first data  CPU s of the demo process", [r[3][0] for r in runs])
    row("first data  CPU s with its helper processes", [r[3][1] for r in runs])
    return pages


if __name__ == "__main__":
    main()
