"""The scalar engine: :class:`Value`, a node of a computation graph that records its parents and local
derivatives, and :func:`topological_order`, the order in which :meth:`Value.backward` applies the chain rule."""

from __future__ import annotations

import math
import numbers

from .._checks import check_number

__all__ = ["Value", "topological_order"]


class Value:
    r"""One scalar node of a computation graph: its value ``data`` and the gradient ``grad``
    :math:`\partial L / \partial(\text{this node})` that :meth:`backward` fills in.

    Supported: ``+``, ``-``, ``*``, ``/``, ``**`` (by a number), unary ``-``, and the methods
    :meth:`exp`, :meth:`log`, :meth:`tanh`, :meth:`sigmoid`, :meth:`relu`. Plain numbers mix
    in freely (``2 * x``, ``1 - x``) and become constant leaves.

    Parameters
    ----------
    data : float
        The node's value: a real, finite number.
    label : str, default ""
        A name, shown by ``repr`` and :func:`draw_graph`.
    _parents, _local_grads : tuple
        Internal, keyword-only, set by the operations: the nodes this one was computed from and the local
        derivatives with respect to them (empty for a leaf).
    _op : str
        Internal, keyword-only: the operation's symbol, shown by :func:`draw_graph` (empty for a leaf).
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
        r""":math:`v = e^a`: :math:`\partial v/\partial a = e^a`.

        Returns
        -------
        Value
            The new node :math:`v`.
        """
        e = math.exp(self.data)
        return self._node(e, (self,), (e,), "exp")

    def log(self) -> "Value":
        r""":math:`v = \ln a` for :math:`a > 0`: :math:`\partial v/\partial a = 1/a`.

        Returns
        -------
        Value
            The new node :math:`v`.
        """
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument, got {self.data}")
        return self._node(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> "Value":
        r""":math:`v = \tanh a`: :math:`\partial v/\partial a = 1 - \tanh^2 a`.

        Returns
        -------
        Value
            The new node :math:`v`.
        """
        t = math.tanh(self.data)
        return self._node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> "Value":
        r""":math:`v = \sigma(a) = 1/(1+e^{-a})`: :math:`\partial v/\partial a = \sigma(a)(1-\sigma(a))`.

        Computed so that ``exp`` only sees :math:`-|a|` (no overflow for any finite ``a``).

        Returns
        -------
        Value
            The new node :math:`v`.
        """
        e = math.exp(-abs(self.data))
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return self._node(s, (self,), (s * (1.0 - s),), "σ")

    def relu(self) -> "Value":
        r""":math:`v = \max(0, a)`: :math:`\partial v/\partial a = 1` if :math:`a > 0`, else 0 (PyTorch's convention).

        Returns
        -------
        Value
            The new node :math:`v`.
        """
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

    Parameters
    ----------
    root : Value
        The output node.

    Returns
    -------
    list of Value
        ``root`` and every node it depends on, each once, parents before children.
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
