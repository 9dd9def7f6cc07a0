"""``Attention``: dot-product (Luong-style) attention over ``[query, value(, key)]``.

Example:
    >>> import kiln
    >>> q, v = kiln.ops.ones((2, 3, 4)), kiln.ops.ones((2, 5, 4))
    >>> tuple(kiln.layers.Attention()([q, v]).shape)
    (2, 3, 4)
"""

from kiln import ops, random
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer, _get_mask

_SCORE_MODES = ("dot", "concat")


def half_to_float32(x):
    """``(x in float32, original dtype)`` for float16/bfloat16 inputs, else ``(x, dtype)``.

    Example:
        >>> import kiln
        >>> y, dtype = half_to_float32(kiln.ops.ones((1,), dtype="float16"))
        >>> kiln.ops.dtype(y), dtype
        ('float32', 'float16')
    """
    dtype = ops.dtype(x)
    if dtype in ("float16", "bfloat16"):
        return ops.cast(x, "float32"), dtype
    return x, dtype


def to_compute_dtype(x, compute_dtype):
    """``x`` as a tensor; a floating one in another dtype is cast to ``compute_dtype``.

    Example:
        >>> import kiln
        >>> kiln.ops.dtype(to_compute_dtype(kiln.ops.ones((1,), dtype="float64"), "float32"))
        'float32'
    """
    x = ops.convert_to_tensor(x)
    if dtypes.is_float(ops.dtype(x)) and ops.dtype(x) != compute_dtype:
        return ops.cast(x, compute_dtype)
    return x


def causal_mask(query_steps, key_steps):
    """Boolean ``(query_steps, key_steps)`` mask, True where key step ``j <= i``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(causal_mask(2, 3)).astype(int).tolist()
        [[1, 0, 0], [1, 1, 0]]
    """
    ones = ops.ones((query_steps, key_steps), dtype="int32")
    return ops.greater_equal(ops.cumsum(ones, axis=0), ops.cumsum(ones, axis=1))


def check_dropout(owner, dropout):
    """Raise ValueError naming ``owner`` unless ``dropout`` is a number in [0, 1].

    Example:
        >>> check_dropout("Attention 'attention'", 0.1)
        0.1
    """
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
        raise ValueError(f"{owner}: dropout must be a float in [0, 1]; received dropout={dropout!r}")
    return dropout


class Attention(Layer):
    """Dot-product attention: ``softmax(query @ key^T) @ value``.

    Called on a list ``[query, value]`` or ``[query, value, key]`` of shapes
    ``(batch, Tq, dim)``, ``(batch, Tv, dim)``, ``(batch, Tv, dim)`` (key
    defaults to value); returns ``(batch, Tq, dim)``.

    Args:
        use_scale: learn a scalar ``scale`` multiplying the scores.
        score_mode: ``"dot"`` (``q . k``) or ``"concat"`` (``sum(tanh(q + k))``,
            weighted by a learned scalar ``concat_score_weight``).
        dropout: fraction of attention weights dropped in training.
        seed: seed of the dropout.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``.
        mask: ``[query_mask, value_mask]`` booleans of shapes ``(batch, Tq)`` and
            ``(batch, Tv)``; masked values get no attention, masked query steps give 0.
        training: whether dropout applies.
        return_attention_scores: also return the ``(batch, Tq, Tv)`` weights.
        use_causal_mask: forbid step ``i`` from attending to steps ``j > i``.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Attention(use_scale=True, name="attention")
        >>> out, scores = layer([kiln.ops.ones((1, 2, 3)), kiln.ops.ones((1, 4, 3))],
        ...                     return_attention_scores=True)
        >>> tuple(scores.shape), [v.path for v in layer.weights]
        ((1, 2, 4), ['attention/scale'])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in _SCORE_MODES:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': invalid value for argument score_mode, "
                f"expected one of {_SCORE_MODES}; received score_mode={score_mode!r}"
            )
        check_dropout(f"{type(self).__name__} '{self.name}'", dropout)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if dropout > 0:
            with name_scope(self.name, caller=self):
                self.seed_generator = random.SeedGenerator(seed)
        self.scale = None
        self.concat_score_weight = None
        self.supports_masking = True

    def __call__(self, inputs, *args, **kwargs):
        # Masks the inputs carry become an explicit ``mask`` (a graph edge when symbolic).
        if kwargs.get("mask") is None and isinstance(inputs, (list, tuple)):
            masks = self._input_masks(inputs)
            if masks is not None:
                kwargs["mask"] = masks
        return super().__call__(inputs, *args, **kwargs)

    # -- input checks ----------------------------------------------------------------------
    def _validate_inputs(self, inputs, mask=None):
        name = f"{type(self).__name__} '{self.name}'"
        single_shape = isinstance(inputs, (list, tuple)) and all(
            d is None or isinstance(d, int) for d in inputs)
        if not isinstance(inputs, (list, tuple)) or single_shape or len(inputs) not in (2, 3):
            got = (f"a single input of shape {tuple(inputs)}" if single_shape
                   else f"a list of {len(inputs)}" if isinstance(inputs, (list, tuple))
                   else type(inputs).__name__)
            raise ValueError(
                f"{name}: inputs must be a list [query, value] or [query, value, key]; received {got}"
            )
        shapes = [tuple(getattr(x, "shape", x)) for x in inputs]
        for label, shape in zip(("query", "value", "key"), shapes):
            if len(shape) != 3:
                raise ValueError(
                    f"{name}: input '{label}' must have rank 3 (batch, steps, dim); received "
                    f"shape {shape}"
                )
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) == 3 else v
        if v[1] is not None and k[1] is not None and v[1] != k[1]:
            raise ValueError(
                f"{name}: value and key must have the same number of steps; received value "
                f"shape {v} and key shape {k}"
            )
        if q[-1] is not None and k[-1] is not None and q[-1] != k[-1]:
            raise ValueError(
                f"{name}: query and key must have the same last dimension; received query "
                f"shape {q} and key shape {k}"
            )
        if mask is not None:
            if not isinstance(mask, (list, tuple)) or len(mask) not in (2, 3):
                raise ValueError(
                    f"{name}: mask must be a list [query_mask, value_mask]; received {mask!r}"
                )

    # -- weights -----------------------------------------------------------------------------
    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    # -- computation -------------------------------------------------------------------------
    def _calculate_scores(self, query, key):
        """Raw scores ``(batch, Tq, Tv)``."""
        dtype = ops.dtype(query)
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, (0, 2, 1)))
            if self.scale is not None:
                scores = ops.multiply(scores, ops.cast(self.scale, dtype))
            return scores
        summed = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            summed = ops.multiply(ops.cast(self.scale, dtype), summed)
        scores = ops.sum(ops.tanh(summed), axis=-1)
        return ops.multiply(ops.cast(self.concat_score_weight, dtype), scores)

    def _scores_mask(self, scores, value_mask, use_causal_mask):
        """Boolean mask of allowed ``(query, value)`` pairs, broadcastable to the scores."""
        allowed = None
        if value_mask is not None:
            allowed = ops.expand_dims(ops.cast(value_mask, "bool"), -2)  # (batch, 1, Tv)
        if use_causal_mask:
            causal = ops.expand_dims(causal_mask(ops.shape(scores)[-2], ops.shape(scores)[-1]), 0)
            allowed = causal if allowed is None else ops.logical_and(allowed, causal)
        return allowed

    def _apply_scores(self, scores, value, allowed, training):
        scores, dtype = half_to_float32(scores)
        if allowed is not None:
            # Masked pairs get a large negative bias (not -inf, so rows stay finite).
            penalty = ops.multiply(ops.cast(ops.logical_not(allowed), scores.dtype), 1.0e9)
            scores = ops.subtract(scores, penalty)
        weights = ops.cast(ops.softmax(scores, axis=-1), dtype)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        inputs = [self._cast_input(x) for x in inputs]
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        if mask is None:
            mask = self._input_masks(inputs)
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        allowed = self._scores_mask(scores, value_mask, use_causal_mask)
        outputs, weights = self._apply_scores(scores, value, allowed, training)
        if query_mask is not None:
            outputs = ops.multiply(outputs, ops.cast(ops.expand_dims(query_mask, -1), outputs.dtype))
        if return_attention_scores:
            return outputs, weights
        return outputs

    def _cast_input(self, x):
        return to_compute_dtype(x, self.compute_dtype)

    @staticmethod
    def _input_masks(inputs):
        masks = [_get_mask(x) for x in inputs]
        return None if all(m is None for m in masks) else masks

    def compute_mask(self, inputs, mask=None):
        if mask is None and isinstance(inputs, (list, tuple)):
            mask = self._input_masks(inputs)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        query_shape, value_shape = tuple(input_shape[0]), tuple(input_shape[1])
        return query_shape[:-1] + (value_shape[-1],)

    def compute_output_spec(self, inputs, mask=None, training=None, return_attention_scores=False,
                            use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        out = KerasTensor(self.compute_output_shape([query.shape, value.shape]),
                          dtype=self.compute_dtype)
        if return_attention_scores:
            scores = KerasTensor(tuple(query.shape[:-1]) + (key.shape[1],), dtype=self.compute_dtype)
            return out, scores
        return out

    def get_config(self):
        config = super().get_config()
        config.update({
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
        })
        return config
