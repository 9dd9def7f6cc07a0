"""Weight constraints: projections applied to a weight after each optimizer update.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(NonNeg()(kiln.ops.convert_to_tensor([-1.0, 2.0]))).tolist()
    [0.0, 2.0]
"""

from kiln import config, ops


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weight (identity here).

    Example:
        >>> Constraint().get_config()
        {}
    """

    def __init__(self, *args, **kwargs):
        # Keras' signature for the argument-less constraints is (*args, **kwargs); none is accepted.
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}: takes no arguments; received args={args}, "
                f"kwargs={sorted(kwargs)}"
            )

    def __call__(self, w):
        return w

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Create a constraint from :meth:`get_config`'s output."""
        return cls(**config)


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale slices along ``axis`` whose L2 norm exceeds ``max_value``.

    Example:
        >>> MaxNorm().get_config()
        {'max_value': 2, 'axis': 0}
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return ops.multiply(w, ops.divide(desired, ops.add(norms, config.epsilon())))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move slice norms into ``[min_value, max_value]`` (partially, by ``rate``).

    Example:
        >>> MinMaxNorm().get_config()
        {'min_value': 0.0, 'max_value': 1.0, 'rate': 1.0, 'axis': 0}
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        clipped = ops.clip(norms, self.min_value, self.max_value)
        desired = ops.add(ops.multiply(self.rate, clipped), ops.multiply(1.0 - self.rate, norms))
        return ops.multiply(w, ops.divide(desired, ops.add(norms, config.epsilon())))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Set negative entries to zero.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(NonNeg()(kiln.ops.convert_to_tensor([-3.0, 0.5]))).tolist()
        [0.0, 0.5]
    """

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return ops.where(ops.greater_equal(w, 0), w, ops.zeros_like(w))


class UnitNorm(Constraint):
    """Rescale slices along ``axis`` to unit L2 norm.

    Example:
        >>> UnitNorm(axis=1).get_config()
        {'axis': 1}
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return ops.divide(w, ops.add(_norms(w, self.axis), config.epsilon()))

    def get_config(self):
        return {"axis": self.axis}
