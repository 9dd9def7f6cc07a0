"""Random initializers: normal, uniform, truncated normal, variance scaling, orthogonal.

``seed`` may be an int, None or a ``kiln.random.SeedGenerator``. With an int or
None the initializer draws the same values on every call (None picks a random
int once, at construction, so the initializer stays usable inside jitted
code); a SeedGenerator gives new values on each call. ``get_config`` keeps the
seed as passed (None stays None).

Example:
    >>> import kiln
    >>> init = RandomUniform(minval=0.0, maxval=1.0, seed=3)
    >>> values = kiln.ops.convert_to_numpy(init((4,)))
    >>> bool(((values >= 0) & (values < 1)).all())
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
        return _kiln_random().normal(tuple(shape), mean=self.mean, stddev=self.stddev,
                                     dtype=_float_dtype(dtype, "RandomNormal"), seed=self.seed)

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
        return _kiln_random().truncated_normal(
            tuple(shape), mean=self.mean, stddev=self.stddev,
            dtype=_float_dtype(dtype, "TruncatedNormal"), seed=self.seed)

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
        return _kiln_random().uniform(tuple(shape), minval=self.minval, maxval=self.maxval,
                                      dtype=_float_dtype(dtype, "RandomUniform"), seed=self.seed)

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
        random = _kiln_random()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV_FACTOR
            return random.truncated_normal(shape, mean=0.0, stddev=stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random.normal(shape, mean=0.0, stddev=math.sqrt(scale), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

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
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``."""

    _MODE, _DISTRIBUTION = "fan_avg", "truncated_normal"


class LecunUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""

    _MODE, _DISTRIBUTION = "fan_in", "uniform"


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(1 / fan_in)``."""

    _MODE, _DISTRIBUTION = "fan_in", "truncated_normal"


class HeUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``."""

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "uniform"


class HeNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / fan_in)``."""

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
        sample = _kiln_random().normal((max(rows, cols), min(rows, cols)), dtype="float32",
                                       seed=self.seed)
        a = np.asarray(ops.convert_to_numpy(sample), dtype=np.float64)
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return ops.convert_to_tensor((self.gain * q).reshape(shape), dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
