"""The optimizers: SGD (momentum, Nesterov), AdaGrad, RMSProp, Adam, AdamW, Nadam, Adamax. Each class
states its algorithm, validates its hyperparameters and names its update rule and foreach twin."""

from __future__ import annotations

from .._checks import check_bool, check_nonnegative, check_probability
from .base import LoopOptimizer, _check_betas, _check_foreach, _check_switches
from .foreach import (
    adagrad_update_foreach,
    adam_update_foreach,
    adamax_update_foreach,
    nadam_update_foreach,
    rmsprop_update_foreach,
    sgd_update_foreach,
)
from .rules import adagrad_update, adam_update, adamax_update, nadam_update, rmsprop_update, sgd_update

__all__ = [
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "NAdam",
    "Adamax",
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


class Adam(LoopOptimizer):
    r"""Adam (Kingma & Ba, 2015): momentum on the gradient, RMSProp on its square, both bias-corrected.

    .. math::
        g_t &\leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat m_t &= \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}
                   \quad(\text{AMSGrad: } \hat v_t = \max_{s\le t} v_s/(1-\beta_2^t)) \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    :math:`m` and :math:`v` start at zero, so during the first steps they are biased towards
    zero (after one step :math:`m_1 = (1-\beta_1) g_1`, one tenth of the gradient for
    :math:`\beta_1 = 0.9`); dividing by :math:`1-\beta^t` removes that bias. The defaults
    :math:`\beta_1 = 0.9,\ \beta_2 = 0.999,\ \epsilon = 10^{-8}` work for most problems.
    ``decoupled_weight_decay=True`` gives :class:`AdamW`.
    """

    _update = staticmethod(adam_update)
    _update_foreach = staticmethod(adam_update_foreach)

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ):
        _check_switches(type(self).__name__, capturable=capturable, differentiable=differentiable, fused=fused)
        super().__init__(
            params,
            dict(
                lr=check_nonnegative(lr, "lr"),
                betas=_check_betas(betas),
                eps=check_nonnegative(eps, "eps"),
                weight_decay=check_nonnegative(weight_decay, "weight_decay"),
                amsgrad=check_bool(amsgrad, "amsgrad"),
                decoupled_weight_decay=check_bool(decoupled_weight_decay, "decoupled_weight_decay"),
                maximize=check_bool(maximize, "maximize"),
                foreach=_check_foreach(foreach),
            ),
        )


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with *decoupled* weight decay.

    .. math::
        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\,\theta_{t-1} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`\hat m_t, \hat v_t` as in :class:`Adam` computed from the *raw* gradient. In
    Adam + L2 the term :math:`\lambda\theta` is added to the gradient and then divided by
    :math:`\sqrt{\hat v}`, so weights with large gradients are barely decayed; AdamW shrinks
    every weight by the same factor.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            decoupled_weight_decay=True,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
        )


class NAdam(LoopOptimizer):
    r"""Nadam (Dozat, 2016): Adam with Nesterov momentum — the first moment is looked at one step ahead.

    With a momentum schedule :math:`\mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\,\psi}\right)`
    (:math:`\psi` = ``momentum_decay``):

    .. math::
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\,\frac{1}{\sqrt{\hat v_t} + \epsilon}
          \left(\frac{(1-\mu_t)\, g_t}{1 - \prod_{i\le t}\mu_i}
              + \frac{\mu_{t+1}\, m_t}{1 - \prod_{i\le t+1}\mu_i}\right)

    The second term uses the *next* step's momentum coefficient: the look-ahead of Nesterov's
    method, applied to Adam's bias-corrected first moment.
    """

    _update = staticmethod(nadam_update)
    _update_foreach = staticmethod(nadam_update_foreach)

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ):
        _check_switches("NAdam", capturable=capturable, differentiable=differentiable)
        super().__init__(
            params,
            dict(
                lr=check_nonnegative(lr, "lr"),
                betas=_check_betas(betas),
                eps=check_nonnegative(eps, "eps"),
                weight_decay=check_nonnegative(weight_decay, "weight_decay"),
                momentum_decay=check_nonnegative(momentum_decay, "momentum_decay"),
                decoupled_weight_decay=check_bool(decoupled_weight_decay, "decoupled_weight_decay"),
                maximize=check_bool(maximize, "maximize"),
                foreach=_check_foreach(foreach),
            ),
        )


class Adamax(LoopOptimizer):
    r"""Adamax (Kingma & Ba, 2015): Adam with the :math:`L^2` norm of past gradients replaced by :math:`L^\infty`.

    .. math::
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t \\
        u_t &\leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}

    :math:`u_t` needs no bias correction: a maximum is not pulled towards its zero start.
    """

    _update = staticmethod(adamax_update)
    _update_foreach = staticmethod(adamax_update_foreach)

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ):
        _check_switches("Adamax", differentiable=differentiable, capturable=capturable)
        super().__init__(
            params,
            dict(
                lr=check_nonnegative(lr, "lr"),
                betas=_check_betas(betas),
                eps=check_nonnegative(eps, "eps"),
                weight_decay=check_nonnegative(weight_decay, "weight_decay"),
                maximize=check_bool(maximize, "maximize"),
                foreach=_check_foreach(foreach),
            ),
        )
