"""``SeedGenerator``: random-number state kept in a Kiln Variable.

A generator's state is a non-trainable variable of shape (2,). Each
:meth:`SeedGenerator.next` returns the current state and advances it by
``[0, 1]``; inside a :class:`~kiln.StatelessScope` the advance is recorded in
the scope instead of applied, so a jitted training step that draws random
numbers stays a pure function of its state.

Example:
    >>> import kiln
    >>> gen = kiln.random.SeedGenerator(42)
    >>> a = kiln.random.normal((2,), seed=gen)
    >>> b = kiln.random.normal((2,), seed=gen)   # a different draw: the state advanced
    >>> bool((kiln.ops.convert_to_numpy(a) != kiln.ops.convert_to_numpy(b)).any())
    True
"""

import random as _py_random

import numpy as np

from kiln.backend import current as _backend
from kiln.backend.common import global_state
from kiln.backend.common.scopes import name_scope
from kiln.backend.common.variables import KerasVariable

_MAX_SEED = 2**31 - 1


def make_default_seed():
    """A fresh seed from Python's random module (used when ``seed=None``).

    Example:
        >>> 0 <= make_default_seed() < 2**31
        True
    """
    return _py_random.randint(1, _MAX_SEED - 1)


def _seed_dtype():
    return _backend.core.random_seed_dtype()


class SeedGenerator:
    """Holds random state for seeded random ops: pass it as ``seed=`` to ``kiln.random`` functions.

    Args:
        seed: an int (reproducible sequence) or None (a fresh random seed).
        name: the generator's name; its state variable's path is
            ``<name>/seed_generator_state``.

    Example:
        >>> import kiln
        >>> gen = kiln.random.SeedGenerator(1337)
        >>> kiln.ops.convert_to_numpy(gen.state.value).tolist()
        [1337, 0]
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)  # accepted for Keras compatibility; the active backend is used
        if kwargs:
            raise TypeError(f"SeedGenerator: unexpected keyword arguments {sorted(kwargs)}")
        if name is None:
            name = global_state.unique_name("seed_generator")
        self.name = name
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(
                f"SeedGenerator: seed must be an int or None, received {seed!r} of type {type(seed).__name__}")
        self._initial_seed = None if seed is None else int(seed)
        seed_value = make_default_seed() if seed is None else int(seed)
        initial = np.array([seed_value, 0], dtype=_seed_dtype())
        with name_scope(self.name, caller=self):
            self.state = _backend.core.Variable(
                initial, shape=(2,), dtype=_seed_dtype(), trainable=False,
                name="seed_generator_state")

    def next(self, ordered=True):
        """Return the current state (a backend tensor of shape (2,)) and advance it by ``[0, 1]``.

        Example:
            >>> import kiln
            >>> gen = kiln.random.SeedGenerator(7)
            >>> kiln.ops.convert_to_numpy(gen.next()).tolist(), kiln.ops.convert_to_numpy(gen.next()).tolist()
            ([7, 0], [7, 1])
        """
        from kiln import ops

        # A copy: backends whose variables update in place (torch, TF) would
        # otherwise hand out the already-advanced state.
        current = ops.copy(self.state.value)
        increment = np.array([0, 1], dtype=_seed_dtype())
        self.state.assign(ops.add(current, increment))
        return current

    def get_config(self):
        """The constructor arguments: ``{"seed": ..., "name": ...}``."""
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        """Rebuild a generator from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name!r} seed={self._initial_seed}>"


_global_generator = None


def global_seed_generator():
    """The process-wide generator used when a random op gets ``seed=None``.

    Example:
        >>> isinstance(global_seed_generator(), SeedGenerator)
        True
    """
    global _global_generator
    if _global_generator is None:
        _global_generator = SeedGenerator(name="global_seed_generator")
    return _global_generator


def set_global_seed(seed):
    """Reset the process-wide generator to ``seed`` (used by ``kiln.utils.set_random_seed``).

    Example:
        >>> set_global_seed(3)
        >>> global_seed_generator().get_config()["seed"]
        3
    """
    global _global_generator
    _global_generator = SeedGenerator(seed, name="global_seed_generator")


def draw_seed(seed):
    """Turn a ``seed`` argument into the backend seed tensor (shape (2,)) random functions take.

    ``None`` draws from the process-wide generator, an int gives ``[seed, 0]``,
    a :class:`SeedGenerator` gives its :meth:`~SeedGenerator.next` state, and a
    backend tensor of shape (2,) is returned as is.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(draw_seed(5)).tolist()
        [5, 0]
    """
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return global_seed_generator().next()
    if isinstance(seed, (bool, np.bool_)):
        raise ValueError(f"seed must be None, an int or a SeedGenerator, received {seed!r}")
    if isinstance(seed, (int, np.integer)):
        return _backend.core.convert_to_tensor(np.array([int(seed), 0], dtype=_seed_dtype()),
                                               dtype=_seed_dtype())
    if isinstance(seed, KerasVariable):
        seed = seed.value
    if _backend.core.is_tensor(seed) and tuple(_backend.core.shape(seed)) == (2,):
        return seed
    raise ValueError(
        "seed must be None, an int, a kiln.random.SeedGenerator or a seed tensor of shape (2,), "
        f"received {seed!r} of type {type(seed).__name__}")
