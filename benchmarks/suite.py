"""How long the test suite takes, and where the time goes: ``python -m benchmarks.suite``.

Runs the README's test command (``python -m pytest``, two workers) with a JUnit report, times
it, and splits the time by part of the suite:

* **unit** — ``tests/`` (library unit and property tests, the book's static checks) and the
  doctests of ``dlcourse/``;
* **nbval** — every notebook of ``book/`` and ``solutions/`` re-executed and compared;
* **grading** — the nbgrader loop for every lab and the instructor command on hostile submissions;
* **book** — the Jupyter Book build and the HTML link/image checks;
* **browser** — every page in headless Chromium;
* **colab path** — the fresh venv with only ``pip install .`` executing every notebook.

Each part is the sum of its tests' durations (set-up included, so a module's shared fixture is
counted in its part). With two workers the parts add up to about twice the wall time. The
result goes to ``benchmarks/results/suite.json``; ``--junit FILE`` splits an existing report
instead of running the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "suite.json"
PARTS = ["unit", "nbval", "grading", "book", "browser", "colab path"]
BROWSER_TESTS = (
    "test_page_renders_in_a_browser",
    "test_search_finds_dropout",
    "test_browser_check_catches_planted_faults",
    "test_cdn_pins_are_the_mirrored_packages",
)


def part_of(classname: str, name: str, file: str = "") -> str:
    """The part of the suite a JUnit test case belongs to."""
    where = (file or classname.replace(".", "/")).replace("\\", "/")
    if where.endswith(".ipynb") or where.startswith(("book/", "solutions/", "book.", "solutions.")):
        return "nbval"
    # the test module: the last path component named test_*, so that test classes count with their module
    components = [c.removesuffix(".py") for c in where.split("/")]
    module = next((c for c in reversed(components) if c.startswith("test_")), components[-1])
    if module in ("test_grading_loop", "test_instructor"):
        return "grading"
    if module == "test_colab_path":
        return "colab path"
    if module == "test_book_html":
        return "browser" if name.split("[")[0] in BROWSER_TESTS else "book"
    return "unit"


def split(junit: Path) -> dict:
    seconds, counts = defaultdict(float), defaultdict(int)
    outcomes = defaultdict(int)
    for case in ET.parse(junit).getroot().iter("testcase"):
        part = part_of(case.get("classname", ""), case.get("name", ""), case.get("file", ""))
        seconds[part] += float(case.get("time", 0))
        counts[part] += 1
        kind = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcomes[kind] += 1
    return {
        "parts": {p: {"seconds": round(seconds[p], 1), "tests": counts[p]} for p in PARTS if counts[p]},
        "outcomes": dict(outcomes),
    }


def run_suite(junit: Path) -> tuple[float, int]:
    start = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", f"--junitxml={junit}"], cwd=ROOT)
    return time.perf_counter() - start, code


def parts_table(parts: dict[str, dict]) -> list[str]:
    """The Markdown table of a split (one row per part, with its share of the summed test time)."""
    total = sum(p["seconds"] for p in parts.values())
    return ["| part | tests | time | share |", "|---|---|---|---|"] + [
        f"| {name} | {p['tests']} | {p['seconds']:.0f} s | {100 * p['seconds'] / total:.0f} % |"
        for name, p in parts.items()
    ]


def render(result: dict) -> str:
    parts = result["parts"]
    return "\n".join(
        [
            f"full suite: {result['wall_seconds'] / 60:.1f} min wall ({result['wall_seconds']:.0f} s), "
            f"exit {result['exit_code']}, {result['outcomes']}",
            *parts_table(parts),
            f"| all (two workers) | {sum(p['tests'] for p in parts.values())} | "
            f"{sum(p['seconds'] for p in parts.values()):.0f} s | 100 % |",
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--junit", type=Path, help="split this JUnit report instead of running the suite")
    parser.add_argument("--wall", type=float, help="wall time of the run that wrote --junit, in seconds")
    parser.add_argument("--exit-code", type=int, help="exit status of the run that wrote --junit")
    args = parser.parse_args(argv)
    if args.junit:
        wall, code, junit = args.wall or float("nan"), args.exit_code, args.junit
    else:
        junit = Path(tempfile.mkdtemp()) / "suite.xml"
        wall, code = run_suite(junit)
    result = {
        "measured_on": {"date": date.today().isoformat(), "machine": platform.platform(), "cpus": os.cpu_count()},
        "command": "python -m pytest",
        "wall_seconds": round(wall, 1),
        "exit_code": code,
        **split(junit),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(render(result))
    return 0 if code in (0, None) else 1


if __name__ == "__main__":
    sys.exit(main())
