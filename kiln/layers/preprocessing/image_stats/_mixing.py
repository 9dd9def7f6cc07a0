"""Sampling and mixing shared by MixUp and CutMix: Beta(alpha, alpha) draws from normal and uniform
draws only (so they also run with TensorFlow inside tf.data and under jit).

Example:
    >>> import kiln
    >>> from kiln.layers.preprocessing.data_layer import kiln_backend
    >>> w = sample_symmetric_beta(kiln_backend(), (4,), 0.5, seed=1)
    >>> kiln.ops.shape(w)
    (4,)
"""

# Candidates drawn per Gamma sample: the Marsaglia-Tsang acceptance rate is above 95%
# for shape >= 1, so the chance that all are rejected is below 1e-20.
_CANDIDATES = 16


def _log_gamma(backend, shape, alpha, seed):
    """log of Gamma(alpha, 1) samples, ``alpha`` a float32 scalar (Python or tensor) > 0.

    Marsaglia and Tsang's squeeze method on ``alpha + 1`` when ``alpha < 1`` (then
    boosted by ``U ** (1 / alpha)``), with a fixed number of candidates per sample so
    shapes stay static; the first accepted candidate is kept.
    """
    np_ = backend.numpy
    small = np_.less(alpha, 1.0)
    boosted = np_.where(small, alpha + 1.0, alpha)
    d = boosted - 1.0 / 3.0
    c = 1.0 / np_.sqrt(9.0 * d)
    z = backend.random.normal(shape + (_CANDIDATES,), dtype="float32", seed=seed)
    u = backend.random.uniform(shape + (_CANDIDATES,), minval=1e-12, maxval=1.0, dtype="float32",
                               seed=seed)
    v = (1.0 + c * z) ** 3
    positive = np_.greater(v, 0.0)
    safe_v = np_.where(positive, v, np_.ones_like(v))
    accept = np_.logical_and(positive, np_.less(np_.log(u), 0.5 * z * z + d - d * safe_v
                                                + d * np_.log(safe_v)))
    first = np_.argmax(backend.core.cast(accept, "int32"), axis=-1)
    chosen = np_.take_along_axis(safe_v, np_.expand_dims(first, -1), axis=-1)[..., 0]
    chosen = np_.where(np_.any(accept, axis=-1), chosen, np_.ones_like(chosen))
    boost = backend.random.uniform(shape, minval=1e-12, maxval=1.0, dtype="float32", seed=seed)
    return np_.log(d * chosen) + np_.where(small, np_.log(boost) / alpha, np_.zeros_like(boost))


def sample_symmetric_beta(backend, shape, alpha, seed):
    """Float32 Beta(alpha, alpha) samples of ``shape``: ``X / (X + Y)`` for Gamma draws X, Y,
    computed as ``sigmoid(log X - log Y)`` so tiny ``alpha`` gives 0 or 1 instead of 0 / 0.

    Example:
        >>> import kiln
        >>> from kiln.layers.preprocessing.data_layer import kiln_backend
        >>> w = kiln.ops.convert_to_numpy(sample_symmetric_beta(kiln_backend(), (2000,), 2.0, seed=0))
        >>> bool(abs(w.mean() - 0.5) < 0.02 and w.min() > 0 and w.max() < 1)
        True
    """
    alpha = backend.core.cast(alpha, "float32")
    shape = tuple(shape)
    return backend.nn.sigmoid(_log_gamma(backend, shape, alpha, seed)
                              - _log_gamma(backend, shape, alpha, seed))


def mix(backend, values, others, weight):
    """``weight * values + (1 - weight) * others`` with a per-sample ``weight`` (batch,)
    broadcast over the trailing axes, in the dtype of ``values``.

    Example:
        >>> import kiln
        >>> from kiln.layers.preprocessing.data_layer import kiln_backend
        >>> out = mix(kiln_backend(), kiln.ops.ones((2, 3)), kiln.ops.zeros((2, 3)),
        ...           kiln.ops.convert_to_tensor([0.25, 1.0]))
        >>> kiln.ops.convert_to_numpy(out)[:, 0].tolist()
        [0.25, 1.0]
    """
    np_ = backend.numpy
    weight = backend.core.cast(weight, values.dtype)
    weight = np_.reshape(weight, (-1,) + (1,) * (len(values.shape) - 1))
    return weight * values + (1 - weight) * backend.core.cast(others, values.dtype)


def mix_with_permutation(backend, values, transformation, training):
    """``values`` mixed with their batch permutation ``transformation["permutation_order"]``
    by ``transformation["mix_weight"]`` (see :func:`mix`); unchanged outside training or
    without a transformation.

    Example:
        >>> import kiln
        >>> from kiln.layers.preprocessing.data_layer import kiln_backend
        >>> t = {"permutation_order": kiln.ops.convert_to_tensor([1, 0]),
        ...      "mix_weight": kiln.ops.convert_to_tensor([0.5, 0.5])}
        >>> x = kiln.ops.convert_to_tensor([[0.0], [2.0]])
        >>> kiln.ops.convert_to_numpy(mix_with_permutation(kiln_backend(), x, t, True)).tolist()
        [[1.0], [1.0]]
    """
    if not training or transformation is None:
        return values
    others = backend.numpy.take(values, transformation["permutation_order"], axis=0)
    return mix(backend, values, others, transformation["mix_weight"])
