r"""Gradient-based hyperparameter search: differentiate the validation loss through training.

A continuous hyperparameter — here the weight decay :math:`\lambda` — enters every step of
training, so the trained weights :math:`w_T(\lambda)` are a differentiable function of it, and
so is the validation loss :math:`L_\text{val}(w_T(\lambda))`. Its derivative, the
**hypergradient**, lets gradient descent tune :math:`\lambda` instead of a search.

The training here is :math:`T` steps of full-batch gradient descent on a softmax (multinomial
logistic) regression :math:`p = \operatorname{softmax}(XW + b)`, from :math:`W_0 = 0, b_0 = 0`:

.. math::

   W_{t+1} = W_t - \eta\,\bigl(\nabla_W L_\text{train}(W_t, b_t) + \lambda W_t\bigr), \qquad
   b_{t+1} = b_t - \eta\,\nabla_b L_\text{train}(W_t, b_t),

with :math:`L` the mean cross-entropy and :math:`\lambda = e^{s}` (the search runs on
:math:`s = \log\lambda`, a scale parameter's natural coordinate). Autograd records the
:math:`T` steps (``create_graph=True``, when :math:`s` requires a gradient) and back-propagates from
:math:`L_\text{val}(W_T, b_T)` to :math:`s` (*reverse-mode* hypergradient, Domke 2012; Maclaurin et al. 2015): the exact
derivative of the *unrolled* training, at the cost of one more backward pass through all
:math:`T` steps and memory for all of them. The search itself is gradient descent on :math:`s`,

.. math:: s_{k+1} = s_k - \alpha\,\frac{\partial L_\text{val}}{\partial s}(s_k).

It pays when the hyperparameters are continuous and many (one hypergradient costs about two
trainings, whatever their number); it cannot handle discrete choices, and it only sees the
truncated training it differentiates (a short horizon favours what helps early).

Examples
--------
>>> import torch
>>> g = torch.Generator().manual_seed(0)
>>> X, Xv = torch.randn(40, 5, generator=g, dtype=torch.float64), torch.randn(40, 5, generator=g, dtype=torch.float64)
>>> y, yv = (X[:, 0] > 0).long(), (Xv[:, 0] > 0).long()
>>> loss, grad = hypergradient(-2.0, (X, y), (Xv, yv), steps=20, lr=0.5)
>>> fd = (unrolled_validation_loss(-2.0 + 1e-5, (X, y), (Xv, yv), steps=20, lr=0.5).item()
...       - unrolled_validation_loss(-2.0 - 1e-5, (X, y), (Xv, yv), steps=20, lr=0.5).item()) / 2e-5
>>> abs(grad - fd) < 1e-8
True
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._checks import check_number, check_positive, check_positive_int, check_tensor

__all__ = ["unrolled_validation_loss", "hypergradient", "hypergradient_descent"]


def _check_pair(pair, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise TypeError(f"{name} must be a pair (X, y) of tensors")
    X, y = check_tensor(pair[0], f"{name}[0]", floating=True), check_tensor(pair[1], f"{name}[1]")
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(y) == 0:
        raise ValueError(
            f"{name} must hold X of shape (n, d) and integer labels y of shape (n,), n >= 1; "
            f"got {tuple(X.shape)} and {tuple(y.shape)}"
        )
    if y.is_floating_point():
        raise TypeError(f"{name}[1] must hold integer class labels, got dtype {y.dtype}")
    return X, y


def unrolled_validation_loss(
    log_decay, train, val, *, steps: int = 50, lr: float = 0.5, num_classes: int | None = None
) -> torch.Tensor:
    r"""Validation cross-entropy after ``steps`` full-batch gradient-descent steps (module docstring)
    on ``train = (X, y)`` with weight decay :math:`\lambda = e^{s}`, ``s = log_decay``.

    ``log_decay`` is a number or a 0-d tensor; when it requires a gradient, the result is
    differentiable with respect to it through every training step.

    Parameters
    ----------
    log_decay : float or torch.Tensor
        :math:`s = \log\lambda`: a finite number, or a 0-d tensor (possibly requiring a gradient).
    train : tuple of torch.Tensor
        ``(X, y)``: floating-point features of shape ``(n, d)`` and integer labels of shape ``(n,)``.
    val : tuple of torch.Tensor
        ``(X_val, y_val)``: the validation set, same form, with the same ``d``.
    steps : int, default 50
        Number of training steps :math:`T`, >= 1.
    lr : float, default 0.5
        Learning rate :math:`\eta` of the training, > 0.
    num_classes : int, optional
        Number of classes; default: the largest label in ``train`` and ``val`` plus one.

    Returns
    -------
    torch.Tensor
        The 0-d validation loss :math:`L_\text{val}(W_T, b_T)`.

    Raises
    ------
    TypeError, ValueError
        If ``train`` or ``val`` is not such a pair, their features differ, or a number is out of range.
    """
    X, y = _check_pair(train, "train")
    Xv, yv = _check_pair(val, "val")
    if Xv.shape[1] != X.shape[1]:
        raise ValueError(f"val has {Xv.shape[1]} features, train has {X.shape[1]}")
    steps, lr = check_positive_int(steps, "steps"), check_positive(lr, "lr")
    k = num_classes if num_classes is not None else int(max(y.max(), yv.max())) + 1
    k = check_positive_int(k, "num_classes")
    if isinstance(log_decay, torch.Tensor):
        if log_decay.ndim != 0:
            raise ValueError(f"log_decay must be a scalar, got shape {tuple(log_decay.shape)}")
        s = log_decay
    else:
        s = torch.tensor(check_number(log_decay, "log_decay"), dtype=X.dtype, device=X.device)
    decay = torch.exp(s)
    W = torch.zeros(X.shape[1], k, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(k, dtype=X.dtype, device=X.device, requires_grad=True)
    keep_graph = s.requires_grad  # record the steps only when a hypergradient is wanted
    with torch.enable_grad():
        for _ in range(steps):
            gW, gb = torch.autograd.grad(F.cross_entropy(X @ W + b, y), (W, b), create_graph=keep_graph)
            W, b = W - lr * (gW + decay * W), b - lr * gb
        return F.cross_entropy(Xv @ W + b, yv)


def hypergradient(
    log_decay: float, train, val, *, steps: int = 50, lr: float = 0.5, num_classes: int | None = None
) -> tuple[float, float]:
    r"""The validation loss and its derivative :math:`\partial L_\text{val} / \partial s` at
    :math:`s` = ``log_decay``, by back-propagation through the unrolled training.

    Parameters
    ----------
    log_decay : float
        :math:`s = \log\lambda`, a finite number.
    train : tuple of torch.Tensor
        ``(X, y)``: floating-point features of shape ``(n, d)`` and integer labels of shape ``(n,)``.
    val : tuple of torch.Tensor
        ``(X_val, y_val)``: the validation set, same form.
    steps : int, default 50
        Number of training steps :math:`T`, >= 1.
    lr : float, default 0.5
        Learning rate :math:`\eta` of the training, > 0.
    num_classes : int, optional
        Number of classes; default: the largest label plus one.

    Returns
    -------
    loss : float
        The validation loss :math:`L_\text{val}` at ``log_decay``.
    grad : float
        Its derivative :math:`\partial L_\text{val} / \partial s`.
    """
    X, _ = _check_pair(train, "train")
    s = torch.tensor(check_number(log_decay, "log_decay"), dtype=X.dtype, device=X.device, requires_grad=True)
    loss = unrolled_validation_loss(s, train, val, steps=steps, lr=lr, num_classes=num_classes)
    (grad,) = torch.autograd.grad(loss, s)
    return float(loss.detach()), float(grad)


def hypergradient_descent(
    train,
    val,
    *,
    log_decay: float = 0.0,
    hyper_lr: float = 1.0,
    n_steps: int = 10,
    steps: int = 50,
    lr: float = 0.5,
    num_classes: int | None = None,
) -> list[dict]:
    r"""Gradient descent on :math:`s = \log\lambda`: :math:`s_{k+1} = s_k - \alpha\,\partial L_\text{val}/\partial s`
    from ``log_decay``, with :math:`\alpha` = ``hyper_lr``, for ``n_steps`` steps.

    Returns one row per evaluated point, ``{"log_decay", "val_loss", "hypergradient"}``
    (``n_steps + 1`` rows; the last one is where the descent ended).

    Parameters
    ----------
    train : tuple of torch.Tensor
        ``(X, y)``: floating-point features of shape ``(n, d)`` and integer labels of shape ``(n,)``.
    val : tuple of torch.Tensor
        ``(X_val, y_val)``: the validation set, same form.
    log_decay : float, default 0.0
        Starting point :math:`s_0` (:math:`\lambda = 1`).
    hyper_lr : float, default 1.0
        Step size :math:`\alpha` on :math:`s`, > 0.
    n_steps : int, default 10
        Number of descent steps, >= 1.
    steps : int, default 50
        Training steps :math:`T` of each unrolled training, >= 1.
    lr : float, default 0.5
        Learning rate :math:`\eta` of the training, > 0.
    num_classes : int, optional
        Number of classes; default: the largest label plus one.

    Returns
    -------
    list of dict
        ``n_steps + 1`` rows ``{"log_decay": s_k, "val_loss": float, "hypergradient": float}``.
    """
    hyper_lr, n_steps = check_positive(hyper_lr, "hyper_lr"), check_positive_int(n_steps, "n_steps")
    s, path = check_number(log_decay, "log_decay"), []
    for k in range(n_steps + 1):
        loss, grad = hypergradient(s, train, val, steps=steps, lr=lr, num_classes=num_classes)
        path.append({"log_decay": s, "val_loss": loss, "hypergradient": grad})
        if k < n_steps:
            s = s - hyper_lr * grad
    return path
