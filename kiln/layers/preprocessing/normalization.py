"""``Normalization``: feature-wise ``(x - mean) / sqrt(variance)``, statistics given or adapted.

Example:
    >>> import numpy as np
    >>> import kiln
    >>> layer = kiln.layers.Normalization()
    >>> layer.adapt(np.array([[0.0], [2.0]]))
    >>> kiln.ops.convert_to_numpy(layer(np.array([[1.0], [3.0]], "float32"))).ravel().tolist()
    [0.0, 2.0]
"""

import numpy as np

from kiln import config
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import listify


def iterate_batches(data):
    """NumPy arrays from ``adapt`` data: an array, a tensor, a list, or a ``tf.data.Dataset`` of batches.

    Example:
        >>> [b.shape for b in iterate_batches(np.zeros((3, 2)))]
        [(3, 2)]
    """
    if type(data).__module__.startswith("tensorflow") and hasattr(data, "as_numpy_iterator"):
        for batch in data.as_numpy_iterator():
            if isinstance(batch, tuple):
                batch = batch[0]
            yield np.asarray(batch)
        return
    if hasattr(data, "numpy") and not isinstance(data, np.ndarray):
        yield np.asarray(data.numpy())
        return
    from kiln import ops

    try:
        yield np.asarray(ops.convert_to_numpy(data))
    except Exception:  # noqa: BLE001 - e.g. a list of strings
        yield np.asarray(data)


class Normalization(DataLayer):
    """Shifts and scales inputs to mean 0 and variance 1 per feature (or undoes it with ``invert``).

    Args:
        axis: the axis or axes that keep separate statistics (default ``-1``,
            one mean/variance per feature); ``None`` uses one scalar mean and
            variance for everything.
        mean, variance: the statistics (broadcastable to the kept axes); give
            both or neither. Without them, call :meth:`adapt` on data first.
        invert: compute ``mean + x * sqrt(variance)`` instead.

    Adapted statistics live in the non-trainable weights ``mean``,
    ``variance`` and ``count`` (as in Keras 3). Division uses
    ``max(sqrt(variance), epsilon)``.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Normalization(mean=2.0, variance=4.0)
        >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([[4.0]]))).tolist()
        [[1.0]]
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axis = (axis,)
        else:
            try:
                axis = tuple(axis)
            except TypeError:
                axis = None
            if axis is None or not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
                raise ValueError(f"Normalization '{self.name}': `axis` must be an int, a tuple of "
                                 f"ints or None; received axis={axis!r}")
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization '{self.name}': set both `mean` and `variance`, or "
                             f"neither (to adapt them); received mean={mean!r}, variance={variance!r}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True

    def _axes(self, ndim):
        keep = []
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ValueError(f"Normalization '{self.name}': axis {a} is out of range for an "
                                 f"input of rank {ndim}")
            keep.append(a % ndim)
        return tuple(sorted(keep))

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        keep = self._axes(ndim)
        if any(input_shape[d] is None for d in keep):
            raise ValueError(f"Normalization '{self.name}': all `axis` values to be kept must have a "
                             f"known size; received axis={self.axis} and input shape {input_shape}")
        self._keep_axes = keep
        self._reduce_axes = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(ndim))
        stats_shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=stats_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=stats_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros",
                                         trainable=False)
        else:
            self._const_mean = np.broadcast_to(
                np.asarray(self.input_mean, "float64"), self._broadcast_shape).astype("float32")
            self._const_variance = np.broadcast_to(
                np.asarray(self.input_variance, "float64"), self._broadcast_shape).astype("float32")
        self.built = True

    def adapt(self, data, batch_size=None, steps=None):
        """Compute the mean and variance of ``data`` (array, tensor or ``tf.data.Dataset`` of batches).

        Statistics are combined across batches exactly (counts, means and
        centered sums of squares, in float64).

        Example:
            >>> import numpy as np
            >>> layer = Normalization(axis=None)
            >>> layer.adapt(np.array([1.0, 2.0, 3.0]))
            >>> float(layer.adapt_mean.numpy()), round(float(layer.adapt_variance.numpy()), 4)
            (2.0, 0.6667)
        """
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}': `adapt` needs a layer created without "
                             "`mean` and `variance`")
        total, mean, m2 = 0, None, None
        for step, batch in enumerate(iterate_batches(data)):
            if steps is not None and step >= steps:
                break
            batch = np.asarray(batch, "float64")
            if batch.ndim == 0:
                batch = batch.reshape(1)
            if not self.built:
                self._maybe_build((KerasTensor((None,) + batch.shape[1:]),), {})
            reduce_axes = tuple(d for d in range(batch.ndim) if d not in self._keep_axes)
            n = int(np.prod([batch.shape[d] for d in reduce_axes])) if reduce_axes else 1
            b_mean = batch.mean(axis=reduce_axes) if reduce_axes else batch
            b_m2 = ((batch - batch.mean(axis=reduce_axes, keepdims=True)) ** 2).sum(axis=reduce_axes) \
                if reduce_axes else np.zeros_like(batch)
            if mean is None:
                total, mean, m2 = n, b_mean, b_m2
            else:
                new_total = total + n
                delta = b_mean - mean
                mean = mean + delta * n / new_total
                m2 = m2 + b_m2 + delta ** 2 * total * n / new_total
                total = new_total
        if mean is None:
            raise ValueError(f"Normalization '{self.name}': `adapt` received no data")
        self.adapt_mean.assign(np.asarray(mean, "float32").reshape(self.adapt_mean.shape))
        self.adapt_variance.assign(np.asarray(m2 / total, "float32").reshape(self.adapt_variance.shape))

    def finalize_state(self):
        """Nothing to do: the statistics are read from the weights on every call (Keras API hook)."""

    def call(self, inputs):
        b = self.backend
        dtype = self.compute_dtype
        inputs = b.core.cast(inputs, dtype)
        if self.input_mean is None:
            mean = b.numpy.reshape(b.core.cast(self.adapt_mean, dtype), self._broadcast_shape)
            variance = b.numpy.reshape(b.core.cast(self.adapt_variance, dtype), self._broadcast_shape)
        else:
            mean = b.core.cast(self._const_mean, dtype)
            variance = b.core.cast(self._const_variance, dtype)
        scale = b.numpy.maximum(b.numpy.sqrt(variance), b.core.cast(config.epsilon(), dtype))
        if self.invert:
            return b.numpy.add(mean, b.numpy.multiply(inputs, scale))
        return b.numpy.divide(b.numpy.subtract(inputs, mean), scale)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "invert": self.invert,
            "mean": listify(self.input_mean),
            "variance": listify(self.input_variance),
        })
        return config
