"""Random initializers: normal, uniform, truncated normal, variance scaling, orthogonal.

``seed`` may be an int, None or a ``kiln.random.SeedGenerator``.

- An int seed gives the SAME values on every backend and on every call: the
  samples are drawn on the host by NumPy's counter-based Philox generator
  (``np.random.Generator(np.random.Philox(seed))``), in float64, then cast to
  the requested dtype and converted to a tensor. (Each backend's own random
  kernels differ — JAX's threefry, torch's and TF's Philox streams — so
  drawing on the host is what makes a seeded model identical everywhere.)
- None picks a random int once, at construction: an instance repeats its
  values on every call (as in Keras), and two unseeded instances differ.
- A ``SeedGenerator`` draws with the backend's random ops and advances its
  state, so each call gives new values (backend-specific).

``get_config`` keeps the seed as passed (None stays None).

Example:
    >>> import kiln, numpy as np
    >>> init = RandomUniform(minval=0.0, maxval=1.0, seed=3)
    >>> values = kiln.ops.convert_to_numpy(init((4,)))
    >>> bool(((values >= 0) & (values < 1)).all())
    True
    >>> golden = np.random.Generator(np.random.Philox(3)).uniform(0.0, 1.0, (4,))
    >>> bool(np.allclose(values, golden))
    True
"""

import math

import numpy as np

from kiln import ops
from kiln.backend.common import dtypes
from kiln.initializers.initializer import Initializer

# Standard deviation of a unit normal truncated to [-2, 2]; dividing by it gives the
# truncated distribution the requested standard deviation.
_TRUNCATED_STDDEV_FACTOR = 0.87962566103423978


def _kiln_random():
    from kiln import random

    return random


def host_generator(seed):
    """The NumPy generator an int ``seed`` stands for (the same on every backend).

    Example:
        >>> float(host_generator(0).standard_normal()) == float(host_generator(0).standard_normal())
        True
    """
    # Philox takes non-negative seeds; a negative one maps to its 64-bit two's complement.
    return np.random.Generator(np.random.Philox(int(seed) % 2**64))


def _to_tensor(values, dtype):
    """Host float64 samples -> a tensor of ``dtype`` (via float32 unless float64 is asked for)."""
    host_dtype = np.float64 if dtype == "float64" else np.float32
    tensor = ops.convert_to_tensor(np.asarray(values, dtype=host_dtype))
    return tensor if dtype in ("float32", "float64") else ops.cast(tensor, dtype)


def _host_truncated_normal(rng, shape):
    """Standard normal samples, each one outside [-2, 2] redrawn until none is left."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values


def _draw(kind, shape, dtype, seed, a, b):
    """``kind`` in normal (mean a, stddev b), truncated_normal (a, b) or uniform [a, b)."""
    if not isinstance(seed, int):
        random = _kiln_random()
        if kind == "normal":
            return random.normal(shape, mean=a, stddev=b, dtype=dtype, seed=seed)
        if kind == "truncated_normal":
            return random.truncated_normal(shape, mean=a, stddev=b, dtype=dtype, seed=seed)
        return random.uniform(shape, minval=a, maxval=b, dtype=dtype, seed=seed)
    rng = host_generator(seed)
    if kind == "normal":
        values = a + b * rng.standard_normal(shape)
    elif kind == "truncated_normal":
        values = a + b * _host_truncated_normal(rng, shape)
    else:
        values = a + (b - a) * rng.random(shape)
    return _to_tensor(values, dtype)


class RandomInitializer(Initializer):
    """Base of seeded initializers: resolves and stores ``seed`` at construction."""

    def __init__(self, seed=None):
        from kiln.random.seed_generator import SeedGenerator, make_default_seed

        self._init_seed = seed
        if seed is None:
            seed = make_default_seed()
        elif isinstance(seed, dict):
            from kiln.saving import serialization_lib

            seed = serialization_lib.deserialize_kiln_object(seed)
        elif isinstance(seed, bool) or not isinstance(seed, (int, SeedGenerator)):
            raise ValueError(
                f"{type(self).__name__}: seed must be an int, None or a kiln.random.SeedGenerator; "
                f"received {seed!r}"
            )
        self.seed = seed

    def get_config(self):
        from kiln.saving import serialization_lib

        return {"seed": serialization_lib.serialize_kiln_object(self._init_seed)}


def _float_dtype(dtype, name):
    dtype = dtypes.standardize_dtype(dtype)
    if not dtypes.is_float(dtype):
        raise ValueError(f"{name}: expected a floating dtype, received dtype={dtype!r}")
    return dtype


class RandomNormal(RandomInitializer):
    """Samples from a normal distribution ``N(mean, stddev**2)``.

    Example:
        >>> RandomNormal(stddev=1.0, seed=1).get_config()
        {'seed': 1, 'mean': 0.0, 'stddev': 1.0}
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return _draw("normal", tuple(shape), _float_dtype(dtype, "RandomNormal"), self.seed,
                     self.mean, self.stddev)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal samples redrawn when further than two ``stddev`` from ``mean``.

    Example:
        >>> import kiln
        >>> v = kiln.ops.convert_to_numpy(TruncatedNormal(stddev=1.0, seed=0)((1000,)))
        >>> bool(abs(v).max() <= 2.0)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return _draw("truncated_normal", tuple(shape), _float_dtype(dtype, "TruncatedNormal"),
                     self.seed, self.mean, self.stddev)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples uniformly from ``[minval, maxval)``.

    Example:
        >>> RandomUniform().get_config()
        {'seed': None, 'minval': -0.05, 'maxval': 0.05}
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return _draw("uniform", tuple(shape), _float_dtype(dtype, "RandomUniform"), self.seed,
                     self.minval, self.maxval)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """Number of input and output units of a weight of ``shape``.

    By default the last axis holds the outputs, the one before it the inputs,
    and any leading axes are a receptive field (convolution kernels) that
    multiplies both. ``input_axes`` / ``output_axes`` name the axes explicitly;
    the remaining axes are then the receptive field.

    Example:
        >>> compute_fans((3, 3, 4, 8))
        (36, 72)
    """
    shape = tuple(int(d) for d in shape)
    if input_axes is not None or output_axes is not None:
        ndim = len(shape)
        ins = [a % ndim for a in _as_axes(input_axes if input_axes is not None else [-2])]
        outs = [a % ndim for a in _as_axes(output_axes if output_axes is not None else [-1])]
        receptive = math.prod(d for i, d in enumerate(shape) if i not in ins and i not in outs)
        return (math.prod(shape[i] for i in ins) * receptive,
                math.prod(shape[i] for i in outs) * receptive)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _as_axes(axes):
    return [int(axes)] if isinstance(axes, int) else [int(a) for a in axes]


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's fan-in/fan-out.

    With a normal distribution the standard deviation (after truncation for
    ``"truncated_normal"``) is ``sqrt(scale / n)``; with ``"uniform"`` samples lie
    in ``[-limit, limit]``, ``limit = sqrt(3 * scale / n)``. ``n`` is the fan-in,
    the fan-out or their average depending on ``mode``.

    Args:
        scale: positive scaling factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``
            (``"normal"`` means ``"truncated_normal"``).
        seed: int, None or SeedGenerator.
        input_axes, output_axes: optional axes holding the input/output units.

    Example:
        >>> VarianceScaling(scale=2.0, mode="fan_out").get_config()["mode"]
        'fan_out'
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or scale <= 0.0:
            raise ValueError(f"{type(self).__name__}: scale must be a positive float, received scale={scale!r}")
        mode = str(mode).lower()
        if mode not in self._MODES:
            raise ValueError(f"{type(self).__name__}: mode must be one of {self._MODES}, received mode={mode!r}")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(
                f"{type(self).__name__}: distribution must be one of {self._DISTRIBUTIONS}, "
                f"received distribution={distribution!r}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = list(_as_axes(input_axes)) if input_axes is not None else None
        self.output_axes = list(_as_axes(output_axes)) if output_axes is not None else None
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype, type(self).__name__)
        shape = tuple(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        if self.mode == "fan_in":
            n = fan_in
        elif self.mode == "fan_out":
            n = fan_out
        else:
            n = (fan_in + fan_out) / 2.0
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV_FACTOR
            return _draw("truncated_normal", shape, dtype, self.seed, 0.0, stddev)
        if self.distribution == "untruncated_normal":
            return _draw("normal", shape, dtype, self.seed, 0.0, math.sqrt(scale))
        limit = math.sqrt(3.0 * scale)
        return _draw("uniform", shape, dtype, self.seed, -limit, limit)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config(), "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset; its config is only the seed and axes."""

    _SCALE = 1.0
    _MODE = "fan_in"
    _DISTRIBUTION = "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=self._SCALE, mode=self._MODE, distribution=self._DISTRIBUTION,
                         seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        from kiln.saving import serialization_lib

        return {"seed": serialization_lib.serialize_kiln_object(self._init_seed),
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``.

    Example:
        >>> GlorotUniform().get_config()
        {'seed': None, 'input_axes': None, 'output_axes': None}
    """

    _MODE, _DISTRIBUTION = "fan_avg", "uniform"


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``.

    Example:
        >>> import kiln
        >>> w = kiln.ops.convert_to_numpy(GlorotNormal(seed=0)((100, 100)))
        >>> bool(abs(w.std() - 0.1) < 0.01)
        True
    """

    _MODE, _DISTRIBUTION = "fan_avg", "truncated_normal"


class LecunUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``.

    Example:
        >>> import kiln
        >>> w = kiln.ops.convert_to_numpy(LecunUniform(seed=0)((12, 5)))
        >>> bool(abs(w).max() <= 0.5)
        True
    """

    _MODE, _DISTRIBUTION = "fan_in", "uniform"


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(1 / fan_in)``.

    Example:
        >>> import kiln
        >>> w = kiln.ops.convert_to_numpy(LecunNormal(seed=0)((400, 50)))
        >>> bool(abs(w.std() - 0.05) < 0.005)
        True
    """

    _MODE, _DISTRIBUTION = "fan_in", "truncated_normal"


class HeUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``.

    Example:
        >>> import kiln
        >>> w = kiln.ops.convert_to_numpy(HeUniform(seed=0)((24, 5)))
        >>> bool(abs(w).max() <= 0.5)
        True
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "uniform"


class HeNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / fan_in)``.

    Example:
        >>> import kiln
        >>> w = kiln.ops.convert_to_numpy(HeNormal(seed=0)((200, 50)))
        >>> bool(abs(w.std() - 0.1) < 0.01)
        True
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``, reshaped to ``shape`` (rank >= 2).

    The trailing axis is the columns, the others are flattened into rows. The
    matrix comes from the QR decomposition of a normal sample (computed on the
    host, so call it eagerly, as layers do when they build).

    Example:
        >>> import kiln, numpy as np
        >>> q = kiln.ops.convert_to_numpy(Orthogonal(seed=0)((4, 4)))
        >>> bool(np.allclose(q @ q.T, np.eye(4), atol=1e-5))
        True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype, "Orthogonal")
        shape = tuple(int(d) for d in shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal initializer: expected a shape of rank >= 2, received shape={shape}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        sample_shape = (max(rows, cols), min(rows, cols))
        if isinstance(self.seed, int):
            a = host_generator(self.seed).standard_normal(sample_shape)
        else:
            sample = _kiln_random().normal(sample_shape, dtype="float32", seed=self.seed)
            a = np.asarray(ops.convert_to_numpy(sample), dtype=np.float64)
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return _to_tensor((self.gain * q).reshape(shape), dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
