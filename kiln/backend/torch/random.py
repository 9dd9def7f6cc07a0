"""Torch backend: stateless random ops driven by an explicit int64 seed tensor of shape (2,).

Each call builds a ``torch.Generator`` seeded from the two seed integers, so
the same seed tensor always gives the same numbers.

Example:
    >>> import torch
    >>> s = torch.tensor([1, 2])
    >>> bool((normal((3,), seed=s) == normal((3,), seed=s)).all())
    True
"""

import torch

from kiln.backend.common.variables import KerasVariable
from kiln.backend.torch.array_ops import _shape_arg, _t
from kiln.backend.torch.core import (
    FLOAT_DTYPES,
    convert_to_tensor,
    floatx_dtype,
    get_device,
    to_torch_dtype,
)

_MASK63 = (1 << 63) - 1


def _generator(seed, device):
    if seed is None:
        raise ValueError("torch random ops need a seed tensor of shape (2,), received None")
    if isinstance(seed, KerasVariable):
        seed = seed.value
    if isinstance(seed, torch.Tensor):
        values = seed.tolist()
    elif isinstance(seed, int):
        values = [seed, 0]
    else:
        values = list(seed)
    if isinstance(values, int) or len(values) != 2:
        raise ValueError(f"random: seed must have shape (2,), received {seed!r}")
    a, b = int(values[0]), int(values[1])
    mixed = ((a & 0xFFFFFFFFFFFFFFFF) * 0x9E3779B97F4A7C15 + (b & 0xFFFFFFFFFFFFFFFF)) & _MASK63
    device = torch.device(device)
    if device.type == "meta":
        device = torch.device("cpu")
    generator = torch.Generator(device=device)
    generator.manual_seed(mixed)
    return generator


def _float_dtype(dtype, op_name):
    dt = floatx_dtype() if dtype is None else to_torch_dtype(dtype)
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"{op_name}: dtype must be a float type, received {dtype!r}")
    return dt


def _sample_dtype(dt):
    # Draw half precision in float32 for CPU kernel coverage, then cast.
    return dt if dt in (torch.float32, torch.float64) else torch.float32


def _on_meta(device):
    return device.type == "meta"


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution."""
    dt = _float_dtype(dtype, "normal")
    shape = _shape_arg(shape)
    device = get_device()
    if _on_meta(device):
        return torch.empty(shape, dtype=dt, device=device)
    g = _generator(seed, device)
    x = torch.randn(shape, generator=g, dtype=_sample_dtype(dt), device=device)
    return (x * stddev + mean).to(dt)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from a uniform distribution on ``[minval, maxval)``."""
    dt = _float_dtype(dtype, "uniform")
    shape = _shape_arg(shape)
    device = get_device()
    if _on_meta(device):
        return torch.empty(shape, dtype=dt, device=device)
    g = _generator(seed, device)
    x = torch.rand(shape, generator=g, dtype=_sample_dtype(dt), device=device)
    return (x * (maxval - minval) + minval).to(dt)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples restricted to within two standard deviations of the mean."""
    dt = _float_dtype(dtype, "truncated_normal")
    shape = _shape_arg(shape)
    device = get_device()
    if _on_meta(device):
        return torch.empty(shape, dtype=dt, device=device)
    g = _generator(seed, device)
    x = torch.empty(shape, dtype=_sample_dtype(dt), device=device)
    torch.nn.init.trunc_normal_(x, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=g)
    return (x * stddev + mean).to(dt)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from ``[minval, maxval)``."""
    dt = to_torch_dtype(dtype)
    shape = _shape_arg(shape)
    device = get_device()
    if _on_meta(device):
        return torch.empty(shape, dtype=dt, device=device)
    g = _generator(seed, device)
    low = int(minval.item() if isinstance(minval, torch.Tensor) else minval)
    high = int(maxval.item() if isinstance(maxval, torch.Tensor) else maxval)
    return torch.randint(low, high, shape, generator=g, dtype=dt, device=device)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each element with probability ``rate``; scale the kept ones by ``1 / (1 - rate)``."""
    inputs = _t(inputs)
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1), received {rate}")
    if rate == 0.0:
        return inputs
    if noise_shape is None:
        noise_shape = tuple(inputs.shape)
    else:
        noise_shape = tuple(s if n is None else int(n) for n, s in zip(noise_shape, inputs.shape))
    if _on_meta(inputs.device):
        return inputs * 1.0
    keep = 1.0 - rate
    g = _generator(seed, inputs.device)
    mask = torch.rand(noise_shape, generator=g, device=inputs.device) < keep
    return torch.where(mask, inputs / keep, torch.zeros((), dtype=inputs.dtype, device=inputs.device))


def shuffle(x, axis=0, seed=None):
    """A random permutation of ``x`` along ``axis``."""
    x = _t(x)
    if _on_meta(x.device):
        return x.clone()
    g = _generator(seed, x.device)
    perm = torch.randperm(x.shape[axis], generator=g, device=x.device)
    return torch.index_select(x, axis, perm)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draw ``num_samples`` class indices per row of 2-D ``logits``."""
    logits = convert_to_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(f"categorical: logits must be 2-D (batch, classes), received shape "
                         f"{tuple(logits.shape)}")
    dt = to_torch_dtype(dtype)
    if _on_meta(logits.device):
        return torch.empty((logits.shape[0], int(num_samples)), dtype=dt, device=logits.device)
    g = _generator(seed, logits.device)
    probs = torch.softmax(logits.float(), dim=-1)
    samples = torch.multinomial(probs, int(num_samples), replacement=True, generator=g)
    return samples.to(dt)
