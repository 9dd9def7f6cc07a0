"""Random sampling functions (``kiln.random``).

``seed`` may be None (draw from the process-wide generator), an int (the same
int always gives the same numbers) or a :class:`~kiln.random.SeedGenerator`
(each call draws a new seed from it).

Example:
    >>> import kiln
    >>> a = kiln.random.uniform((3,), seed=1)
    >>> b = kiln.random.uniform((3,), seed=1)
    >>> bool((kiln.ops.convert_to_numpy(a) == kiln.ops.convert_to_numpy(b)).all())
    True
"""

from kiln.backend import current as _backend
from kiln.random.seed_generator import draw_seed

_random = _backend.random


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution with the given mean and standard deviation.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.random.normal((2, 3), seed=0))
        (2, 3)
    """
    return _random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=draw_seed(seed))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples uniformly from ``[minval, maxval)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_numpy(kiln.random.uniform((100,), 2.0, 3.0, seed=0))
        >>> bool(((x >= 2.0) & (x < 3.0)).all())
        True
    """
    return _random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=draw_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of the mean.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_numpy(kiln.random.truncated_normal((100,), seed=0))
        >>> bool((abs(x) <= 2.0).all())
        True
    """
    return _random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype,
                                    seed=draw_seed(seed))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Random integers in ``[minval, maxval)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_numpy(kiln.random.randint((50,), 0, 3, seed=0))
        >>> sorted(set(x.tolist())) == [0, 1, 2]
        True
    """
    return _random.randint(shape, minval, maxval, dtype=dtype, seed=draw_seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each entry with probability ``rate`` and scale the others by ``1 / (1 - rate)``.

    Example:
        >>> import kiln
        >>> y = kiln.ops.convert_to_numpy(kiln.random.dropout(kiln.ops.ones((1000,)), 0.5, seed=0))
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
    """
    return _random.dropout(inputs, rate, noise_shape=noise_shape, seed=draw_seed(seed))


def shuffle(x, axis=0, seed=None):
    """Randomly permute ``x`` along ``axis``.

    Example:
        >>> import kiln
        >>> sorted(kiln.ops.convert_to_numpy(kiln.random.shuffle([1, 2, 3], seed=0)).tolist())
        [1, 2, 3]
    """
    return _random.shuffle(x, axis=axis, seed=draw_seed(seed))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draw ``num_samples`` class indices per row of ``logits`` (unnormalized log-probabilities).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.random.categorical([[0.0, 0.0]], 5, seed=0))
        (1, 5)
    """
    return _random.categorical(logits, num_samples, dtype=dtype, seed=draw_seed(seed))
