"""``dlcourse-grade``: collect, autograde, report and give feedback on lab submissions, safely.

nbgrader used as it comes runs every student's code in the instructor's course, with the
instructor's privileges, one notebook after another, and stops or mis-grades on hostile or
merely odd submissions. This command wraps it so that a batch always finishes:

``collect SRC``
    Take a folder or a zip of downloaded submissions (LMS exports with student ids in the file
    names, "Copy of …" names from Colab, nested folders) and place each as
    ``submitted/<student>/<lab>/<lab>.ipynb``. What cannot be matched is reported, not guessed.
``autograde LAB``
    Grade every submission (or ``--students``) with ``--workers`` parallel workers, each a
    long-lived nbgrader process (:mod:`dlcourse_grade.worker`). Each student is graded by
    nbgrader's autograde in a private copy of the course (its own gradebook), and the
    student's kernel runs in the sandbox of
    :mod:`dlcourse_grade.sandbox` (bubblewrap: own PID and network namespaces, nothing of the course
    on its filesystem, limits on memory, processes, file size and CPU time; refused without
    bubblewrap unless ``--unsafe-no-sandbox``). Each cell is limited to ``--cell-timeout``
    seconds and the whole run to ``--wall-time``. Invalid JSON, duplicated or stripped nbgrader
    metadata are detected before grading. The static integrity scan (:mod:`dlcourse_grade.integrity`)
    flags submissions for manual review. Each student's result is written to
    ``autograded/<student>/<lab>/result.json`` as soon as it is graded, and the graded submission
    is recorded in the course gradebook (:func:`dlcourse_grade.gradebook.record_in_gradebook`) for formgrader, manual
    grading and ``nbgrader export``. ``--db-url`` names a gradebook on a database server that several
    grading hosts share, and ``--shard i/n`` grades this host's part of the class.
``report LAB``
    ``reports/<LAB>.csv``, read from the gradebook (so that every host's report covers the whole class): one row per student (status, score, score per graded cell, flags),
    and a summary of who failed to grade and why and who is flagged.
``feedback LAB``
    ``feedback/<student>/<LAB>/<LAB>.html`` per student, with the source and tracebacks of
    hidden test cells removed: only their points and the checks' one-line messages remain.

The course root is found explicitly (``--course``, default: the current directory, which must
hold ``nbgrader_config.py``). The threat model is in the book's instructor guide.
"""

from __future__ import annotations

import argparse
import sys
import time

from .collect import collect, find_course
from .feedback import feedback, report
from .grade import autograde, parse_shard

__all__ = ["DB_URL_HELP", "main"]

DB_URL_HELP = (
    "the course gradebook on a database server, e.g. postgresql+psycopg://grader@db.example.edu/course "
    "(default: c.CourseDirectory.db_url of nbgrader_config.py, else .nbgrader/gradebook.db); never with a "
    "password: the driver reads PGPASSWORD or ~/.pgpass"
)


# --------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    """Run the ``dlcourse-grade`` command: ``collect``, ``autograde``, ``report`` or ``feedback``.

    Parameters
    ----------
    argv : list of str, optional
        The command-line arguments, without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 when ``autograde`` or ``report`` is refused (no sandbox, a bad
        argument); a malformed command line exits through ``argparse`` instead.
    """
    parser = argparse.ArgumentParser(prog="dlcourse-grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default=None, help="course root (holds nbgrader_config.py); default: .")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("collect", help="place downloaded submissions in submitted/")
    p.add_argument("src", help="a folder or a zip of downloaded notebooks")
    p = sub.add_parser("autograde", help="grade submissions in parallel, isolated, with limits")
    p.add_argument("lab")
    p.add_argument("--students", nargs="*")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--wall-time", type=float, default=600, help="seconds per student (default 600)")
    p.add_argument("--memory-mb", type=int, default=6144, help="address-space limit per student (default 6144)")
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    p.add_argument("--file-mb", type=int, default=256, help="largest file a kernel may write (default 256)")
    p.add_argument("--processes", type=int, default=256, help="processes per sandboxed kernel (default 256)")
    p.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="grade without the bubblewrap sandbox: submissions can then read the solutions, "
        "each other and the network; only inside a container per submission",
    )
    p.add_argument(
        "--shard",
        metavar="I/N",
        help="grade only this host's part I of N of the class (by a hash of "
        "the student id: every host computes the same split)",
    )
    p.add_argument("--db-url", help=DB_URL_HELP)
    p = sub.add_parser("report", help="write reports/<lab>.csv and print a summary")
    p.add_argument("lab")
    p.add_argument("--db-url", help=DB_URL_HELP)
    p = sub.add_parser("feedback", help="write feedback HTML without hidden tests")
    p.add_argument("lab")
    args = parser.parse_args(argv)
    course = find_course(args.course)
    if args.command == "collect":
        placements = collect(args.src, course)
        for pl in placements:
            print(
                f"{'placed ' if pl.target else 'SKIPPED'} {pl.source}"
                + (f" -> {pl.target}" if pl.target else f": {pl.problem}")
            )
        return 0
    if args.command == "autograde":
        from .sandbox import SandboxUnavailable

        started = time.perf_counter()
        if args.unsafe_no_sandbox:
            print(
                "WARNING: grading WITHOUT the sandbox (--unsafe-no-sandbox): every submission can read "
                "solutions/, the hidden tests, the other submissions and the network.",
                file=sys.stderr,
            )
        try:
            shard = None if args.shard is None else parse_shard(args.shard)
            results = autograde(
                course,
                args.lab,
                students=args.students,
                workers=args.workers,
                wall_time=args.wall_time,
                memory_mb=args.memory_mb,
                cell_timeout=args.cell_timeout,
                sandboxed=not args.unsafe_no_sandbox,
                file_mb=args.file_mb,
                processes=args.processes,
                db_url=args.db_url,
                shard=shard,
            )
        except (SandboxUnavailable, ValueError) as exc:
            print(f"dlcourse-grade: {exc}", file=sys.stderr)
            return 2
        for r in results:
            print(
                f"{r.student}: {r.status} {r.code_score:g}/{r.max_code_score:g} ({r.seconds:.1f} s)"
                + (f" — {r.reason}" if r.reason else "")
                + (f" [{len(r.flags)} flag(s)]" if r.flags else "")
            )
        print(
            f"{len(results)} submission(s)"
            + (f" (shard {args.shard})" if shard else "")
            + f" in {time.perf_counter() - started:.1f} s"
        )
        return 0
    if args.command == "report":
        try:
            path, summary = report(course, args.lab, db_url=args.db_url)
        except ValueError as exc:
            print(f"dlcourse-grade: {exc}", file=sys.stderr)
            return 2
        print(summary)
        print(f"wrote {path}")
        return 0
    written = feedback(course, args.lab)
    print(f"wrote {len(written)} feedback page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
