"""Execute notebooks in place so that their stored outputs are those of the current code.

    python tools/record_outputs.py book/01_activations.ipynb solutions/lab01_activations/lab01_activations.ipynb

Runs on the CPU with the course's thread count (DLCOURSE_NUM_THREADS, default 1), in the
notebook's own folder, stores widget state (so the book can render the explorers without a
kernel), and prints how long each notebook took. `pytest` (nbval) then re-executes them and
compares every text output with what was stored here.

Progress bars are for the person waiting, not for the reader: after execution, every tqdm bar
(its widget, or its text on stderr) is dropped from the stored outputs, and the widget state
keeps only the models that the remaining outputs (the explorers) display.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat

from dlcourse_grade.kernel_client import notebook_client


def record(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    env_threads = os.environ.setdefault("DLCOURSE_NUM_THREADS", "1")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # record on the CPU, as CI checks on the CPU
    start = time.perf_counter()
    # record_timing=False: no per-cell timestamps, which would change every recording (and, through
    # nbgrader, every release) without any change of content.
    client = notebook_client(
        nb,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    elapsed = time.perf_counter() - start
    untagged = [i for i in strip_progress_bars(nb) if "nbval-ignore-output" not in nb.cells[i].metadata.get("tags", [])]
    if not _has_widgets(nb):
        nb.metadata.pop("widgets", None)  # no empty widget state in notebooks without explorers
    nbformat.write(nb, path)
    print(f"{path}: executed in {elapsed:.1f} s with {env_threads} torch thread(s)")
    if untagged:
        # nbval would compare the bar's text, which the stored notebook no longer holds
        raise SystemExit(f"{path}: cells {untagged} show a progress bar: tag them nbval-ignore-output and record again")
    return elapsed


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: tqdm's text form: "name:  40%|####      | 4/10 [00:01<00:02, 3.1it/s]".
PROGRESS_TEXT = re.compile(r"\d+%\|.*\|\s*\d+/\d+|\d+/\d+ \[\d\d:\d\d|it/s\]")


def _state(nb) -> dict:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _is_progress_bar(output, state: dict) -> bool:
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        model = state.get(data[WIDGET_VIEW].get("model_id"), {})
        children = model.get("state", {}).get("children", [])
        names = {state.get(str(c).removeprefix("IPY_MODEL_"), {}).get("model_name") for c in children}
        return model.get("model_name") == "HBoxModel" and "FloatProgressModel" in names
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        return bool(PROGRESS_TEXT.search(output.get("text", "")))
    return False


def strip_progress_bars(nb) -> list[int]:
    """Drop tqdm bars from the outputs and unused models from the widget state.

    Returns the indices of the cells that showed a bar.
    """
    state = _state(nb)
    cells_with_bars = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kept = [o for o in cell.outputs if not _is_progress_bar(o, state)]
        if len(kept) < len(cell.outputs):
            cells_with_bars.append(index)
        cell.outputs = kept
    if state:
        used = {
            o["data"][WIDGET_VIEW]["model_id"]
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
            if WIDGET_VIEW in o.get("data", {})
        }
        todo = list(used)
        while todo:  # every model a displayed model refers to ("IPY_MODEL_<id>"), transitively
            for ref in re.findall(r"IPY_MODEL_([0-9a-f]+)", str(state.get(todo.pop(), {}).get("state", {}))):
                if ref not in used:
                    used.add(ref)
                    todo.append(ref)
        for model_id in [m for m in state if m not in used]:
            del state[model_id]
    return cells_with_bars


def _has_widgets(nb) -> bool:
    return bool(_state(nb))


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
