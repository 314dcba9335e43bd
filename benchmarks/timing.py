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


def _target(row: dict) -> str:
    if "target" not in row:
        return "—"
    return f"≤ {row['target']:.2g}×: {'met' if row['met'] else '**missed**'}"


def format_rows(rows: list[dict]) -> str:
    """A Markdown table of :func:`compare` rows (medians; min and max stay in the JSON)."""
    lines = ["| benchmark | ours | baseline | ratio | target |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['median'] * 1e3:.2f} ms | {r['baseline']}: {r['baseline_median'] * 1e3:.2f} ms "
            f"| {r['ratio']:.2f}× | {_target(r)} |"
        )
    return "\n".join(lines)
