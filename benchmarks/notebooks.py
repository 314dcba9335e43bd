"""Execution time of every notebook against its budget: ``python -m benchmarks.notebooks``.

Each notebook of ``book/`` and ``solutions/`` is executed with nbclient (as nbval and
nbgrader do) ``--repeats`` times with the course's thread count, and once more with each
count in ``--compare-threads``; the median, min and max are reported against the budget
(20 s for every notebook, and 12 s for the median over all notebooks: the targets of the
performance issue), over-budget notebooks first. Budgets are reported, not enforced. The results go to ``benchmarks/results/notebooks.json`` and the
book's appendix page ``book/performance.md`` is rendered from that JSON
(``--page-only`` re-renders it without measuring).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import nbformat

from dlcourse_grade.kernel_client import notebook_client

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "notebooks.json"
BENCHMARKS = ROOT / "benchmarks" / "results" / "benchmarks.json"  # written by ``python -m benchmarks --json``
SUITE = ROOT / "benchmarks" / "results" / "suite.json"  # written by ``python -m benchmarks.suite``
PAGE = ROOT / "book" / "performance.md"
BUDGETS = {"chapter": 20.0, "lab": 20.0}
LONG_CHAPTERS: dict[str, float] = {}  # stem -> budget, for a chapter allowed longer (none is)
#: The median over all notebooks of their median times, in seconds, that the course aims for.
MEDIAN_BUDGET = 12.0


def notebooks() -> list[Path]:
    return sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*/*.ipynb"))


def budget(path: Path) -> float:
    if path.parent.name == "book":
        return LONG_CHAPTERS.get(path.stem, BUDGETS["chapter"])
    return BUDGETS["lab"]


def execute(path: Path, threads: int) -> float:
    """Seconds to execute ``path`` in a fresh kernel with ``threads`` torch threads (kernel start included)."""
    os.environ["DLCOURSE_NUM_THREADS"] = str(threads)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    notebook_client(
        nb, timeout=600, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.perf_counter() - start


def measure(repeats: int, threads: int, compare_threads: list[int], only: list[Path] | None = None) -> dict:
    rows = []
    for path in only or notebooks():
        times = [execute(path, threads) for _ in range(repeats)]
        row = {
            "notebook": str(path.relative_to(ROOT)),
            "budget": budget(path),
            "threads": threads,
            "median": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "repeats": repeats,
            "by_threads": {str(t): execute(path, t) for t in compare_threads},
        }
        row["over_budget"] = row["median"] > row["budget"]
        print(f"{row['notebook']}: median {row['median']:.1f} s (budget {row['budget']:.0f} s)", flush=True)
        rows.append(row)
    rows.sort(key=lambda r: (not r["over_budget"], -r["median"]))
    return {
        "measured_on": {
            "date": date.today().isoformat(),
            "machine": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "rows": rows,
    }


#: How much one notebook's median time moves between runs of the whole table on the course machine
#: (three quiet runs on 2026-12-03: 06_augmentation's median was 16.9, 19.2 and 21.8 s).
RUN_TO_RUN_SPREAD = 0.2


def margin_line(rows: list[dict]) -> str:
    """The notebooks within :data:`RUN_TO_RUN_SPREAD` of their budget: met in this run, not reliably."""
    near = [
        Path(r["notebook"]).stem
        for r in rows
        if not r["over_budget"] and r["median"] > (1 - RUN_TO_RUN_SPREAD) * r["budget"]
    ]
    if not near:
        return ""
    return (
        f"Within {RUN_TO_RUN_SPREAD:.0%} of their budget, the run-to-run spread measured on this machine: "
        f"{', '.join(near)}. They are within budget in this run; a slower run can put them over, so the "
        "budget is not met reliably for them."
    )


def median_line(rows: list[dict]) -> str:
    """The median over all notebooks, against :data:`MEDIAN_BUDGET`, and how many are over their own budget."""
    overall = statistics.median(r["median"] for r in rows)
    over = sum(r["over_budget"] for r in rows)
    verdict = "met" if overall <= MEDIAN_BUDGET else "**missed**"
    return (
        f"Median over the {len(rows)} notebooks: **{overall:.1f} s** (target ≤ {MEDIAN_BUDGET:.0f} s: {verdict}); "
        f"slowest: {max(r['median'] for r in rows):.1f} s; over their budget: " + (f"**{over}**." if over else "none.")
    )


def benchmarks_intro(benchmarks: list[dict]) -> list[str]:
    """The paragraph above the benchmark table: how it was measured, in one run or in several."""
    from .timing import run_count

    runs = run_count(benchmarks[0]) if benchmarks else 1
    how = (
        f"Measured by `python -m benchmarks --runs {runs}` on the same machine: the whole set ran {runs} times "
        "in a row, and each row shows the run with the median ratio, with the ratio's range over the runs in "
        "brackets. Each figure is the median of"
        if runs > 1
        else "Measured in one run by `python -m benchmarks` on the same machine, each figure the median of"
    )
    verdict = (
        "and whether it was met: in every run, or in how many runs it was missed"
        if runs > 1
        else "and whether this run met it"
    )
    return [
        how,
        "several repetitions (min and max are in `benchmarks/results/benchmarks.json`), the two sides interleaved; "
        "the ratio is ours ÷ baseline (PyTorch, or a per-image loop",
        "for the batched augmentations): below 1 means ours is faster. The last column gives the course's",
        f"target for that row, the largest ratio it aims for (0.1: ten times faster), {verdict}; a row without",
        "a target is there to explain another (each augmentation alone, two threads, the unfused pipeline).",
    ]


def render(results: dict, benchmarks: list[dict] | None = None, suite: dict | None = None) -> str:
    m = results["measured_on"]
    threads = sorted({t for r in results["rows"] for t in r["by_threads"]})
    runs = max(r["repeats"] for r in results["rows"])
    lines = [
        "# Appendix: how long the notebooks take",
        "",
        "Every chapter and lab is meant to run in well under a minute on a laptop CPU. This page is",
        "rendered from `benchmarks/results/notebooks.json`, written by `python -m benchmarks.notebooks`;",
        f"it was measured on {m['date']} on a {m['cpus']}-CPU machine ({m['machine']}, Python {m['python']}),",
        "executing each notebook in a fresh kernel, kernel start included: the median of "
        f"{runs} run{'s' if runs > 1 else ''} with one torch thread (min–max in brackets)"
        + (", and one run with each other thread count." if threads else ".")
        + " Over-budget notebooks come first."
        + (
            f" Re-measured after a change, the same way: {', '.join(again)}."
            if (again := sorted({Path(n).stem for entry in results.get("remeasured", []) for n in entry["notebooks"]}))
            else ""
        ),
        "",
        median_line(results["rows"]),
        "",
        *([margin, ""] if (margin := margin_line(results["rows"])) else []),
        "| notebook | 1 thread | "
        + "".join(f"{t} thread{'s' if t != '1' else ''} (one run) | " for t in threads)
        + "budget |",
        "|---|---|" + "---|" * len(threads) + "---|",
    ]
    for r in results["rows"]:
        flag = " **over budget**" if r["over_budget"] else ""
        name = Path(r["notebook"]).stem  # the chapter or lab; lab sources live in solutions/<name>/<name>.ipynb
        lines.append(
            f"| {name}{flag} | {r['median']:.1f} s ({r['min']:.1f}–{r['max']:.1f}) | "
            + "".join(f"{r['by_threads'][t]:.1f} s | " for t in threads)
            + f"{r['budget']:.0f} s |"
        )
    lines += [
        "",
        "The course uses one torch thread by default (`dlcourse.set_num_threads`): for models this",
        "small, a second thread on a 2-core machine brings little and, when anything else runs at the",
        "same time, costs a great deal (see CONTRIBUTING.md).",
        "",
    ]
    if benchmarks:
        from .timing import format_rows

        lines += [
            "## The course's implementations next to their baselines",
            "",
            *benchmarks_intro(benchmarks),
            "",
            format_rows(benchmarks),
            "",
        ]
    if suite:
        from .suite import parts_table

        lines += [
            "## The test suite",
            "",
            f"`{suite['command']}` (two workers) took {suite['wall_seconds'] / 60:.1f} minutes on "
            f"{suite['measured_on']['date']} ({suite['measured_on']['cpus']} CPUs), measured by "
            "`python -m benchmarks.suite`. Each part is the sum of its tests' times; two workers run",
            "side by side, so the parts add up to about twice the wall time."
            + (
                f" **That run did not pass** (exit code {suite['exit_code']}: {suite['outcomes']}); its time is"
                " not the time of a passing run."
                if suite.get("exit_code", 0) != 0
                else ""
            ),
            "",
            *parts_table(suite["parts"]),
            "",
        ]
    return "\n".join(lines)


def _benchmark_rows() -> list[dict] | None:
    return json.loads(BENCHMARKS.read_text()) if BENCHMARKS.exists() else None


def _suite() -> dict | None:
    return json.loads(SUITE.read_text()) if SUITE.exists() else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--compare-threads", type=int, nargs="*", default=[2])
    parser.add_argument("--page-only", action="store_true", help="re-render book/performance.md from the JSON")
    parser.add_argument(
        "--only",
        type=Path,
        nargs="+",
        metavar="NOTEBOOK",
        help="measure only these notebooks (after changing them) and replace their rows in the JSON; "
        "the others keep the figures of the run that wrote it",
    )
    args = parser.parse_args(argv)
    if args.only:
        fresh = measure(args.repeats, args.threads, args.compare_threads, [p.resolve() for p in args.only])
        results = json.loads(RESULTS.read_text())
        replaced = {r["notebook"] for r in fresh["rows"]}
        rows = [r for r in results["rows"] if r["notebook"] not in replaced] + fresh["rows"]
        rows.sort(key=lambda r: (not r["over_budget"], -r["median"]))
        results["rows"] = rows
        results.setdefault("remeasured", []).append(
            {"date": fresh["measured_on"]["date"], "notebooks": sorted(replaced)}
        )
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    elif not args.page_only:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(measure(args.repeats, args.threads, args.compare_threads), indent=1) + "\n")
    PAGE.write_text(render(json.loads(RESULTS.read_text()), _benchmark_rows(), _suite()))
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
