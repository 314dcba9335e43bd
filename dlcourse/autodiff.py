r"""A scalar reverse-mode automatic-differentiation engine, and gradient descent with it.

Every arithmetic operation on a :class:`Value` creates a new node that remembers its inputs
(its *parents*) and the **local derivative** of its output with respect to each input. The
nodes form a computation graph. :meth:`Value.backward` then applies the chain rule from the
output back to the inputs: visiting the nodes in reverse topological order (every node after
all the nodes that use it), each node passes its gradient to its parents,

.. math:: \frac{\partial L}{\partial p} \mathrel{+}= \frac{\partial L}{\partial v}\,
          \frac{\partial v}{\partial p},

summing (``+=``) over every use of ``p``: a node used twice receives two contributions. This is
what PyTorch's autograd does, on tensors instead of single numbers.

The topological order is computed with an explicit stack (no recursion), so graphs thousands
of operations deep work.

Examples
--------
>>> x, y = Value(2.0, label="x"), Value(-3.0, label="y")
>>> f = x * y + x ** 2        # the node x is used twice
>>> f.backward()
>>> f.data, x.grad, y.grad    # df/dx = y + 2x = 1, df/dy = x = 2
(-2.0, 1.0, 2.0)
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from ._checks import check_number, check_positive, check_positive_int, check_tensor
from .runtime import make_generator

__all__ = [
    "Value",
    "topological_order",
    "draw_graph",
    "autodiff_gradient_descent",
    "logistic_loss",
    "logistic_grad",
    "GDRun",
    "minibatch_gd",
]


class Value:
    r"""One scalar node of a computation graph: its value ``data`` and the gradient ``grad``
    :math:`\partial L / \partial(\text{this node})` that :meth:`backward` fills in.

    Supported: ``+``, ``-``, ``*``, ``/``, ``**`` (by a number), unary ``-``, and the methods
    :meth:`exp`, :meth:`log`, :meth:`tanh`, :meth:`sigmoid`, :meth:`relu`. Plain numbers mix
    in freely (``2 * x``, ``1 - x``) and become constant leaves.
    """

    __slots__ = ("data", "grad", "label", "op", "_parents", "_local_grads")

    def __init__(self, data, label: str = "", *, _parents: tuple = (), _local_grads: tuple = (), _op: str = ""):
        self.data = check_number(data, "data")
        self.grad = 0.0
        self.label = label
        self.op = _op
        self._parents = _parents
        self._local_grads = _local_grads

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    @property
    def parents(self) -> tuple["Value", ...]:
        """The nodes this one was computed from (empty for a leaf)."""
        return self._parents

    @property
    def local_grads(self) -> tuple[float, ...]:
        r"""The local derivatives :math:`\partial(\text{this}) / \partial(\text{parent})`, one per parent."""
        return self._local_grads

    # ------------------------------------------------------------------ building nodes
    def _node(self, data: float, parents: tuple, local_grads: tuple, op: str) -> "Value":
        return Value(data, _parents=parents, _local_grads=local_grads, _op=op)

    @staticmethod
    def _wrap(other) -> "Value":
        if isinstance(other, Value):
            return other
        if isinstance(other, bool) or not isinstance(other, numbers.Real):
            raise TypeError(f"other must be a Value or a real number, got {type(other).__name__}")
        return Value(other)

    def __add__(self, other) -> "Value":
        r""":math:`v = a + b`: :math:`\partial v/\partial a = \partial v/\partial b = 1`."""
        other = self._wrap(other)
        return self._node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other) -> "Value":
        r""":math:`v = a b`: :math:`\partial v/\partial a = b`, :math:`\partial v/\partial b = a`."""
        other = self._wrap(other)
        return self._node(self.data * other.data, (self, other), (other.data, self.data), "×")

    def __pow__(self, exponent) -> "Value":
        r""":math:`v = a^k` for a number :math:`k`: :math:`\partial v/\partial a = k a^{k-1}`."""
        if isinstance(exponent, Value):
            raise TypeError("exponent must be a number, not a Value (use exp and log for a^b)")
        k = check_number(exponent, "exponent")
        a = self.data
        if k == 0:
            return self._node(1.0, (self,), (0.0,), "^0")
        if a == 0 and k < 1:
            raise ValueError(f"exponent={k:g} at base 0 has no finite derivative")
        if a < 0 and not k.is_integer():
            raise ValueError(f"exponent={k:g} is not an integer: a negative base ({a:g}) has no real power")
        return self._node(a**k, (self,), (k * a ** (k - 1),), f"^{k:g}")

    def __neg__(self) -> "Value":
        r""":math:`v = -a`: :math:`\partial v/\partial a = -1`."""
        return self._node(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other) -> "Value":
        r""":math:`v = a - b`: :math:`\partial v/\partial a = 1`, :math:`\partial v/\partial b = -1`."""
        other = self._wrap(other)
        return self._node(self.data - other.data, (self, other), (1.0, -1.0), "−")

    def __truediv__(self, other) -> "Value":
        r""":math:`v = a / b`: :math:`\partial v/\partial a = 1/b`, :math:`\partial v/\partial b = -a/b^2`."""
        other = self._wrap(other)
        if other.data == 0:
            raise ValueError("other (the divisor) is 0")
        b = other.data
        return self._node(self.data / b, (self, other), (1.0 / b, -self.data / b**2), "÷")

    def __radd__(self, other) -> "Value":
        return self._wrap(other) + self

    def __rmul__(self, other) -> "Value":
        return self._wrap(other) * self

    def __rsub__(self, other) -> "Value":
        return self._wrap(other) - self

    def __rtruediv__(self, other) -> "Value":
        return self._wrap(other) / self

    def exp(self) -> "Value":
        r""":math:`v = e^a`: :math:`\partial v/\partial a = e^a`."""
        e = math.exp(self.data)
        return self._node(e, (self,), (e,), "exp")

    def log(self) -> "Value":
        r""":math:`v = \ln a` for :math:`a > 0`: :math:`\partial v/\partial a = 1/a`."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument, got {self.data}")
        return self._node(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> "Value":
        r""":math:`v = \tanh a`: :math:`\partial v/\partial a = 1 - \tanh^2 a`."""
        t = math.tanh(self.data)
        return self._node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> "Value":
        r""":math:`v = \sigma(a) = 1/(1+e^{-a})`: :math:`\partial v/\partial a = \sigma(a)(1-\sigma(a))`.

        Computed so that ``exp`` only sees :math:`-|a|` (no overflow for any finite ``a``)."""
        e = math.exp(-abs(self.data))
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return self._node(s, (self,), (s * (1.0 - s),), "σ")

    def relu(self) -> "Value":
        r""":math:`v = \max(0, a)`: :math:`\partial v/\partial a = 1` if :math:`a > 0`, else 0 (PyTorch's convention)."""
        positive = self.data > 0
        return self._node(self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,), "relu")

    # ------------------------------------------------------------------ backward
    def backward(self) -> None:
        r"""Fill ``grad`` of every node of the graph with :math:`\partial(\text{self})/\partial(\text{node})`.

        Algorithm: set the inner nodes' ``grad`` to 0 and seed ``self.grad += 1``; then for each
        node ``v`` in reverse topological order and each parent ``p`` of ``v`` with local
        derivative ``d``: ``p.grad += d * v.grad``. As in PyTorch, the *leaves* (the inputs and
        parameters) accumulate: a second call adds a second copy of the gradient to them, so
        call :meth:`zero_grad` between passes; the inner nodes hold the latest pass's gradient.
        """
        order = topological_order(self)
        for node in order:
            if node._parents:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            for parent, local in zip(node._parents, node._local_grads):
                parent.grad += local * node.grad

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this node and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each listed after all of its parents (``root`` last).

    Depth-first search with an explicit stack instead of recursion: a node is appended once all
    of its parents have been appended. Works for graphs of any depth.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    order: list[Value] = []
    done: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if id(node) in done:
            continue
        if parents_done:
            done.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((p, False) for p in node._parents if id(p) not in done)
    return order


def draw_graph(root: Value, ax=None, *, show_grad: bool = True, figsize: tuple[float, float] | None = None):
    """Draw the computation graph of ``root`` with matplotlib (no graphviz) and return the figure.

    Values are boxes (``label``, ``data`` and, with ``show_grad``, ``grad``); each operation is a
    small circle between its inputs and its output. Columns are the longest distance from a leaf.
    """
    import matplotlib.pyplot as plt

    order = topological_order(root)
    level: dict[int, int] = {}
    for node in order:
        level[id(node)] = 1 + max((level[id(p)] for p in node._parents), default=-1)
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(level[id(node)], []).append(node)
    n_cols, n_rows = len(columns), max(len(c) for c in columns.values())
    if ax is None:
        _, ax = plt.subplots(figsize=figsize or (max(4.0, 2.6 * n_cols), max(2.0, 1.1 * n_rows)))
    pos = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[id(node)] = (2.0 * col, (len(nodes) - 1) / 2.0 - row)
    box = dict(boxstyle="round,pad=0.3", fc="#eef4fb", ec="#1f77b4")
    for node in order:
        x, y = pos[id(node)]
        text = (f"{node.label} | " if node.label else "") + f"{node.data:.3g}"
        if show_grad:
            text += f"\ngrad {node.grad:.3g}"
        ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox=box, zorder=3)
        if node._parents:
            ox = x - 0.9
            ax.annotate(
                "", xy=(x - 0.45, y), xytext=(ox + 0.15, y), arrowprops=dict(arrowstyle="->", color="grey"), zorder=1
            )
            ax.text(
                ox,
                y,
                node.op,
                ha="center",
                va="center",
                fontsize=8,
                zorder=3,
                bbox=dict(boxstyle="circle,pad=0.2", fc="#fff3e0", ec="#ff7f0e"),
            )
            for parent in node._parents:
                px, py = pos[id(parent)]
                ax.annotate(
                    "",
                    xy=(ox - 0.12, y),
                    xytext=(px + 0.45, py),
                    arrowprops=dict(arrowstyle="->", color="grey", shrinkA=0, shrinkB=2),
                    zorder=1,
                )
    ax.set_xlim(-0.8, 2.0 * (n_cols - 1) + 0.8)
    ax.set_ylim(-n_rows / 2.0 - 0.2, n_rows / 2.0 + 0.2)
    ax.axis("off")
    return ax.figure


# ---------------------------------------------------------------------- gradient descent
def autodiff_gradient_descent(f: Callable[..., Value], x0: Sequence[float], *, lr: float, steps: int) -> np.ndarray:
    r"""Minimise any ``f`` (a function of scalar :class:`Value` arguments) by gradient descent, its
    gradient taken by this module's automatic differentiation.

    .. math:: \theta_{t+1} = \theta_t - \eta\, \nabla f(\theta_t)

    with the gradient from :meth:`Value.backward`. Returns the path, an array of shape
    ``(steps + 1, len(x0))`` whose first row is ``x0``. (:func:`dlcourse.normalization.gradient_descent`
    runs the same update on a quadratic, whose gradient it writes out instead.)

    >>> autodiff_gradient_descent(lambda x: (x - 3) ** 2, [0.0], lr=0.25, steps=2)[:, 0].tolist()
    [0.0, 1.5, 2.25]
    """
    lr = check_positive(lr, "lr")
    steps = check_positive_int(steps, "steps")
    theta = [check_number(v, f"x0[{i}]") for i, v in enumerate(x0)]
    path = [list(theta)]
    for _ in range(steps):
        params = [Value(v) for v in theta]
        out = f(*params)
        if not isinstance(out, Value):
            raise TypeError(f"f must return a Value, got {type(out).__name__}")
        out.backward()
        theta = [p.data - lr * p.grad for p in params]
        path.append(list(theta))
    return np.array(path)


# ---------------------------------------------------------------------- logistic regression
def logistic_loss(w: torch.Tensor, b, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean binary cross-entropy of logistic regression :math:`p = \sigma(Xw + b)` for labels :math:`y \in \{0, 1\}`:

    .. math:: L = \frac1n \sum_i -y_i \log p_i - (1 - y_i)\log(1 - p_i)
              = \frac1n \sum_i \operatorname{softplus}(z_i) - y_i z_i, \quad z = Xw + b,

    computed in the second, stable form.
    """
    z = X @ w + b
    return (torch.nn.functional.softplus(z) - y.to(z.dtype) * z).mean()


def logistic_grad(w: torch.Tensor, b, X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The hand-derived gradient of :func:`logistic_loss`:

    .. math:: \frac{\partial L}{\partial w} = \frac1n X^\top(\sigma(Xw + b) - y), \qquad
              \frac{\partial L}{\partial b} = \frac1n \sum_i (\sigma(z_i) - y_i).

    For one positive example (:math:`y = 1`) this is :math:`-(1 - \sigma(w^\top x + b))\,x`:
    the chain rule :math:`\partial L/\partial p \cdot \partial p/\partial z \cdot \partial z/\partial w
    = -\frac1p \cdot p(1-p) \cdot x`.
    """
    X = check_tensor(X, "X", floating=True)
    residual = torch.sigmoid(X @ w + b) - y.to(X.dtype)
    return X.T @ residual / len(X), residual.mean()


@dataclass
class GDRun:
    """The record of one :func:`minibatch_gd` run: the full training loss after every step."""

    batch_size: int
    lr: float
    steps_per_epoch: int
    step: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    w: torch.Tensor | None = None
    b: torch.Tensor | None = None

    @property
    def epoch(self) -> np.ndarray:
        """Steps converted to epochs (passes over the training set)."""
        return np.asarray(self.step, dtype=float) / self.steps_per_epoch

    def predict(self, X: torch.Tensor) -> torch.Tensor:
        """Predicted labels: 1 where :math:`Xw + b > 0`."""
        return (X @ self.w + self.b > 0).long()

    def accuracy(self, X: torch.Tensor, y: torch.Tensor) -> float:
        return (self.predict(X) == y).float().mean().item()


def minibatch_gd(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int,
    lr: float,
    epochs: int = 10,
    seed: int = 0,
    record_every: int = 1,
) -> GDRun:
    r"""Train logistic regression by mini-batch gradient descent from :math:`w = 0, b = 0`.

    Each epoch shuffles the examples (seeded) and takes :math:`\lceil n / B\rceil` steps
    :math:`w \leftarrow w - \eta\, \nabla_w L_{\text{batch}}` with the gradient of
    :func:`logistic_grad` on each batch of ``batch_size`` :math:`B` examples: :math:`B = n` is
    batch gradient descent, :math:`B = 1` stochastic gradient descent, anything between
    mini-batch gradient descent. Every ``record_every`` steps the loss on the *whole* training
    set is recorded, with the time spent in the updates so far (recording is not timed).
    """
    X = check_tensor(X, "X", floating=True)
    y = check_tensor(y, "y")
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"X must be (n, d) with len(y) == n, got X {tuple(X.shape)} and y {tuple(y.shape)}")
    batch_size = min(check_positive_int(batch_size, "batch_size"), len(X))
    lr = check_positive(lr, "lr")
    epochs = check_positive_int(epochs, "epochs")
    record_every = check_positive_int(record_every, "record_every")
    generator = make_generator(seed)
    n = len(X)
    w, b = torch.zeros(X.shape[1], dtype=X.dtype), torch.zeros((), dtype=X.dtype)
    run = GDRun(batch_size=batch_size, lr=lr, steps_per_epoch=math.ceil(n / batch_size))
    elapsed, step = 0.0, 0

    def record():
        run.step.append(step)
        run.seconds.append(elapsed)
        run.loss.append(logistic_loss(w, b, X, y).item())

    record()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for i in range(0, n, batch_size):
            start = time.perf_counter()
            idx = order[i : i + batch_size]
            gw, gb = logistic_grad(w, b, X[idx], y[idx])
            w, b = w - lr * gw, b - lr * gb
            elapsed += time.perf_counter() - start
            step += 1
            if step % record_every == 0:
                record()
    if run.step[-1] != step:
        record()
    run.w, run.b = w, b
    return run
