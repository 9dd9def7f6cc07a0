"""The JAX backend: Kiln's ops on ``jax.numpy``/``jax.lax``, tensors are ``jax.Array``.

Variables hold a ``jax.Array`` and can be read inside ``jax.jit`` through
``StatelessScope``; random ops take raw ``uint32[2]`` PRNG keys as seeds, and
every op here traces under ``jax.jit`` (shapes are static, no Python branching
on values). 64-bit dtypes narrow to 32-bit unless ``jax_enable_x64`` is set.
"""

NAME = "jax"

from kiln.backend.jax import core, array_ops, array_math, array_stats, array_shape, nn, math, linalg, image, random, rnn, trainer, optimizer, layer, distribution, export  # noqa: E402,F401

import sys as _sys  # noqa: E402

from kiln.backend import interface as _interface  # noqa: E402

# "module.function" -> reason, for the functions that raise NotImplementedError here
# (each module lists its own in UNSUPPORTED; tests/backend/test_interface.py checks them).
UNSUPPORTED_REASONS = _interface.unsupported_functions(_sys.modules[__name__])
UNSUPPORTED = frozenset(UNSUPPORTED_REASONS)
