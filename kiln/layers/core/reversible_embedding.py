"""``ReversibleEmbedding``: an embedding table that also maps vectors back to logits.

Example:
    >>> import kiln
    >>> emb = kiln.layers.ReversibleEmbedding(input_dim=10, output_dim=4)
    >>> hidden = emb(kiln.ops.convert_to_tensor([[1, 2, 3]]))
    >>> tuple(hidden.shape), tuple(emb(hidden, reverse=True).shape)
    ((1, 3, 4), (1, 3, 10))
"""

from kiln import ops
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """An ``Embedding`` whose ``reverse=True`` call projects hidden states to vocabulary logits.

    Forward (``reverse=False``), indices become rows of the ``(input_dim,
    output_dim)`` table. In reverse, inputs of size ``output_dim`` are multiplied
    by the transposed table (``tie_weights=True``) or by a separate
    ``reverse_embeddings`` weight of shape ``(output_dim, input_dim)``.

    Args:
        input_dim: vocabulary size.
        output_dim: size of each embedding vector.
        tie_weights: reuse the embedding table for the reverse projection.
        embeddings_initializer, embeddings_regularizer, embeddings_constraint,
            mask_zero: as for ``Embedding``.
        reverse_dtype: dtype the reverse matmul runs in (None: the compute dtype).
        logit_soft_cap: if set, reverse logits become ``cap * tanh(logits / cap)``.

    Example:
        >>> import kiln
        >>> emb = kiln.layers.ReversibleEmbedding(6, 2, tie_weights=False)
        >>> emb.build()
        >>> [tuple(v.shape) for v in emb.weights]
        [(6, 2), (2, 6)]
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        if logit_soft_cap is not None and (isinstance(logit_soft_cap, bool)
                                           or not isinstance(logit_soft_cap, (int, float))
                                           or logit_soft_cap <= 0):
            raise ValueError(
                f"ReversibleEmbedding '{self.name}': logit_soft_cap must be None or a positive "
                f"number; received logit_soft_cap={logit_soft_cap!r}"
            )
        if reverse_dtype is not None:
            reverse_dtype = dtypes.standardize_dtype(reverse_dtype)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings = None

    def build(self, inputs_shape=None):
        if self.embeddings is None:
            super().build(inputs_shape)
        if not self.tie_weights and self.reverse_embeddings is None:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings", shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer, trainable=True)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if self.tie_weights:
            kernel = ops.transpose(self.embeddings)
        else:
            kernel = self.reverse_embeddings
        dtype = self.reverse_dtype or self.compute_dtype
        inputs = ops.cast(inputs, dtype)
        kernel = ops.cast(kernel, dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = ops.cast(self.logit_soft_cap, dtype)
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def compute_output_spec(self, inputs, reverse=False):
        shape = self.compute_output_shape(inputs.shape, reverse=reverse)
        dtype = (self.reverse_dtype or self.compute_dtype) if reverse else self.compute_dtype
        return KerasTensor(shape, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "tie_weights": self.tie_weights,
            "reverse_dtype": self.reverse_dtype,
            "logit_soft_cap": self.logit_soft_cap,
        })
        return config
