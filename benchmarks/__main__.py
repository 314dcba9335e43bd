"""Run every ``benchmarks/bench_*.py`` and print one Markdown table: ``python -m benchmarks``.

``--runs N`` runs the whole set ``N`` times in a row: each row then reports the run with the median
ratio and the ratio's range over the runs, and a target counts as met only if every run met it
(:func:`benchmarks.timing.combine_runs`). The committed results use ``--runs 3``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import dlcourse

from .timing import combine_runs, format_rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--runs", type=int, default=1, help="run every benchmark this many times (>= 1)")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be >= 1, got {args.runs}")
    dlcourse.set_num_threads()
    modules = [
        importlib.import_module(f"benchmarks.{info.name}")
        for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name)
        if info.name.startswith("bench_")
    ]
    runs = [[row for module in modules for row in module.run(repeats=args.repeats)] for _ in range(args.runs)]
    rows = combine_runs(runs)
    print(format_rows(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
