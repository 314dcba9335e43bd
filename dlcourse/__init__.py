"""dlcourse: the tested reference library of the course *The practice of training deep networks*.

One module per topic: :mod:`~dlcourse.activations`, :mod:`~dlcourse.normalization`, ...;
plus :mod:`~dlcourse.data`, :mod:`~dlcourse.models`, :mod:`~dlcourse.training`,
:mod:`~dlcourse.diagnostics`, :mod:`~dlcourse.plotting`, :mod:`~dlcourse.widgets` and
:mod:`~dlcourse.grading`; :mod:`~dlcourse.tuning` searches hyperparameters, and
:mod:`~dlcourse.studies` runs Optuna studies, shared by workers through a database. Import the
topic modules explicitly, e.g. ``from dlcourse import activations``.
"""

from .runtime import (
    DEFAULT_NUM_THREADS,
    defer_dynamo_import,
    get_device,
    make_generator,
    rand,
    randn,
    seed_everything,
    set_num_threads,
)
from .source import show_source

defer_dynamo_import()  # saves ~1.5 s in every notebook that builds an optimizer (see its docstring)

__version__ = "0.4.1"

#: The course's repository; the Colab install cells and ``_config.yml`` use the same URL (tested).
REPOSITORY_URL = "https://github.com/dlcourse/dlcourse"

__all__ = [
    "DEFAULT_NUM_THREADS",
    "REPOSITORY_URL",
    "get_device",
    "make_generator",
    "rand",
    "randn",
    "seed_everything",
    "set_num_threads",
    "show_source",
]
