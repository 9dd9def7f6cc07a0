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
from kiln.backend.common.operators import TensorOperators, ops as _ops

class KerasTensor(TensorOperators):
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

    def _operand(self):
        return self


def is_keras_tensor(x):
    """True if ``x`` is a :class:`KerasTensor`.

    Example:
        >>> is_keras_tensor(KerasTensor((1,))), is_keras_tensor(1.0)
        (True, False)
    """
    return isinstance(x, KerasTensor)
