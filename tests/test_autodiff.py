"""dlcourse.autodiff, the package: every error of its modules names the bad argument.
(The tests of each module are in tests/test_autodiff_<module>.py, for dlcourse/autodiff/<module>.py.)"""

import pytest

from dlcourse import autodiff as AD
from dlcourse.autodiff import Value


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="data must be a real number"):
        Value("1")
    with pytest.raises(ValueError, match="data must be finite"):
        Value(float("nan"))
    with pytest.raises(TypeError, match="other must be a Value or a real number"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="exponent must be a number"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="exponent=0.5 is not an integer"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="exponent=-1 at base 0"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="log needs a positive argument"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="other \\(the divisor\\) is 0"):
        Value(1.0) / 0
    with pytest.raises(TypeError, match="root must be a Value"):
        AD.topological_order(1.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        AD.autodiff_gradient_descent(lambda x: x * x, [1.0], lr=0, steps=3)
    with pytest.raises(TypeError, match="f must return a Value"):
        AD.autodiff_gradient_descent(lambda x: 1.0, [1.0], lr=0.1, steps=3)
