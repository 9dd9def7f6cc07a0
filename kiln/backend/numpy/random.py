"""Random ops in NumPy, driven by explicit seeds.

Every function takes ``seed``: an integer tensor of shape (2,) (``uint32`` on this
backend). The two integers seed a fresh ``np.random.default_rng`` per call, so the
same seed tensor always gives the same numbers.

Example:
    >>> import numpy as np
    >>> seed = np.array([1, 2], dtype="uint32")
    >>> bool((normal((3,), seed=seed) == normal((3,), seed=seed)).all())
    True
"""

import numpy as np

from kiln.backend.common.variables import KerasVariable
from kiln.backend.numpy.core import FLOAT32, HALF_NP, convert_to_tensor, np_dtype

_MASK64 = (1 << 64) - 1


def _rng(seed, op):
    if seed is None:
        raise ValueError(
            f"{op}: `seed` must be an integer tensor of shape (2,) (see kiln.random.SeedGenerator), "
            "received None"
        )
    if isinstance(seed, KerasVariable):
        seed = seed.value
    if isinstance(seed, (int, np.integer)):
        values = [int(seed)]
    else:
        values = [int(v) for v in np.asarray(seed).reshape(-1)]
    return np.random.default_rng([v & _MASK64 for v in values])


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _float_dtype(dtype, op):
    native = np_dtype(dtype)
    if native.kind != "f" and native not in HALF_NP:
        raise ValueError(f"{op}: dtype must be a float dtype, received {native.name!r}")
    return native


def _sample_dtype(native):
    return FLOAT32 if native in HALF_NP or native == FLOAT32 else np.dtype("float64")


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution with ``mean`` and ``stddev``.

    Example:
        >>> normal((2, 3), seed=np.array([0, 1], dtype="uint32")).shape
        (2, 3)
    """
    native = _float_dtype(dtype, "normal")
    rng = _rng(seed, "normal")
    z = rng.standard_normal(_shape(shape), dtype=_sample_dtype(native))
    return (z * convert_to_tensor(stddev, dtype=z.dtype) + convert_to_tensor(mean, dtype=z.dtype)
            ).astype(native, copy=False)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples uniformly from ``[minval, maxval)``.

    Example:
        >>> u = uniform((100,), 2.0, 3.0, seed=np.array([0, 1], dtype="uint32"))
        >>> bool(u.min() >= 2.0 and u.max() < 3.0)
        True
    """
    native = _float_dtype(dtype, "uniform")
    rng = _rng(seed, "uniform")
    u = rng.random(_shape(shape), dtype=_sample_dtype(native))
    low = convert_to_tensor(minval, dtype=u.dtype)
    high = convert_to_tensor(maxval, dtype=u.dtype)
    out = (low + u * (high - low)).astype(native, copy=False)
    # Rounding (to the target dtype too) must never reach maxval.
    top = np.nextafter(high.astype(native), np.asarray(-np.inf, dtype=native)) \
        if native not in HALF_NP else None
    if top is not None:
        out = np.minimum(out, top)
    return out


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until they lie within two standard deviations of the mean.

    Example:
        >>> t = truncated_normal((1000,), seed=np.array([0, 1], dtype="uint32"))
        >>> bool(abs(t).max() <= 2.0)
        True
    """
    native = _float_dtype(dtype, "truncated_normal")
    rng = _rng(seed, "truncated_normal")
    sample_dtype = _sample_dtype(native)
    z = rng.standard_normal(_shape(shape), dtype=sample_dtype)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()), dtype=sample_dtype)
        outside = np.abs(z) > 2.0
    return (z * convert_to_tensor(stddev, dtype=z.dtype) + convert_to_tensor(mean, dtype=z.dtype)
            ).astype(native, copy=False)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from ``[minval, maxval)``.

    Example:
        >>> r = randint((50,), 0, 3, seed=np.array([0, 1], dtype="uint32"))
        >>> r.dtype.name, bool(r.min() >= 0 and r.max() < 3)
        ('int32', True)
    """
    native = np_dtype(dtype)
    if native.kind not in "iu":
        raise ValueError(f"randint: dtype must be an integer dtype, received {native.name!r}")
    rng = _rng(seed, "randint")
    low = np.asarray(minval).astype(np.int64)
    high = np.asarray(maxval).astype(np.int64)
    return rng.integers(low, high, size=_shape(shape), dtype=np.int64).astype(native)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero entries with probability ``rate`` and scale kept ones by ``1 / (1 - rate)``.

    ``noise_shape`` (None entries take the input's size) broadcasts the keep mask.

    Example:
        >>> x = dropout(np.ones((4, 4)), 0.5, seed=np.array([0, 1], dtype="uint32"))
        >>> sorted(set(x.reshape(-1).tolist())) in ([0.0, 2.0], [2.0], [0.0])
        True
    """
    x = convert_to_tensor(inputs)
    rate = float(rate)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1], received {rate}")
    rng = _rng(seed, "dropout")
    if noise_shape is None:
        mask_shape = x.shape
    else:
        mask_shape = tuple(x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    if rate == 1.0:
        return np.zeros_like(x)
    keep = rng.random(mask_shape, dtype=FLOAT32) >= rate
    compute = FLOAT32 if x.dtype in HALF_NP else x.dtype
    scaled = x.astype(compute, copy=False) * (1.0 / (1.0 - rate))
    return np.where(keep, scaled, 0).astype(x.dtype, copy=False)


def shuffle(x, axis=0, seed=None):
    """Randomly permute ``x`` along ``axis``.

    Example:
        >>> sorted(shuffle(np.arange(5), seed=np.array([0, 1], dtype="uint32")).tolist())
        [0, 1, 2, 3, 4]
    """
    x = convert_to_tensor(x)
    rng = _rng(seed, "shuffle")
    axis = int(axis)
    return np.take(x, rng.permutation(x.shape[axis]), axis=axis)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draw ``num_samples`` class indices per row of ``logits`` (batch, classes).

    Example:
        >>> categorical(np.array([[-1e9, 0.0]]), 3,
        ...             seed=np.array([0, 1], dtype="uint32")).tolist()
        [[1, 1, 1]]
    """
    logits = convert_to_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(
            f"categorical: logits must have shape (batch, classes), received {logits.shape}"
        )
    native = np_dtype(dtype)
    rng = _rng(seed, "categorical")
    batch, classes = logits.shape
    num_samples = int(num_samples)
    gumbel = rng.gumbel(size=(batch, num_samples, classes))
    with np.errstate(invalid="ignore"):
        scores = logits.astype(np.float64)[:, None, :] + gumbel
    return np.argmax(scores, axis=-1).astype(native)
