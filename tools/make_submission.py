"""Make a student submission from a release notebook by filling its answer cells.

    python tools/make_submission.py labs/lab01_activations/lab01_activations.ipynb \\
        tests/fixtures/lab01_activations/partial_answers.py \\
        -o tests/fixtures/lab01_activations/partial.ipynb

The answers file defines ``ANSWERS = {grade_id: source}``: each named answer cell's source is
replaced (cells not named keep the release stub). Used to build the grading fixtures.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

import nbformat


def fill(release: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(release, as_version=4)
    ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    unknown = sorted(set(answers) - set(ids))
    if unknown:
        raise KeyError(f"no cells with grade_id {unknown} in {release}")
    for grade_id, source in answers.items():
        cell = ids[grade_id]
        if not cell.metadata["nbgrader"].get("solution"):
            raise ValueError(f"cell {grade_id!r} is not an answer cell")
        cell.source = source.strip("\n")
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", type=Path)
    parser.add_argument("answers", type=Path, help="a .py file defining ANSWERS = {grade_id: source}")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    answers = runpy.run_path(str(args.answers))["ANSWERS"]
    nbformat.write(fill(args.release, answers), args.output)
    print(f"wrote {args.output} ({len(answers)} answers filled)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
