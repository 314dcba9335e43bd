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

The package: ``engine`` (:class:`Value` and :func:`topological_order`), ``graph``
(:func:`draw_graph`), ``descent`` (:func:`autodiff_gradient_descent`, and :func:`minibatch_gd`
on logistic regression).

Examples
--------
>>> x, y = Value(2.0, label="x"), Value(-3.0, label="y")
>>> f = x * y + x ** 2        # the node x is used twice
>>> f.backward()
>>> f.data, x.grad, y.grad    # df/dx = y + 2x = 1, df/dy = x = 2
(-2.0, 1.0, 2.0)
"""

from __future__ import annotations

from .descent import GDRun, autodiff_gradient_descent, logistic_grad, logistic_loss, minibatch_gd
from .engine import Value, topological_order
from .graph import draw_graph

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
