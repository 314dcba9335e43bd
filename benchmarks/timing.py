"""Timing helpers shared by every benchmark: median of several repetitions, with min and max."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def measure(fn: Callable[[], object], repeats: int = 7, warmup: int = 2) -> dict:
    """Seconds per call of ``fn``: median, min and max over ``repeats`` calls after ``warmup``."""
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "repeats": repeats}


def compare(
    name: str,
    fn: Callable[[], object],
    baseline_name: str,
    baseline_fn: Callable[[], object],
    *,
    repeats: int = 7,
    warmup: int = 2,
    higher_is_better: bool = False,
    unit: str = "s",
    target: float | None = None,
) -> dict:
    """Time ``fn`` and ``baseline_fn`` alternately in one run and report ``ratio = fn / baseline``.

    ``target``: the largest ratio the course aims for (e.g. 2 for "at most twice torch's time",
    0.1 for "at least ten times faster than the loop"); the row records whether it was met.

    Interleaving the repetitions spreads any slowdown of the shared machine over both sides.
    """
    for _ in range(warmup):
        fn()
        baseline_fn()
    ours, theirs = [], []
    for _ in range(repeats):
        for times, f in ((ours, fn), (theirs, baseline_fn)):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
    row = {"name": name, "baseline": baseline_name, "repeats": repeats, "unit": unit}
    for key, values in (("", ours), ("baseline_", theirs)):
        row.update({f"{key}median": statistics.median(values), f"{key}min": min(values), f"{key}max": max(values)})
    row["ratio"] = row["median"] / row["baseline_median"]
    row["higher_is_better"] = higher_is_better
    if target is not None:
        row["target"] = target
        row["met"] = row["ratio"] <= target
    return row


def combine_runs(runs: list[list[dict]]) -> list[dict]:
    """One row per benchmark from several runs of every benchmark (each a list of :func:`compare` rows,
    in the same order).

    A row is the run whose ratio is the median (the lower one of the middle two for an even count),
    with ``ratios`` (the ratio of every run, in run order) added; a target counts as met only when
    every run met it (``runs_met`` says in how many it was). One run of a benchmark can land on either
    side of a target that its ratio is near: the runs show how far apart they land.
    """
    if not runs:
        raise ValueError("runs must hold at least one run")
    if len({len(run) for run in runs}) != 1:
        raise ValueError(f"every run must have the same rows, got {[len(run) for run in runs]} rows")
    combined = []
    for same in zip(*runs):
        if len({r["name"] for r in same}) != 1:
            raise ValueError(f"the runs' rows are not in the same order: {sorted({r['name'] for r in same})}")
        by_ratio = sorted(same, key=lambda r: r["ratio"])
        row = {**by_ratio[(len(by_ratio) - 1) // 2], "ratios": [r["ratio"] for r in same]}
        if "target" in row:
            row["runs_met"] = sum(r["met"] for r in same)
            row["met"] = row["runs_met"] == len(same)
        combined.append(row)
    return combined


def run_count(row: dict) -> int:
    """How many runs ``row`` was combined from (:func:`combine_runs`): 1 for a plain :func:`compare` row."""
    return len(row.get("ratios", [row["ratio"]]))


def _ratio(row: dict) -> str:
    ratios = row.get("ratios", [row["ratio"]])
    spread = f" ({min(ratios):.2f}–{max(ratios):.2f})" if len(ratios) > 1 else ""
    return f"{row['ratio']:.2f}×{spread}"


def _target(row: dict) -> str:
    if "target" not in row:
        return "—"
    runs = run_count(row)
    if runs == 1:
        return f"≤ {row['target']:.2g}×: {'met' if row['met'] else '**missed**'}"
    verdict = f"met in all {runs} runs" if row["met"] else f"**missed** in {runs - row['runs_met']} of {runs} runs"
    return f"≤ {row['target']:.2g}×: {verdict}"


def format_rows(rows: list[dict]) -> str:
    """A Markdown table of :func:`compare` rows (medians; min and max stay in the JSON); for rows
    combined from several runs (:func:`combine_runs`), the ratio's range over the runs in brackets."""
    lines = ["| benchmark | ours | baseline | ratio | target |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['median'] * 1e3:.2f} ms | {r['baseline']}: {r['baseline_median'] * 1e3:.2f} ms "
            f"| {_ratio(r)} | {_target(r)} |"
        )
    return "\n".join(lines)
