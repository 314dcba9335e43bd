"""The Adam family: Adam, AdamW (decoupled weight decay), NAdam (Nesterov momentum) and Adamax (the
infinity norm). Each class states its algorithm, validates its hyperparameters and names its update rule
and foreach twin."""

from __future__ import annotations

from .._checks import check_bool, check_nonnegative
from .base import LoopOptimizer, _check_betas, _check_foreach, _check_switches
from .foreach import adam_update_foreach, adamax_update_foreach, nadam_update_foreach
from .rules import adam_update, adamax_update, nadam_update

__all__ = [
    "Adam",
    "AdamW",
    "NAdam",
    "Adamax",
]


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

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts), as in ``torch.optim``.
    lr : float, default 1e-3
        Learning rate :math:`\eta`, >= 0.
    betas : tuple of float, default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, >= 0.
    weight_decay : float, default 0.0
        Weight decay :math:`\lambda`, >= 0: L2 (added to the gradient), or decoupled.
    amsgrad : bool, default False
        AMSGrad: divide by the running maximum of :math:`v`.
    foreach : bool or None, default None
        ``True``: the foreach path; ``False``: the per-parameter loop; ``None``: the path torch.optim
        would take (see :class:`~dlcourse.optim.base.LoopOptimizer`).
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    capturable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
    differentiable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
    fused : bool or None, default None
        Only ``None`` or ``False`` (torch.optim's switch, accepted for its signature).
    decoupled_weight_decay : bool, default False
        Decoupled weight decay (AdamW's).

    Raises
    ------
    TypeError, ValueError
        If a hyperparameter has the wrong type or is out of range.
    NotImplementedError
        If a torch.optim switch is not at its default, or a parameter is complex.
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

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts), as in ``torch.optim``.
    lr : float, default 1e-3
        Learning rate :math:`\eta`, >= 0.
    betas : tuple of float, default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, >= 0.
    weight_decay : float, default 1e-2
        Decoupled weight decay :math:`\lambda`, >= 0.
    amsgrad : bool, default False
        AMSGrad: divide by the running maximum of :math:`v`.
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    foreach : bool or None, default None
        ``True``: the foreach path; ``False``: the per-parameter loop; ``None``: the path torch.optim
        would take (see :class:`~dlcourse.optim.base.LoopOptimizer`).
    capturable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
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

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts), as in ``torch.optim``.
    lr : float, default 2e-3
        Learning rate :math:`\eta`, >= 0.
    betas : tuple of float, default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, >= 0.
    weight_decay : float, default 0.0
        Weight decay :math:`\lambda`, >= 0: L2 (added to the gradient), or decoupled.
    momentum_decay : float, default 4e-3
        :math:`\psi`, >= 0.
    decoupled_weight_decay : bool, default False
        Decoupled weight decay (AdamW's).
    foreach : bool or None, default None
        ``True``: the foreach path; ``False``: the per-parameter loop; ``None``: the path torch.optim
        would take (see :class:`~dlcourse.optim.base.LoopOptimizer`).
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    capturable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
    differentiable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).

    Raises
    ------
    TypeError, ValueError
        If a hyperparameter has the wrong type or is out of range.
    NotImplementedError
        If a torch.optim switch is not at its default, or a parameter is complex.
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

    Parameters
    ----------
    params : iterable of torch.Tensor or of dict
        The parameters to optimize, or parameter groups (dicts), as in ``torch.optim``.
    lr : float, default 2e-3
        Learning rate :math:`\eta`, >= 0.
    betas : tuple of float, default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, >= 0, added to :math:`|g_t|`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda`, >= 0.
    foreach : bool or None, default None
        ``True``: the foreach path; ``False``: the per-parameter loop; ``None``: the path torch.optim
        would take (see :class:`~dlcourse.optim.base.LoopOptimizer`).
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    differentiable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).
    capturable : bool, default False
        Only ``False`` (torch.optim's switch, accepted for its signature).

    Raises
    ------
    TypeError, ValueError
        If a hyperparameter has the wrong type or is out of range.
    NotImplementedError
        If a torch.optim switch is not at its default, or a parameter is complex.
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
