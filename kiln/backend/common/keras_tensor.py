"""``KerasTensor``: a symbolic placeholder with a shape and a dtype, no data.

Calling an op or a layer on KerasTensors returns new KerasTensors (via the
op's ``compute_output_spec``) and records the call in ``_keras_history``,
which is how functional models find their graph.

Example:
    >>> import kiln
    >>> x = kiln.KerasTensor((None, 3), dtype="float32")
    >>> y = kiln.ops.matmul(x, kiln.ops.ones((3, 4)))
    >>> y.shape, y.dtype
    ((None, 4), 'float32')
"""

from kiln.backend.common import dtypes

_ops_module = None


def _ops():
    global _ops_module
    if _ops_module is None:
        from kiln import ops

        _ops_module = ops
    return _ops_module


class KerasTensor:
    """A symbolic tensor: ``shape`` (ints or None) and ``dtype``, used to build graphs.

    Args:
        shape: tuple of ints or None for unknown dimensions.
        dtype: dtype name, default ``"float32"``.
        sparse, ragged: whether the tensor stands for a sparse/ragged value.
        record_history: whether ops on it record graph nodes.
        name: optional name.

    Example:
        >>> KerasTensor((None, 8)).ndim
        2
    """

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False,
                 record_history=True, name=None, **kwargs):
        try:
            self._shape = tuple(None if d is None else int(d) for d in shape)
        except (TypeError, ValueError):
            raise ValueError(f"KerasTensor: shape must be a tuple of ints or None, received {shape!r}")
        self._dtype = dtypes.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.record_history = record_history
        self.name = name
        self._keras_history = kwargs.pop("keras_history", None)
        self._keras_mask = None

    @property
    def shape(self):
        return self._shape

    @shape.setter
    def shape(self, value):
        self._shape = tuple(value)

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    def __repr__(self):
        return f"<KerasTensor shape={self._shape}, dtype={self._dtype}, name={self.name}>"

    def __hash__(self):
        return id(self)

    def __iter__(self):
        raise TypeError(
            "A KerasTensor is symbolic: it cannot be iterated. Index it or use kiln.ops.unstack."
        )

    def __bool__(self):
        raise TypeError("A KerasTensor has no truth value: it is symbolic. Use kiln.ops.cond.")

    def __len__(self):
        raise TypeError("A KerasTensor has no len(); use its .shape")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A KerasTensor is a symbolic placeholder and has no value. "
            "Use it to build a functional model, or call your function on real data."
        )

    def numpy(self):
        raise TypeError("A KerasTensor is symbolic and has no value to convert to NumPy.")

    def reshape(self, newshape):
        return _ops().reshape(self, newshape)

    def squeeze(self, axis=None):
        return _ops().squeeze(self, axis=axis)

    @property
    def T(self):
        return _ops().transpose(self)

    def __getitem__(self, key):
        return _ops().get_item(self, key)

    def __neg__(self):
        return _ops().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().abs(self)

    def __invert__(self):
        return _ops().logical_not(self)

    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().true_divide(self, other)

    def __rtruediv__(self, other):
        return _ops().true_divide(other, self)

    def __floordiv__(self, other):
        return _ops().floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops().floor_divide(other, self)

    def __mod__(self, other):
        return _ops().mod(self, other)

    def __rmod__(self, other):
        return _ops().mod(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __eq__(self, other):
        return _ops().equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)

    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    def __and__(self, other):
        return _ops().logical_and(self, other)

    def __or__(self, other):
        return _ops().logical_or(self, other)


def is_keras_tensor(x):
    """True if ``x`` is a :class:`KerasTensor`.

    Example:
        >>> is_keras_tensor(KerasTensor((1,))), is_keras_tensor(1.0)
        (True, False)
    """
    return isinstance(x, KerasTensor)
