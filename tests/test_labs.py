"""dlcourse.labs: the labs' visible checks as functions, and the progress table at the end of every lab.

The unit tests of :func:`dlcourse.labs.progress` use a small lab made up here (its parts are cheap);
the structural tests hold every source lab and every release to the design: each visible test cell
is one call of its part's check with the part's objects, every part listed in ``PARTS`` has such a
cell, and the lab ends with the progress cell. That the table of an untouched release lists every
part as "not yet" is checked on the release nbgrader executes (tests/test_grading_loop.py).
"""

from __future__ import annotations

import ast
import importlib
import random
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from dlcourse import activations, grading, labs
from dlcourse.labs import lab01, lab02, lab08

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())


def module_of(lab: str) -> types.ModuleType:
    return importlib.import_module(f"dlcourse.labs.{lab[:5]}")


# --- progress, on a lab made up here -------------------------------------------------------------------


def check_square(square) -> None:
    with grading.Checker("part A") as check:
        check.function(square, lambda x: x * x, [torch.tensor([1.0, -2.0])], name="square")


def check_answer(ANSWER, given) -> None:
    with grading.Checker("part B") as check:
        check.true(ANSWER == given, "ANSWER is the given number", hint=f"got {ANSWER!r}")


def check_that_crashes(anything) -> None:
    raise SystemExit("a check that ends the interpreter")  # outside any Checker: nothing may stop the table


def check_that_draws(anything) -> None:
    with grading.Checker("part D") as check:
        torch.manual_seed(123)
        check.true(torch.rand(1).item() >= 0, "draws from the global generators")
        np.random.seed(1)
        random.seed(1)


TOY = types.SimpleNamespace(
    LAB="Lab 99",
    PARTS=(
        labs.Part("A", "squares", check_square, ("square",)),
        labs.Part("B", "an answer", check_answer, ("ANSWER",), given=("given",)),
        labs.Part("C", "a check that crashes", check_that_crashes, ("anything",)),
        labs.Part("D", "a check that draws", check_that_draws, ("anything",)),
    ),
)


def todo(x):
    raise NotImplementedError()


def statuses(namespace) -> dict[str, tuple[str, str]]:
    return {row.letter: (row.status, row.message) for row in labs.progress(TOY, namespace)}


def test_a_part_whose_checks_pass_is_done():
    rows = statuses({"square": lambda x: x**2, "ANSWER": 4, "given": 4, "anything": 0})
    assert rows["A"] == ("done", "") and rows["B"] == ("done", "") and rows["D"] == ("done", "")


def test_an_unwritten_function_or_a_blank_answer_is_not_yet():
    rows = statuses({"square": todo, "ANSWER": None, "given": 4, "anything": 0})
    assert rows["A"] == ("not yet", "square is not implemented yet")
    assert rows["B"] == ("not yet", "`ANSWER` is not answered yet")
    rows = statuses({"square": lambda x: x, "ANSWER": {"tanh": None, "relu": None}, "given": 4, "anything": 0})
    assert rows["B"] == ("not yet", "`ANSWER` is not answered yet")


def test_a_missing_name_says_which_cell_to_run():
    rows = statuses({"ANSWER": 4, "anything": 0})
    assert rows["A"] == ("not yet", "`square` is not defined yet: run its cell")
    assert rows["B"] == ("not yet", "`given` is not defined yet: run its cell")  # a given object, too


def test_a_failing_part_shows_its_first_failed_check():
    rows = statuses({"square": lambda x: x + 1, "ANSWER": 5, "given": 4, "anything": 0})
    assert rows["A"][0] == "failing" and rows["A"][1].startswith("square(tensor([ 1., -2.])): 2 of 2 values differ")
    assert rows["B"] == ("failing", "ANSWER is the given number: got 5")


def test_a_part_that_raises_anything_does_not_stop_the_others():
    def crash(x):
        raise ValueError("bad input")

    rows = statuses({"square": crash, "ANSWER": 4, "given": 4, "anything": 0})
    assert rows["A"] == ("failing", "square(tensor([ 1., -2.])) raised ValueError: bad input")
    assert rows["C"] == ("failing", "the check stopped: SystemExit: a check that ends the interpreter")
    assert rows["B"] == ("done", "") and rows["D"] == ("done", "")


def test_an_interrupt_goes_through():
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        labs.progress(TOY, {"square": interrupted, "ANSWER": 4, "given": 4, "anything": 0})


def test_the_checks_run_in_isolation_from_the_notebook():
    """Nothing the checks print reaches the notebook but the table, and the global random
    generators are where they were: running the table changes no later cell's draws."""
    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    before = torch.rand(3), np.random.rand(3), random.random()
    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    labs.progress(TOY, {"square": lambda x: x**2, "ANSWER": 4, "given": 4, "anything": 0})
    after = torch.rand(3), np.random.rand(3), random.random()
    assert torch.equal(before[0], after[0]) and np.array_equal(before[1], after[1]) and before[2] == after[2]


def test_the_table_is_plain_text_one_line_per_part(capsys):
    long = "x" * 300
    rows = labs.progress(TOY, {"square": lambda x: x + 1, "ANSWER": long, "given": 4})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Your progress on Lab 99 (each part's visible check, run again on its own):"
    assert lines[1].split() == ["part", "status", "first", "message"]
    assert lines[2].startswith("  A — squares") and " failing  square(" in lines[2]
    assert " not yet  `anything` is not defined yet: run its cell" in lines[4]
    assert [line[2] for line in lines[2:6]] == ["A", "B", "C", "D"]
    assert all(len(line) <= 130 for line in lines[2:6]), "a long message is cut to the table's width"
    assert lines[3].endswith("…")
    assert lines[6].startswith("0 of 4 parts pass their visible checks.")
    assert [r.status for r in rows] == ["failing", "failing", "not yet", "not yet"]
    assert "✘" not in "\n".join(lines) and "Checking" not in "\n".join(lines), "the checks' own lines stay hidden"


def test_a_real_lab_with_the_reference_answers():
    """Lab 01's parts A-D and F with the course's reference functions: done; part E has no network yet."""
    namespace = {
        name: getattr(activations, name)
        for name in ("relu", "relu_grad", "leaky_relu", "sigmoid", "sigmoid_grad", "elu", "elu_grad", "softmax")
    }
    namespace["OUTPUT_ACTIVATION"] = {f"task {i}": "sigmoid" for i in range(6)}
    namespace["OUTPUT_RANGE"] = {f"task {i}": (0.0, 1.0) for i in range(6)}
    namespace["count_dead_units"] = todo
    rows = {r.letter: r for r in labs.progress(lab01, namespace)}
    assert [rows[p].status for p in "ABCDF"] == ["done"] * 5
    assert (rows["E"].status, rows["E"].message) == ("not yet", "`damaged` is not defined yet: run its cell")


def test_a_given_cell_stops_with_one_line_when_an_answer_is_missing():
    with pytest.raises(labs.NotAnsweredYet, match="this cell runs your code: todo is not implemented yet") as caught:
        with labs.given_cell():
            todo(1)
    assert caught.value._render_traceback_() == [f"NotAnsweredYet: {caught.value}"]
    with pytest.raises(IndexError):  # any other error is the student's bug: its own traceback
        with labs.given_cell():
            [].pop()


# --- every lab: the visible cells call the lab's checks ------------------------------------------------


def nbgrader_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


@pytest.mark.parametrize("folder", ["solutions", "labs"])
@pytest.mark.parametrize("lab", LABS)
def test_every_visible_test_cell_calls_exactly_its_parts_check(lab, folder):
    nb = nbformat.read(ROOT / folder / lab / f"{lab}.ipynb", as_version=4)
    module = module_of(lab)
    short = lab[:5]
    visible = {nbgrader_id(c): c for c in nb.cells if nbgrader_id(c).endswith("_visible")}
    parts = {f"test_part_{p.letter.lower()}_visible": p for p in module.PARTS}
    assert set(visible) == set(parts), "every part in PARTS has a visible test cell, and no other"
    letters = [p.letter for p in module.PARTS]
    # the progress table calls the part's check itself, or (lab06 E) with a keyword that skips retraining
    assert letters == sorted(letters) and all(
        getattr(p.check, "func", p.check) is getattr(module, f"part_{p.letter.lower()}") for p in module.PARTS
    )
    for grade_id, cell in visible.items():
        part = parts[grade_id]
        statements = ast.parse(cell.source).body
        call = statements[0].value
        assert isinstance(call, ast.Call) and ast.unparse(call.func) == f"{short}.part_{part.letter.lower()}", grade_id
        assert [ast.unparse(a) for a in call.args] == list(part.names) and not call.keywords, grade_id
        rest = statements[1:]  # only hints may follow: print("...") of a constant
        assert all(ast.unparse(s.value.func) == "print" and isinstance(s.value.args[0], ast.Constant) for s in rest), (
            grade_id
        )
        assert cell.metadata["nbgrader"]["grade"] and cell.metadata["nbgrader"]["points"] > 0
    setup = next(c for c in nb.cells if nbgrader_id(c) == "setup")
    assert any(
        line.startswith("from dlcourse.labs import") and line.endswith(short) for line in setup.source.splitlines()
    ), "the locked setup cell imports the lab's checks"


@pytest.mark.parametrize("folder", ["solutions", "labs"])
@pytest.mark.parametrize("lab", LABS)
def test_every_lab_ends_with_its_progress_cell(lab, folder):
    nb = nbformat.read(ROOT / folder / lab / f"{lab}.ipynb", as_version=4)
    text, code = nb.cells[-2:]
    assert text.cell_type == "markdown" and text.source.startswith("## Your progress\n")
    assert code.cell_type == "code" and code.source == f"{lab[:5]}.progress(globals())"
    for cell, grade_id in [(text, "progress_text"), (code, "progress")]:
        meta = cell.metadata["nbgrader"]
        assert (meta["grade_id"], meta["locked"], meta["grade"], meta["solution"]) == (grade_id, True, False, False)
    ids = [c.get("id") for c in nb.cells]
    assert len(ids) == len(set(ids)), "cell ids are unique"
    assert "progress" in next(c for c in nb.cells if nbgrader_id(c) == "intro").source


@pytest.mark.parametrize("lab", LABS)
def test_the_source_records_every_part_as_done(lab):
    """The source's stored progress table (compared by nbval on every run) says every part is done."""
    nb = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    rows = [line for line in printed.splitlines() if line.startswith("  ") and " — " in line]
    assert len(rows) == len(module_of(lab).PARTS) and all(line.rstrip().endswith("done") for line in rows), printed


def test_lab02_part_g_names_the_schemes_of_its_table():
    nb = nbformat.read(ROOT / "solutions/lab02_initialization/lab02_initialization.ipynb", as_version=4)
    setup = next(c for c in nb.cells if nbgrader_id(c) == "part_g_setup")
    assigned = next(
        n for n in ast.parse(setup.source).body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "schemes"
    )
    table = {k.value: tuple(kk.value for kk in v.keys) for k, v in zip(assigned.value.keys, assigned.value.values)}
    assert table == lab02.SCHEMES


def test_lab08_part_d_uses_the_rules_its_setup_cell_states():
    nb = nbformat.read(ROOT / "solutions/lab08_tuning/lab08_tuning.ipynb", as_version=4)
    setup = next(c for c in nb.cells if nbgrader_id(c) == "setup")
    constants = {
        ast.unparse(n.targets[0]): ast.literal_eval(n.value)
        for n in ast.parse(setup.source).body
        if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) in ("FINAL_EPOCHS", "SEARCH_BUDGET", "MARGIN")
    }
    assert constants == {
        "FINAL_EPOCHS": lab08.FINAL_EPOCHS,
        "SEARCH_BUDGET": lab08.SEARCH_BUDGET,
        "MARGIN": lab08.MARGIN,
    }


def test_lab06_progress_reuses_only_the_baselines_of_the_same_given_objects(monkeypatch):
    """The progress table skips retraining part E's baseline (no student code in it) when the visible
    check just trained it with the same objects; the visible check itself always trains it."""
    from dlcourse.labs import lab06

    calls = []

    def train_and_score(augment=None, seed=0):
        calls.append((augment is None, seed))
        return 0.5 if augment is None else 0.9

    class Digits:
        X_train, y_train = torch.zeros(8, 1, 8, 8), torch.zeros(8, dtype=torch.long)

    def augment_batch(xb, yb, generator):
        return xb, yb

    monkeypatch.setattr(lab06, "_last_baseline", {})
    digits = Digits()
    for _ in range(2):  # the visible check: always six trainings
        lab06.part_e(augment_batch, train_and_score, digits)
    assert calls.count((True, 0)) == 2
    calls.clear()
    row = labs.status_of(
        lab06.PARTS[-1], {"augment_batch": augment_batch, "train_and_score": train_and_score, "digits": digits}
    )
    assert row.status == labs.DONE and calls == [(False, 0), (False, 1), (False, 2)]
    calls.clear()
    labs.status_of(
        lab06.PARTS[-1], {"augment_batch": augment_batch, "train_and_score": train_and_score, "digits": Digits()}
    )  # other data: the baseline is trained again
    assert [c for c in calls if c[0]] == [(True, 0), (True, 1), (True, 2)]


def _group_counting_split(groups, test_size=0.25, seed=0):
    """A wrong group split: whole groups, but a share of the *groups* in the test set, not of the examples."""
    groups = np.asarray(groups)
    names = np.unique(groups)
    chosen = np.random.default_rng(seed).permutation(names)[: int(round(test_size * len(names)))]
    test = np.isin(groups, chosen)
    return np.nonzero(~test)[0], np.nonzero(test)[0]


def _hidden_cell(lab: str, grade_id: str) -> str:
    nb = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    return next(c.source for c in nb.cells if nbgrader_id(c) == grade_id)


def test_lab07_group_split_checks_reject_a_split_that_counts_groups():
    """Lab 07 part C: a split that keeps groups apart but takes test_size of the *groups* fails the visible
    and the hidden check, whichever groups it draws (one large group: with it or without it, the share of
    examples is far from test_size); the source's answer passes both."""
    from dlcourse.labs import lab07

    hidden = _hidden_cell("lab07_methodology", "test_part_c_hidden")
    for shift in range(5):

        def counting(groups, test_size=0.25, seed=0, shift=shift):
            return _group_counting_split(groups, test_size, seed + 1000 * shift)

        with pytest.raises(grading.CheckFailed):
            lab07.part_c(counting)
        with pytest.raises(grading.CheckFailed):
            exec(hidden, {"np": np, "grading": grading, "group_train_test_split": counting})
    answer = {"np": np}
    exec(_hidden_cell("lab07_methodology", "part_c"), answer)
    lab07.part_c(answer["group_train_test_split"])
    exec(hidden, {"np": np, "grading": grading, "group_train_test_split": answer["group_train_test_split"]})


def test_lab08_part_d_counts_the_epochs_of_the_search_itself():
    """Lab 08 part D: the student's search is called again with a counting objective. A search that asks for
    more than the budget, or that trains through something other than the objective it is given (and so
    spends nothing the count sees), fails the visible check (a stand-in objective) and the hidden check (the
    real training, counted); the counter refuses a call past the budget instead of training."""
    counted, spent = lab08.counting_objective(lambda p, b: 0.5, budget=20)
    assert counted({"lr": 0.1}, 9.4) == 0.5 and spent == {"epochs": 9, "calls": 1}
    with pytest.raises(lab08.OverBudget, match="asked for 21 epochs; the budget is 20"):
        counted({"lr": 0.1}, 12)
    assert spent["epochs"] == 9

    chosen = {"lr": 0.03, "width": 64, "activation": "tanh"}

    def over_budget(objective):
        for _ in range(14):  # 14 x 9 = 126 epochs
            objective(chosen, 9)
        return chosen

    calls = []

    def elsewhere(objective):  # trains through a global objective: the count sees nothing
        calls.append(1)
        return chosen

    namespace = {"SPENT": {"epochs": 117, "test_calls": 1}, "objective": lambda p, b: 1.0, "default_score": 0.9}
    for search in (over_budget, elsewhere):
        with pytest.raises(grading.CheckFailed):
            lab08.part_d(search, chosen, *namespace.values())
    hidden = _hidden_cell("lab08_tuning", "test_part_d_hidden")
    import dlcourse
    from dlcourse import data
    from dlcourse.training import evaluate, fit

    base = {
        "data": data,
        "dlcourse": dlcourse,
        "torch": torch,
        "fit": fit,
        "evaluate": evaluate,
        "grading": grading,
        "best_params": chosen,
        "test_score": 0.0,
        "SPENT": {"epochs": 117, "test_calls": 1},
    }

    def asks_too_much(objective):  # refused before any training
        objective(chosen, 121)
        return chosen

    for search in (asks_too_much, elsewhere):
        with pytest.raises(
            grading.CheckFailed, match="- your search, run again with a counting objective, trains 1 to 120"
        ):
            exec(hidden, {**base, "search": search})
