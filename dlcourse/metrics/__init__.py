r"""Performance metrics P: what we *select* models by (the loss C is what we optimise).

Every function takes tensors, NumPy arrays or lists (``y_true`` first) and returns Python
floats or NumPy arrays; they are tested equal to ``sklearn.metrics``. Classification
metrics start from the confusion counts of a class :math:`k` — true positives
:math:`TP`, false positives :math:`FP`, false negatives :math:`FN`, true negatives :math:`TN`:

.. math::
   \text{precision} = \frac{TP}{TP + FP}, \quad
   \text{recall} = \text{TPR} = \frac{TP}{TP + FN}, \quad
   \text{FPR} = \frac{FP}{FP + TN}, \quad
   F_1 = \frac{2\,TP}{2\,TP + FP + FN}.

A ratio whose denominator is 0 is reported as ``zero_division`` (0 by default, as
scikit-learn does after its warning).

The package: ``base`` (the input checks), ``classification`` (accuracy, the confusion matrix,
precision, recall and :math:`F_1`), ``curves`` (ROC and precision-recall curves, ROC AUC),
``regression`` (MSE, RMSE, MAE), ``adapters`` (the ``metric(output, target)`` functions that
:func:`dlcourse.training.fit` calls); here, the registry :data:`METRICS`. Import everything from
``dlcourse.metrics``.

Examples
--------
>>> f1_score([0, 1, 1, 0, 1], [0, 1, 0, 0, 1])
0.8
>>> roc_auc_score([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9])   # a tie counts one half
0.875
"""

from __future__ import annotations

from typing import Callable

import torch

from .adapters import (
    accuracy_metric,
    auc_metric,
    f1_metric,
    f1_minority_metric,
    macro_f1_metric,
    mae_metric,
    mse_metric,
    positive_scores,
    predictions,
    rmse_metric,
)
from .base import as_array
from .classification import (
    AVERAGES,
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_f1,
    precision_score,
    recall_score,
)
from .curves import precision_recall_curve, roc_auc_score, roc_curve
from .regression import mean_absolute_error, mean_squared_error, root_mean_squared_error

__all__ = [
    "AVERAGES",
    "as_array",
    "accuracy_score",
    "confusion_matrix",
    "precision_recall_f1",
    "precision_score",
    "recall_score",
    "f1_score",
    "roc_curve",
    "roc_auc_score",
    "precision_recall_curve",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "predictions",
    "positive_scores",
    "f1_metric",
    "macro_f1_metric",
    "auc_metric",
    "mae_metric",
    "rmse_metric",
    "accuracy_metric",
    "mse_metric",
    "f1_minority_metric",
    "METRICS",
]


#: The metrics by name, for :func:`dlcourse.training.fit` and :class:`dlcourse.strategy.Strategy`:
#: name -> ``(metric(output, target) -> float, greater_is_better)``. ``"roc auc"`` is
#: :func:`auc_metric`: NaN, not an error, on a batch that holds one class (a training mini-batch
#: may), so its running mean in ``fit`` is NaN then; a search compares the AUC of a whole split.
#: :meta hide-value:
METRICS: dict[str, tuple[Callable[[torch.Tensor, torch.Tensor], float], bool]] = {
    "accuracy": (accuracy_metric, True),
    "f1 (minority class)": (f1_minority_metric, True),
    "roc auc": (auc_metric, True),
    "rmse": (rmse_metric, False),
    "mae": (mae_metric, False),
    "mse": (mse_metric, False),
}
