"""Execute notebooks in place so that their stored outputs are those of the current code.

    python tools/record_outputs.py book/01_activations.ipynb solutions/lab01_activations/lab01_activations.ipynb

Runs on the CPU with the course's thread count (DLCOURSE_NUM_THREADS, default 1), in the
notebook's own folder, stores widget state (so the book can render the explorers without a
kernel), and prints how long each notebook took. `pytest` (nbval) then re-executes them and
compares every text output with what was stored here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def record(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    env_threads = os.environ.setdefault("DLCOURSE_NUM_THREADS", "1")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # record on the CPU, as CI checks on the CPU
    start = time.perf_counter()
    # record_timing=False: no per-cell timestamps, which would change every recording (and, through
    # nbgrader, every release) without any change of content.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    elapsed = time.perf_counter() - start
    if not _has_widgets(nb):
        nb.metadata.pop("widgets", None)  # no empty widget state in notebooks without explorers
    nbformat.write(nb, path)
    print(f"{path}: executed in {elapsed:.1f} s with {env_threads} torch thread(s)")
    return elapsed


def _has_widgets(nb) -> bool:
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return bool(state.get("state"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        record(path, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
