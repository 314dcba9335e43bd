"""Throughput of one Optuna study shared by worker processes through PostgreSQL.

    python -m benchmarks.studies --trials 24 --repeats 3

The objective is chapter 8's (a digits MLP, 400 training images, the chapter's search space),
each trial at most ``--max-budget`` epochs under the Hyperband pruner. A throwaway PostgreSQL
server (``tests/postgres.py``) holds the study; :func:`dlcourse.studies.run_workers` runs
``--trials`` trials with 1 worker, then with 2, each on a fresh database, ``--repeats`` times,
alternating. Reported: trials per second and epochs per second (medians), everything included
(forking the workers, opening the storage, the heartbeats). Each worker samples with its own seed,
so the pruner stops different trials in each run: epochs per second is the fairer comparison.
Not part of ``python -m benchmarks``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import dlcourse
from dlcourse import data, studies
from dlcourse import strategy as S
from dlcourse import tuning as T


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--max-budget", type=int, default=9)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    import optuna

    from tests.postgres import PostgresServer

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dlcourse.set_num_threads()
    digits = data.load_digits(seed=0).subset_train(400, seed=0)
    strategy = S.Strategy(
        "digits",
        P="accuracy",
        C="cross-entropy",
        W="he",
        A="sgd_momentum",
        T="random",
        space={
            "lr": T.loguniform(1e-3, 1.0),
            "width": T.integer(8, 128, log=True),
            "activation": ["relu", "tanh", "sigmoid"],
        },
    )
    objective = S.make_objective(strategy, digits, seed=0)
    rates: dict[int, list[float]] = {1: [], 2: []}
    epochs: dict[int, list[float]] = {1: [], 2: []}
    with PostgresServer() as server:
        os.environ.update(server.env)
        for repeat in range(args.repeats):
            for workers in (1, 2):
                url = server.create_database(f"study_{workers}_{repeat}")
                start = time.perf_counter()
                result = studies.run_workers(
                    objective,
                    strategy.space,
                    n_workers=workers,
                    n_trials=args.trials,
                    max_budget=args.max_budget,
                    eta=3,
                    storage=url,
                    study_name="digits",
                    heartbeat_interval=10,
                )
                seconds = time.perf_counter() - start
                assert len(result) == args.trials, len(result)
                rates[workers].append(args.trials / seconds)
                epochs[workers].append(result.total_budget / seconds)
                print(
                    f"repeat {repeat}, {workers} worker(s): {args.trials} trials ({result.total_budget:g} epochs) "
                    f"in {seconds:.1f} s = {args.trials / seconds:.2f} trials/s, "
                    f"{result.total_budget / seconds:.1f} epochs/s",
                    flush=True,
                )
    for workers, values in rates.items():
        print(
            f"{workers} worker(s), PostgreSQL study: median {statistics.median(values):.2f} trials/s "
            f"(min {min(values):.2f}, max {max(values):.2f}), median {statistics.median(epochs[workers]):.1f} "
            f"epochs/s, {len(values)} runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
