"""``CategoryEncoding``: integer category ids -> one-hot, multi-hot or count vectors.

Example:
    >>> import kiln
    >>> layer = kiln.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([[0, 3], [1, 1]]))).tolist()
    [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0]]
"""

from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import (check_choice, check_int,
                                                            check_not_sparse,
                                                            encode_categorical, encoded_shape)


class CategoryEncoding(DataLayer):
    """Encodes integer ids in ``[0, num_tokens)`` as dense vectors of size ``num_tokens``.

    Args:
        num_tokens: the number of categories (a positive int).
        output_mode: ``"one_hot"`` (one vector per id: adds an axis, or replaces
            a last axis of size 1), ``"multi_hot"`` (1 where an id of the sample
            occurs) or ``"count"`` (how often each occurs; ``count_weights``
            passed to ``call`` weight the occurrences). ``multi_hot``/``count``
            reduce the last axis of a rank-1 or rank-2 input (rank 1 = one sample).
        sparse: must be False (dense outputs only).

    Ids outside ``[0, num_tokens)`` add nothing.

    Example:
        >>> import kiln
        >>> layer = CategoryEncoding(num_tokens=3, output_mode="one_hot")
        >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([2, 0]))).tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        owner = f"CategoryEncoding '{self.name}'"
        check_choice(owner, "output_mode", output_mode, ("one_hot", "multi_hot", "count"))
        check_int(owner, "num_tokens", num_tokens)
        check_not_sparse(owner, sparse)
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` only applies to "
                             f"output_mode='count'; this layer has output_mode={self.output_mode!r}")
        b = self.backend
        return encode_categorical(b, inputs, self.output_mode, self.num_tokens, self.compute_dtype,
                                  count_weights=count_weights)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config
