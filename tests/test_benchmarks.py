"""The benchmark runner's logic (timing helpers, budgets, results page), not its numbers."""

import json

import pytest

from benchmarks import notebooks, timing


def test_measure_and_compare_report_medians_and_ratio():
    calls = []
    row = timing.compare("ours", lambda: calls.append("a"), "theirs", lambda: calls.append("b"), repeats=3, warmup=1)
    assert calls == ["a", "b"] * 4  # interleaved, warm-up included
    assert row["ratio"] == pytest.approx(row["median"] / row["baseline_median"])
    assert set(timing.measure(lambda: None, repeats=2)) == {"median", "min", "max", "repeats"}
    assert "| ours |" in timing.format_rows([row])
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        timing.measure(lambda: None, repeats=0)


def test_rows_with_a_target_say_whether_it_was_met():
    met = {
        "name": "a",
        "median": 1e-3,
        "min": 1e-3,
        "max": 1e-3,
        "baseline": "b",
        "baseline_median": 1e-2,
        "ratio": 0.1,
        "target": 0.1,
        "met": True,
    }
    missed = {**met, "name": "c", "ratio": 2.5, "target": 2, "met": False}
    plain = {k: v for k, v in met.items() if k not in ("target", "met")}
    table = timing.format_rows([met, missed, plain]).splitlines()
    assert table[2].endswith("| ≤ 0.1×: met |")
    assert table[3].endswith("| ≤ 2×: **missed** |")
    assert table[4].endswith("| — |")
    row = timing.compare("ours", lambda: None, "theirs", lambda: None, repeats=1, warmup=0, target=1e9)
    assert row["met"] and row["target"] == 1e9


def test_several_runs_combine_into_the_median_run_with_the_range_and_met_only_if_every_run_met():
    def row(name, ratio, target=None):
        r = {"name": name, "median": ratio * 1e-3, "min": 0, "max": 0, "baseline": "b", "baseline_median": 1e-3}
        r["ratio"] = ratio
        if target is not None:
            r.update(target=target, met=ratio <= target)
        return r

    runs = [
        [row("bn", 1.9, 2), row("aug", 0.07, 0.1), row("plain", 3)],
        [row("bn", 2.1, 2), row("aug", 0.06, 0.1), row("plain", 1)],
        [row("bn", 1.6, 2), row("aug", 0.08, 0.1), row("plain", 2)],
    ]
    bn, aug, plain = timing.combine_runs(runs)
    assert (bn["ratio"], bn["ratios"], bn["runs_met"], bn["met"]) == (1.9, [1.9, 2.1, 1.6], 2, False)
    assert (aug["ratio"], aug["runs_met"], aug["met"]) == (0.07, 3, True)
    assert plain["ratio"] == 2 and "met" not in plain
    assert bn["median"] == pytest.approx(1.9e-3)  # the figures of the median run, not a mix of runs
    table = timing.format_rows([bn, aug, plain]).splitlines()
    assert table[2].endswith("| 1.90× (1.60–2.10) | ≤ 2×: **missed** in 1 of 3 runs |")
    assert table[3].endswith("| 0.07× (0.06–0.08) | ≤ 0.1×: met in all 3 runs |")
    assert table[4].endswith("| 2.00× (1.00–3.00) | — |")
    two = timing.combine_runs(runs[:2])
    assert two[0]["ratio"] == 1.9  # even count: the lower of the middle two
    with pytest.raises(ValueError, match="same rows"):
        timing.combine_runs([runs[0], runs[1][:2]])
    with pytest.raises(ValueError, match="same order"):
        timing.combine_runs([runs[0], runs[1][::-1]])
    with pytest.raises(ValueError, match="at least one run"):
        timing.combine_runs([])
    page = "\n".join(notebooks.benchmarks_intro([bn, aug, plain]))
    assert "--runs 3" in page and "in every run" in page
    assert "in one run" in "\n".join(notebooks.benchmarks_intro(runs[0]))


def test_every_notebook_has_a_budget():
    paths = notebooks.notebooks()
    assert any(p.parent.name == "book" for p in paths) and any(p.parent.parent.name == "solutions" for p in paths)
    for path in paths:
        assert notebooks.budget(path) == 20.0  # the performance issue's target for every notebook
    assert notebooks.MEDIAN_BUDGET == 12.0


def test_median_line_marks_the_overall_median_met_or_missed():
    row = lambda median, over=False: {"median": median, "over_budget": over}
    assert "**6.0 s** (target ≤ 12 s: met)" in notebooks.median_line([row(5.0), row(6.0), row(25.0, True)])
    line = notebooks.median_line([row(13.0), row(14.0), row(25.0, True)])
    assert "(target ≤ 12 s: **missed**)" in line and "over their budget: **1**." in line


def test_margin_line_names_the_notebooks_that_meet_their_budget_by_less_than_the_spread():
    row = lambda name, median, over=False: {
        "notebook": f"book/{name}.ipynb",
        "budget": 20.0,
        "median": median,
        "over_budget": over,
    }
    assert notebooks.margin_line([row("a", 10.0), row("b", 16.0)]) == ""
    line = notebooks.margin_line([row("a", 10.0), row("b", 18.6), row("c", 25.0, True)])
    assert "this machine: b. They are within budget" in line and "not met reliably" in line


def test_results_page_lists_over_budget_first_and_every_thread_count():
    rows = [
        {
            "notebook": "book/a.ipynb",
            "budget": 30.0,
            "median": 12.0,
            "min": 11.0,
            "max": 13.0,
            "repeats": 3,
            "over_budget": False,
            "by_threads": {"1": 12.0, "2": 14.0},
        },
        {
            "notebook": "book/b.ipynb",
            "budget": 30.0,
            "median": 41.0,
            "min": 40.0,
            "max": 45.0,
            "repeats": 3,
            "over_budget": True,
            "by_threads": {"1": 41.0, "2": 60.0},
        },
    ]
    rows.sort(key=lambda r: (not r["over_budget"], -r["median"]))
    page = notebooks.render(
        {"measured_on": {"date": "2026-11-23", "machine": "m", "cpus": 2, "python": "3.11"}, "rows": rows}
    )
    table = [line for line in page.splitlines() if line.startswith(("| a", "| b"))]
    assert table[0].startswith("| b **over budget** | 41.0 s (40.0–45.0)")
    assert "| notebook | 1 thread | 1 thread (one run) | 2 threads (one run) | budget |" in page
    assert table[1].endswith("| 12.0 s | 14.0 s | 30 s |")


@pytest.mark.skipif(not notebooks.RESULTS.exists(), reason="no measurement committed yet")
def test_committed_page_is_rendered_from_the_committed_results():
    results = json.loads(notebooks.RESULTS.read_text())
    assert notebooks.PAGE.read_text() == notebooks.render(results, notebooks._benchmark_rows(), notebooks._suite())
    measured = {r["notebook"] for r in results["rows"]}
    assert measured == {str(p.relative_to(notebooks.ROOT)) for p in notebooks.notebooks()}, (
        "re-run python -m benchmarks.notebooks after adding a notebook"
    )


def test_suite_split_assigns_every_kind_of_test_to_its_part(tmp_path):
    from benchmarks import suite

    cases = [
        ("tests.test_augment", "test_crop", "1.5"),
        ("dlcourse.augment", "dlcourse.augment.crop", "0.5"),
        ("book.01_activations.ipynb", "Cell 3", "2.0"),
        ("solutions/lab01_activations/lab01_activations.ipynb", "Cell 1", "1.0"),
        ("tests.test_grading_loop.TestGradingLoop_lab01_activations", "test_loop", "30"),
        ("tests.test_instructor", "test_hostile", "20"),
        ("tests.test_book_html", "test_every_local_link_resolves", "25"),
        ("tests.test_book_html", "test_page_renders_in_a_browser[book/intro.html]", "3"),
        ("tests.test_book_html", "test_search_finds_dropout", "1"),
        ("tests.test_colab_path", "test_notebook_runs_with_only_the_package[book/00]", "9"),
    ]
    xml = (
        "<testsuites><testsuite>"
        + "".join(f'<testcase classname="{c}" name="{n}" time="{t}"/>' for c, n, t in cases)
        + '<testcase classname="tests.test_x" name="test_skip" time="0.1"><skipped/></testcase></testsuite></testsuites>'
    )
    report = tmp_path / "junit.xml"
    report.write_text(xml)
    result = suite.split(report)
    seconds = {part: p["seconds"] for part, p in result["parts"].items()}
    assert seconds == {"unit": 2.1, "nbval": 3.0, "grading": 50.0, "book": 25.0, "browser": 4.0, "colab path": 9.0}
    assert result["outcomes"] == {"passed": 10, "skipped": 1}
    assert "| browser | 2 | 4 s | 4 % |" in suite.render({"wall_seconds": 60.0, "exit_code": 0, **result})


def test_results_page_says_when_the_timed_suite_run_did_not_pass():
    results = {
        "measured_on": {"date": "d", "machine": "m", "cpus": 2, "python": "3"},
        "rows": [
            {
                "notebook": "book/a.ipynb",
                "median": 1.0,
                "min": 1.0,
                "max": 1.0,
                "budget": 20.0,
                "over_budget": False,
                "repeats": 1,
                "by_threads": {},
            },
        ],
    }
    suite = {
        "command": "python -m pytest",
        "wall_seconds": 60.0,
        "measured_on": {"date": "d", "cpus": 2},
        "parts": {},
        "exit_code": 0,
        "outcomes": {"passed": 3},
    }
    assert "did not pass" not in notebooks.render(results, None, suite)
    failed = notebooks.render(results, None, {**suite, "exit_code": 1, "outcomes": {"passed": 2, "failure": 1}})
    assert "**That run did not pass** (exit code 1" in failed
