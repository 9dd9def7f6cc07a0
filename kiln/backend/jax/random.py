"""JAX backend random ops: each ``seed`` is a raw ``uint32[2]`` PRNG key.

The same seed array always gives the same numbers, and the functions work
under ``jax.jit`` (the seed may be traced).

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import random
    >>> seed = jnp.array([0, 42], dtype="uint32")
    >>> bool((random.normal((3,), seed=seed) == random.normal((3,), seed=seed)).all())
    True
"""

import jax
import jax.numpy as jnp

from kiln.backend.common.variables import KerasVariable
from kiln.backend.jax.core import _ArrayType, convert_to_tensor, native_dtype, to_float


def _key(seed, op_name):
    if isinstance(seed, KerasVariable):
        seed = seed.value
    if seed is None:
        raise ValueError(f"random.{op_name}: seed must be a uint32 tensor of shape (2,), received None")
    if isinstance(seed, int):
        return jax.random.PRNGKey(seed)
    if not isinstance(seed, _ArrayType):
        seed = convert_to_tensor(seed)
    if seed.shape != (2,):
        raise ValueError(
            f"random.{op_name}: seed must be a tensor of shape (2,), received shape {seed.shape}"
        )
    if seed.dtype != jnp.uint32:
        seed = seed.astype(jnp.uint32)
    return seed


def _shape(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def _float_dtype(dtype, op_name):
    dtype = native_dtype(dtype)
    if not jnp.issubdtype(dtype, jnp.floating):
        raise ValueError(f"random.{op_name}: dtype must be a float dtype, received {dtype}")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, "normal")
    sample = jax.random.normal(_key(seed, "normal"), _shape(shape), dtype=dtype)
    return sample * jnp.asarray(stddev, dtype) + jnp.asarray(mean, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, "uniform")
    return jax.random.uniform(_key(seed, "uniform"), _shape(shape), dtype=dtype,
                              minval=jnp.asarray(minval, dtype), maxval=jnp.asarray(maxval, dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, "truncated_normal")
    sample = jax.random.truncated_normal(_key(seed, "truncated_normal"), -2.0, 2.0, _shape(shape),
                                         dtype=dtype)
    return sample * jnp.asarray(stddev, dtype) + jnp.asarray(mean, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = native_dtype(dtype)
    if not jnp.issubdtype(dtype, jnp.integer):
        raise ValueError(f"random.randint: dtype must be an integer dtype, received {dtype}")
    return jax.random.randint(_key(seed, "randint"), _shape(shape), minval, maxval, dtype=dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero entries with probability ``rate``; scale the rest by ``1 / (1 - rate)``."""
    inputs = to_float(inputs)
    if noise_shape is None:
        noise_shape = inputs.shape
    else:
        noise_shape = tuple(inputs.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = 1.0 - rate
    mask = jax.random.bernoulli(_key(seed, "dropout"), keep, noise_shape)
    mask = jnp.broadcast_to(mask, inputs.shape)
    return jnp.where(mask, inputs / jnp.asarray(keep, inputs.dtype), jnp.zeros_like(inputs))


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    return jax.random.permutation(_key(seed, "shuffle"), x, axis=axis, independent=False)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draw ``num_samples`` class indices per row of ``logits`` (batch, classes)."""
    logits = to_float(logits)
    if logits.ndim != 2:
        raise ValueError(
            f"random.categorical: logits must have shape (batch, classes), received {logits.shape}"
        )
    samples = jax.random.categorical(_key(seed, "categorical"), logits, axis=-1,
                                     shape=(int(num_samples), logits.shape[0]))
    return jnp.transpose(samples).astype(native_dtype(dtype))
