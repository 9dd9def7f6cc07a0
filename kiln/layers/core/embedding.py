"""``Embedding``: maps integer indices to dense vectors (rows of a learned table).

Example:
    >>> import kiln
    >>> layer = kiln.layers.Embedding(input_dim=10, output_dim=4)
    >>> tuple(layer(kiln.ops.convert_to_tensor([[1, 2, 3]])).shape)
    (1, 3, 4)
"""

from kiln import constraints, initializers, ops, regularizers
from kiln.backend.common import dtypes
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


class Embedding(Layer):
    """Turns indices in ``[0, input_dim)`` into vectors of size ``output_dim``.

    Args:
        input_dim: size of the vocabulary (largest index + 1).
        output_dim: size of each embedding vector.
        embeddings_initializer: initializer of the ``(input_dim, output_dim)`` table.
        embeddings_regularizer, embeddings_constraint: optional penalty / projection.
        mask_zero: treat index 0 as padding: ``compute_mask`` returns ``inputs != 0``.
        weights: optional initial table (a list holding one array, or the array).
        lora_rank, lora_alpha, quantization_config: not supported yet (must be None).

    Example:
        >>> import kiln
        >>> emb = kiln.layers.Embedding(5, 2, mask_zero=True)
        >>> kiln.ops.convert_to_numpy(emb.compute_mask(kiln.ops.convert_to_tensor([0, 3]))).tolist()
        [False, True]
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Embedding '{self.name}': {arg} must be a positive integer, received {arg}={value!r}"
                )
        if lora_rank is not None or quantization_config is not None:
            raise NotImplementedError(
                f"Embedding '{self.name}': LoRA (lora_rank) and quantization are not supported yet"
            )
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha
        self.embeddings = None
        if weights is not None:
            self.build()
            if isinstance(weights, (list, tuple)) and len(weights) == 1:
                weights = weights[0]
            self.embeddings.assign(weights)

    def build(self, input_shape=None):
        if self.embeddings is not None:
            return
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint, trainable=True,
        )
        self._cast_outputs = self.embeddings.dtype != self.compute_dtype
        self.built = True

    def call(self, inputs):
        if not dtypes.is_int(ops.dtype(inputs)):
            inputs = ops.cast(inputs, "int32")
        outputs = ops.take(self.embeddings, inputs, axis=0)
        if self._cast_outputs:
            outputs = ops.cast(outputs, self.compute_dtype)
        return outputs

    def compute_mask(self, inputs, mask=None):
        """``inputs != 0`` when ``mask_zero``, else None."""
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": serialization_lib.serialize_kiln_object(self.embeddings_initializer),
            "embeddings_regularizer": serialization_lib.serialize_kiln_object(self.embeddings_regularizer),
            "activity_regularizer": serialization_lib.serialize_kiln_object(self._activity_regularizer),
            "embeddings_constraint": serialization_lib.serialize_kiln_object(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        if self.lora_rank is not None:
            config["lora_rank"] = self.lora_rank
            config["lora_alpha"] = self.lora_alpha
        return config
