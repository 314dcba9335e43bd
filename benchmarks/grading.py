"""Grading throughput: ``dlcourse-grade autograde`` on N copies of one submission.

    python -m benchmarks.grading --copies 100 --workers 2 [--compare-unsandboxed]

Reports the total wall time, the time per submission, and the overhead per submission beyond
executing the notebook itself. That baseline is measured the same way as the grading: the
notebook executed with nbclient (as nbgrader does) ``--baseline-copies`` times by ``--workers``
parallel kernels, so both sides share the machine alike (one kernel alone on an idle machine
would run faster than each of two side by side, and make the overhead look larger). With
``--compare-unsandboxed`` the same copies are graded a second time without the sandbox, which
isolates what the sandbox itself costs. Not part of ``python -m benchmarks`` (it takes minutes);
run it when sizing a grading machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from dlcourse_grade import grade
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _execute_in_parallel(source: Path, copies: int, workers: int) -> float:
    """Seconds per execution per worker of ``source``, run ``copies`` times by ``workers`` kernels at once."""
    def execute(_):
        nb = nbformat.read(source, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(source.parent)}}).execute()

    execute(None)  # warm the file cache, as the grading's first students do for the rest
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(execute, range(copies)))
    return (time.perf_counter() - start) * workers / copies


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab01_activations")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-copies", type=int, default=8,
                        help="executions of the plain notebook for the baseline (default 8)")
    parser.add_argument("--compare-unsandboxed", action="store_true",
                        help="also grade without the sandbox, to show the sandbox's own cost")
    args = parser.parse_args(argv)
    modes = [True, False] if args.compare_unsandboxed else [True]
    source = ROOT / "solutions" / args.lab / f"{args.lab}.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions" / args.lab, course / "solutions" / args.lab)
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", args.lab, "--force"],
                       cwd=course, check=True, capture_output=True)
        for i in range(args.copies):
            target = course / "submitted" / f"student{i:03d}" / args.lab
            target.mkdir(parents=True)
            shutil.copy(source, target / f"{args.lab}.ipynb")
        alone = _execute_in_parallel(source, 3, 1)
        print(f"executing the notebook with one kernel on the machine (3 runs): {alone:.2f} s per run")
        execute_only = _execute_in_parallel(source, args.baseline_copies, args.workers)
        print(f"executing the notebook alone (nbclient, {args.workers} kernel(s) side by side, "
              f"{args.baseline_copies} runs): {execute_only:.2f} s per run per worker")
        for sandboxed in modes:
            start = time.perf_counter()
            results = grade.autograde(course, args.lab, workers=args.workers, sandboxed=sandboxed)
            total = time.perf_counter() - start
            graded = sum(r.status == "graded" and r.code_score == r.max_code_score for r in results)
            short = Counter(f"{r.status} {r.code_score:g}/{r.max_code_score:g} {r.reason[:120]} {r.flags[:1]}"
                            for r in results if not (r.status == "graded" and r.code_score == r.max_code_score))
            for outcome, count in short.most_common(5):  # a benchmark of failures measures nothing: say so
                print(f"  not full marks ({count}x): {outcome}")
            per_submission = total * args.workers / args.copies
            print(f"{'sandboxed' if sandboxed else 'unsandboxed'}: {args.copies} copies of {args.lab}, "
                  f"{args.workers} worker(s): {total:.1f} s in total, {graded} graded with full marks; "
                  f"per submission (per worker) {per_submission:.2f} s, "
                  f"overhead beyond executing the notebook {per_submission - execute_only:.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
