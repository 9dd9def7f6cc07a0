"""The JAX backend: Kiln's ops on ``jax.numpy``/``jax.lax``, tensors are ``jax.Array``.

Variables hold a ``jax.Array`` and can be read inside ``jax.jit`` through
``StatelessScope``; random ops take raw ``uint32[2]`` PRNG keys as seeds, and
every op here traces under ``jax.jit`` (shapes are static, no Python branching
on values). 64-bit dtypes narrow to 32-bit unless ``jax_enable_x64`` is set.
"""

NAME = "jax"

from kiln.backend.jax import core, array_ops, nn, math, linalg, image, random, rnn, trainer, optimizer, layer, distribution, export  # noqa: E402,F401

# "module.function" names that raise NotImplementedError on this backend.
UNSUPPORTED = frozenset({"export.export_model"})
