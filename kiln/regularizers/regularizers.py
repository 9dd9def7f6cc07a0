"""Weight regularizers: penalties added to the loss from a weight's value.

Example:
    >>> import kiln
    >>> float(L2(0.5)(kiln.ops.convert_to_tensor([1.0, 2.0])))
    2.5
"""

import math

from kiln import ops


def _validate(value, name, owner):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or math.isinf(value) or value < 0:
        raise ValueError(
            f"{owner}: invalid value for {name}, expected a non-negative finite float; "
            f"received {name}={value!r}"
        )
    return float(value)


class Regularizer:
    """Base class: ``regularizer(x)`` returns a scalar penalty for weight ``x``.

    Example:
        >>> Regularizer().get_config()
        {}
    """

    def __init__(self, *args, **kwargs):
        # Keras' signature for the argument-less regularizers is (*args, **kwargs); none is accepted.
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}: takes no arguments; received args={args}, "
                f"kwargs={sorted(kwargs)}"
            )

    def __call__(self, x):
        return 0.0

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Create a regularizer from :meth:`get_config`'s output."""
        return cls(**config)


class L1(Regularizer):
    """``l1 * sum(|x|)``.

    Example:
        >>> L1().get_config()
        {'l1': 0.01}
    """

    def __init__(self, l1=0.01):
        self.l1 = _validate(l1, "l1", "L1")

    def __call__(self, x):
        return ops.multiply(self.l1, ops.sum(ops.abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``.

    Example:
        >>> L2().get_config()
        {'l2': 0.01}
    """

    def __init__(self, l2=0.01):
        self.l2 = _validate(l2, "l2", "L2")

    def __call__(self, x):
        return ops.multiply(self.l2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``.

    Example:
        >>> L1L2(l1=0.1).get_config()
        {'l1': 0.1, 'l2': 0.0}
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate(l1, "l1", "L1L2")
        self.l2 = _validate(l2, "l2", "L1L2")

    def __call__(self, x):
        total = 0.0
        if self.l1:
            total = ops.multiply(self.l1, ops.sum(ops.abs(x)))
        if self.l2:
            total = ops.add(total, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (``mode="rows"``) or columns of a 2D weight.

    The penalty is ``factor`` times the mean absolute off-diagonal entry of the
    Gram matrix of the L2-normalized rows (or columns).

    Example:
        >>> OrthogonalRegularizer().get_config()
        {'factor': 0.01, 'mode': 'rows'}
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _validate(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', received {mode!r}")
        self.mode = mode

    def __call__(self, x):
        if len(ops.shape(x)) != 2:
            raise ValueError(
                f"OrthogonalRegularizer: expected a 2D weight, received shape {ops.shape(x)}"
            )
        if self.mode == "columns":
            x = ops.transpose(x)
        norms = ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=1, keepdims=True), 1e-12))
        x = ops.divide(x, norms)
        gram = ops.matmul(x, ops.transpose(x))
        n = ops.shape(x)[0]
        off = ops.subtract(gram, ops.eye(n, dtype=ops.dtype(gram)))
        size = n * n - n
        if size == 0:
            return ops.sum(ops.zeros_like(gram))
        return ops.multiply(self.factor, ops.divide(ops.sum(ops.abs(off)), float(size)))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}
