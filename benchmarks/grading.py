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

    python -m benchmarks.grading --hosts --copies 20

measures what a class that outgrows one machine gets from a shared gradebook: a throwaway
PostgreSQL server (``tests/postgres.py``) holds the gradebook, and the copies are graded through
the command line by one host (one worker), then again on a fresh database by two hosts at once
(``--shard 0/2`` and ``--shard 1/2``, one worker each, separate processes): submissions per second
for each, everything included (each host's start-up, template and gradebook writes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dlcourse_grade import grade

ROOT = Path(__file__).resolve().parents[1]


def _execute_in_parallel(source: Path, copies: int, workers: int) -> float:
    """Seconds per execution per worker of ``source``, run ``copies`` times by ``workers`` kernels at once."""

    def execute(_):
        nb = nbformat.read(source, as_version=4)
        NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}
        ).execute()

    execute(None)  # warm the file cache, as the grading's first students do for the rest
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(execute, range(copies)))
    return (time.perf_counter() - start) * workers / copies


def _hosts(course: Path, lab: str, copies: int) -> None:
    """Submissions per second with one grading host, then two sharing one PostgreSQL gradebook."""
    from tests.postgres import PostgresServer

    with PostgresServer() as server:
        env = {**os.environ, **server.env}
        for hosts in (1, 2):
            url = server.create_database(f"gradebook{hosts}")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nbgrader",
                    "generate_assignment",
                    lab,
                    "--force",
                    f"--CourseDirectory.db_url={url}",
                ],
                cwd=course,
                check=True,
                capture_output=True,
                env=env,
            )
            shutil.rmtree(course / "autograded", ignore_errors=True)
            command = [
                sys.executable,
                "-m",
                "dlcourse_grade.instructor",
                "--course",
                str(course),
                "autograde",
                lab,
                "--workers",
                "1",
                "--db-url",
                url,
            ]
            start = time.perf_counter()
            running = [
                subprocess.Popen(
                    command + (["--shard", f"{i}/{hosts}"] if hosts > 1 else []),
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for i in range(hosts)
            ]
            outputs = [p.communicate()[0] for p in running]
            total = time.perf_counter() - start
            if any(p.returncode for p in running):
                print("".join(outputs)[-3000:])
                raise SystemExit("a grading host failed")
            from dlcourse_grade.gradebook import stored_results

            os.environ.update(server.env)
            results = stored_results(url, lab)
            full = sum(r.status == "graded" and r.code_score == r.max_code_score for r in results)
            print(
                f"{hosts} host(s), 1 worker each, PostgreSQL gradebook: {copies} copies of {lab} in {total:.1f} s "
                f"= {copies / total:.3f} submissions/s; {len(results)} in the gradebook's results, "
                f"{full} with full marks",
                flush=True,
            )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab01_activations")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--baseline-copies", type=int, default=8, help="executions of the plain notebook for the baseline (default 8)"
    )
    parser.add_argument(
        "--compare-unsandboxed",
        action="store_true",
        help="also grade without the sandbox, to show the sandbox's own cost",
    )
    parser.add_argument(
        "--hosts", action="store_true", help="instead: one grading host against two sharing a PostgreSQL gradebook"
    )
    args = parser.parse_args(argv)
    modes = [True, False] if args.compare_unsandboxed else [True]
    source = ROOT / "solutions" / args.lab / f"{args.lab}.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions" / args.lab, course / "solutions" / args.lab)
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", args.lab, "--force"],
            cwd=course,
            check=True,
            capture_output=True,
        )
        for i in range(args.copies):
            target = course / "submitted" / f"student{i:03d}" / args.lab
            target.mkdir(parents=True)
            shutil.copy(source, target / f"{args.lab}.ipynb")
        if args.hosts:
            _hosts(course, args.lab, args.copies)
            return 0
        alone = _execute_in_parallel(source, 3, 1)
        print(f"executing the notebook with one kernel on the machine (3 runs): {alone:.2f} s per run")
        execute_only = _execute_in_parallel(source, args.baseline_copies, args.workers)
        print(
            f"executing the notebook alone (nbclient, {args.workers} kernel(s) side by side, "
            f"{args.baseline_copies} runs): {execute_only:.2f} s per run per worker"
        )
        for sandboxed in modes:
            start = time.perf_counter()
            results = grade.autograde(course, args.lab, workers=args.workers, sandboxed=sandboxed)
            total = time.perf_counter() - start
            graded = sum(r.status == "graded" and r.code_score == r.max_code_score for r in results)
            short = Counter(
                f"{r.status} {r.code_score:g}/{r.max_code_score:g} {r.reason[:120]} {r.flags[:1]}"
                for r in results
                if not (r.status == "graded" and r.code_score == r.max_code_score)
            )
            for outcome, count in short.most_common(5):  # a benchmark of failures measures nothing: say so
                print(f"  not full marks ({count}x): {outcome}")
            per_submission = total * args.workers / args.copies
            print(
                f"{'sandboxed' if sandboxed else 'unsandboxed'}: {args.copies} copies of {args.lab}, "
                f"{args.workers} worker(s): {total:.1f} s in total, {graded} graded with full marks; "
                f"per submission (per worker) {per_submission:.2f} s, "
                f"overhead beyond executing the notebook {per_submission - execute_only:.2f} s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
