"""SGD (momentum, Nesterov) and the first adaptive methods, AdaGrad and RMSProp. Each class states its
algorithm, validates its hyperparameters and names its update rule and foreach twin."""

from __future__ import annotations

from .._checks import check_bool, check_nonnegative, check_probability
from .base import LoopOptimizer, _check_foreach, _check_switches
from .foreach import adagrad_update_foreach, rmsprop_update_foreach, sgd_update_foreach
from .rules import adagrad_update, rmsprop_update, sgd_update

__all__ = [
    "SGD",
    "Adagrad",
    "RMSprop",
]


class SGD(LoopOptimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    For :math:`t = 1, 2, \dots`:

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
              \quad(\text{negated first if } \texttt{maximize}) \\
        v_t &\leftarrow \mu v_{t-1} + (1-\tau) g_t \quad (v_1 = g_1) \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\,(g_t + \mu v_t) \quad \text{(Nesterov)} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, v_t \quad \text{(classical momentum)}

    With :math:`\mu = 0` this is plain SGD, :math:`\theta \leftarrow \theta - \eta g`.
    The velocity :math:`v` is a running sum of gradients; the textbook form
    :math:`m \leftarrow \beta m - \eta g,\ \theta \leftarrow \theta + m` is the same method with
    :math:`m = -\eta v` (see :func:`momentum_formulations`). Nesterov's look-ahead gradient
    :math:`\nabla f(\theta + \beta m)` becomes, after a change of variables, the update above.
    Nesterov needs :math:`\mu > 0` and :math:`\tau = 0`.

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts), as in ``torch.optim``.
    lr : float, default 1e-3
        Learning rate :math:`\eta`, >= 0.
    momentum : float, default 0.0
        Momentum :math:`\mu`, in [0, 1) (0: plain SGD).
    dampening : float, default 0.0
        Dampening :math:`\tau`, in [0, 1].
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`, >= 0.
    nesterov : bool, default False
        Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    foreach : bool or None, default None
        ``True``: the foreach path; ``False``: the per-parameter loop; ``None``: the path torch.optim
        would take (see :class:`~dlcourse.optim.base.LoopOptimizer`).
    differentiable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
    fused : bool or None, default None
        Only ``None`` or ``False`` (torch.optim's switch, accepted for its signature).

    Raises
    ------
    TypeError, ValueError
        If a hyperparameter has the wrong type or is out of range.
    NotImplementedError
        If a torch.optim switch is not at its default, or a parameter is complex.
    """

    _update = staticmethod(sgd_update)
    _update_foreach = staticmethod(sgd_update_foreach)

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        _check_switches("SGD", differentiable=differentiable, fused=fused)
        lr = check_nonnegative(lr, "lr")
        momentum = check_probability(momentum, "momentum", allow_one=False)
        dampening = check_probability(dampening, "dampening")
        weight_decay = check_nonnegative(weight_decay, "weight_decay")
        nesterov = check_bool(nesterov, "nesterov")
        maximize = check_bool(maximize, "maximize")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov=True requires momentum > 0 and dampening = 0")
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
                foreach=_check_foreach(foreach),
            ),
        )


class Adagrad(LoopOptimizer):
    r"""AdaGrad (Duchi et al., 2011): a per-coordinate step that shrinks with the accumulated squared gradients.

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1} \\
        s_t &\leftarrow s_{t-1} + g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\eta}{1 + (t-1)\,\text{lr\_decay}}\;
                   \frac{g_t}{\sqrt{s_t} + \epsilon}

    Because :math:`s_t` only grows, every coordinate's effective learning rate
    :math:`\eta/\sqrt{s_t}` decays towards zero: AdaGrad can stop before it reaches a minimum.

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts), as in ``torch.optim``.
    lr : float, default 1e-2
        Learning rate :math:`\eta`, >= 0.
    lr_decay : float, default 0.0
        Decay of the rate with the step count, >= 0.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`, >= 0.
    initial_accumulator_value : float, default 0.0
        Starting value of :math:`s`, >= 0.
    eps : float, default 1e-10
        :math:`\epsilon`, >= 0.
    foreach : bool or None, default None
        ``True``: the foreach path; ``False``: the per-parameter loop; ``None``: the path torch.optim
        would take (see :class:`~dlcourse.optim.base.LoopOptimizer`).
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    differentiable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
    fused : bool or None, default None
        Only ``None`` or ``False`` (torch.optim's switch, accepted for its signature).

    Raises
    ------
    TypeError, ValueError
        If a hyperparameter has the wrong type or is out of range.
    NotImplementedError
        If a torch.optim switch is not at its default, or a parameter is complex.
    """

    _update = staticmethod(adagrad_update)
    _update_foreach = staticmethod(adagrad_update_foreach)

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        _check_switches("Adagrad", differentiable=differentiable, fused=fused)
        super().__init__(
            params,
            dict(
                lr=check_nonnegative(lr, "lr"),
                lr_decay=check_nonnegative(lr_decay, "lr_decay"),
                weight_decay=check_nonnegative(weight_decay, "weight_decay"),
                initial_accumulator_value=check_nonnegative(initial_accumulator_value, "initial_accumulator_value"),
                eps=check_nonnegative(eps, "eps"),
                maximize=check_bool(maximize, "maximize"),
                foreach=_check_foreach(foreach),
            ),
        )


class RMSprop(LoopOptimizer):
    r"""RMSProp (Hinton, 2012): divide by a *moving average* of squared gradients instead of their sum.

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1} \\
        s_t &\leftarrow \alpha s_{t-1} + (1 - \alpha) g_t^2 \\
        \tilde s_t &= s_t - \bar g_t^2,\quad \bar g_t \leftarrow \alpha \bar g_{t-1} + (1-\alpha) g_t
                      \quad\text{(centred variant; else } \tilde s_t = s_t) \\
        b_t &\leftarrow \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde s_t} + \epsilon} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, b_t

    (without momentum, :math:`\mu = 0` and :math:`b_t` is just the scaled gradient). Old
    gradients are forgotten at rate :math:`\alpha`, so — unlike AdaGrad — the step does not
    decay to zero. The centred variant divides by an estimate of the gradient's *variance*.

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts), as in ``torch.optim``.
    lr : float, default 1e-2
        Learning rate :math:`\eta`, >= 0.
    alpha : float, default 0.99
        Decay :math:`\alpha` of the mean square, in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, >= 0.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`, >= 0.
    momentum : float, default 0.0
        Momentum :math:`\mu`, in [0, 1) (0: none).
    centered : bool, default False
        The centred variant.
    capturable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
    foreach : bool or None, default None
        ``True``: the foreach path; ``False``: the per-parameter loop; ``None``: the path torch.optim
        would take (see :class:`~dlcourse.optim.base.LoopOptimizer`).
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    differentiable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).

    Raises
    ------
    TypeError, ValueError
        If a hyperparameter has the wrong type or is out of range.
    NotImplementedError
        If a torch.optim switch is not at its default, or a parameter is complex.
    """

    _update = staticmethod(rmsprop_update)
    _update_foreach = staticmethod(rmsprop_update_foreach)

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ):
        _check_switches("RMSprop", capturable=capturable, differentiable=differentiable)
        super().__init__(
            params,
            dict(
                lr=check_nonnegative(lr, "lr"),
                alpha=check_probability(alpha, "alpha", allow_one=False),
                eps=check_nonnegative(eps, "eps"),
                weight_decay=check_nonnegative(weight_decay, "weight_decay"),
                momentum=check_probability(momentum, "momentum", allow_one=False),
                centered=check_bool(centered, "centered"),
                maximize=check_bool(maximize, "maximize"),
                foreach=_check_foreach(foreach),
            ),
        )
