"""``InputLayer`` and ``Input``: the entry points of a functional model.

Example:
    >>> import kiln
    >>> x = kiln.Input(shape=(28, 28, 1), name="image")
    >>> x.shape, x.dtype
    ((None, 28, 28, 1), 'float32')
"""

from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.layer import Layer
from kiln.ops.node import Node


class InputLayer(Layer):
    """The layer behind ``kiln.Input``: it holds a placeholder KerasTensor.

    Args:
        shape: shape without the batch dimension.
        batch_size: optional fixed batch size.
        dtype: dtype of the input (default ``floatx()``).
        sparse: whether the input is sparse.
        batch_shape: full shape including the batch dimension (instead of shape/batch_size).
        input_tensor: an existing KerasTensor to wrap.
        optional: whether the input may be None.
        name: the layer name.

    Example:
        >>> layer = InputLayer(shape=(3,))
        >>> layer.output.shape
        (None, 3)
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        if ragged:
            raise ValueError(f"InputLayer: ragged inputs are not supported (only the tensorflow "
                             f"backend has ragged tensors); received ragged={ragged!r}")
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, **kwargs)
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(f"InputLayer '{self.name}': input_tensor must be a KerasTensor, "
                                 f"received {type(input_tensor).__name__}")
            batch_shape = input_tensor.shape
            dtype = input_tensor.dtype
        if shape is not None and batch_shape is not None:
            raise ValueError(f"InputLayer '{self.name}': pass either shape or batch_shape, not both")
        if batch_shape is None:
            if shape is None:
                raise ValueError(f"InputLayer '{self.name}': a shape (or batch_shape) is required")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._input_dtype = dtypes.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        tensor = input_tensor if input_tensor is not None else KerasTensor(
            self._batch_shape, dtype=self._input_dtype, sparse=self.sparse, name=self.name)
        Node(self, call_args=(), call_kwargs={}, outputs=tensor)
        self._input_tensor = tensor

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def dtype(self):
        return self._input_dtype

    def call(self):
        return None

    def get_config(self):
        return {"batch_shape": list(self._batch_shape), "dtype": self._input_dtype,
                "sparse": self.sparse, "ragged": False, "name": self.name, "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False):
    """Create a symbolic input tensor for a functional model.

    Args:
        shape: shape without the batch dimension, e.g. ``(28, 28, 1)``.
        batch_size: optional fixed batch size.
        dtype: the input dtype (default ``floatx()``).
        batch_shape: full shape including batch (instead of ``shape``).
        name: a name for the input (and its InputLayer).

    Example:
        >>> import kiln
        >>> kiln.Input((4,), dtype="int32").dtype
        'int32'
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor, optional=optional)
    return layer.output
