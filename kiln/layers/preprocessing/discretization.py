"""``Discretization``: bucketize numbers by bin boundaries (given, or adapted as quantiles).

Example:
    >>> import kiln
    >>> layer = kiln.layers.Discretization(bin_boundaries=[0.0, 1.0])
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([[-1.0, 0.5, 2.0]]))).tolist()
    [[0, 1, 2]]
"""

import numpy as np

from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.normalization import iterate_batches
from kiln.layers.preprocessing.preprocessing_utils import (ENCODING_MODES, check_choice,
                                                            check_int, check_not_sparse,
                                                            encode_categorical, encoded_shape)


class Discretization(DataLayer):
    """Maps each value to the index of its bin: bin ``i`` holds ``boundaries[i-1] <= x < boundaries[i]``.

    Args:
        bin_boundaries: sorted list of boundaries (``n`` boundaries give ``n + 1``
            bins), or None to :meth:`adapt` them.
        num_bins: number of bins :meth:`adapt` makes (quantiles of the data);
            give exactly one of ``bin_boundaries`` and ``num_bins``.
        epsilon: accuracy of the adapted quantiles (Keras' approximate
            quantiles; Kiln computes them exactly, so it is kept for the config).
        output_mode: ``"int"`` (bin indices, int64), ``"one_hot"``,
            ``"multi_hot"`` or ``"count"`` (float vectors of size ``num_bins``).
        sparse: must be False (dense outputs only).

    Example:
        >>> import numpy as np
        >>> layer = Discretization(num_bins=2)
        >>> layer.adapt(np.array([1.0, 2.0, 3.0, 4.0]))
        >>> layer.bin_boundaries
        [3.0]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        if dtype is None:
            dtype = "int64" if output_mode == "int" else "float32"
        super().__init__(dtype=dtype, name=name)
        owner = f"Discretization '{self.name}'"
        check_choice(owner, "output_mode", output_mode, ("int",) + ENCODING_MODES[:3])
        check_not_sparse(owner, sparse)
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError(f"{owner}: give exactly one of `bin_boundaries` and `num_bins`; received "
                             f"bin_boundaries={bin_boundaries!r}, num_bins={num_bins!r}")
        check_int(owner, "num_bins", num_bins, allow_none=True)
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in np.asarray(bin_boundaries).ravel()]
            if any(b2 < b1 for b1, b2 in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f"{owner}: `bin_boundaries` must be sorted; received {bin_boundaries}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        # Inputs are numbers to bucketize: never cast them to the (int) output dtype.
        self.autocast = False

    def adapt(self, data, steps=None):
        """Set ``bin_boundaries`` to the ``i / num_bins`` quantiles of ``data`` (array, tensor or dataset).

        Example:
            >>> import numpy as np
            >>> layer = Discretization(num_bins=4)
            >>> layer.adapt(np.arange(8.0))
            >>> layer.bin_boundaries
            [2.0, 4.0, 6.0]
        """
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}': `adapt` needs `num_bins` (the layer was "
                             "created with fixed `bin_boundaries`)")
        values = [np.asarray(b, "float64").ravel()
                  for i, b in enumerate(iterate_batches(data)) if steps is None or i < steps]
        values = np.sort(np.concatenate(values)) if values else np.zeros((0,))
        if values.size == 0:
            raise ValueError(f"Discretization '{self.name}': `adapt` received no data")
        positions = [int(np.floor(values.size * i / self.num_bins)) for i in range(1, self.num_bins)]
        self.bin_boundaries = [float(values[min(p, values.size - 1)]) for p in positions]

    def finalize_state(self):
        """Nothing to do: :meth:`adapt` sets ``bin_boundaries`` directly (Keras API hook)."""

    def _depth(self):
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}': call `adapt` (or give `bin_boundaries`) "
                             "before using the layer")
        b = self.backend
        indices = b.core.cast(b.numpy.digitize(inputs, self.bin_boundaries), "int64")
        if self.output_mode == "int":
            return indices
        return encode_categorical(b, indices, self.output_mode, self._depth(), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def compute_output_spec(self, inputs):
        dtype = "int64" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("trainable", None)
        config.update({
            "bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
            "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse,
        })
        return config
