"""``kiln.random``: seeded random sampling that works eagerly and inside compiled steps.

Example:
    >>> import kiln
    >>> kiln.ops.shape(kiln.random.normal((2,), seed=kiln.random.SeedGenerator(0)))
    (2,)
"""

from kiln.random.random import (  # noqa: F401
    categorical,
    dropout,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from kiln.random.seed_generator import SeedGenerator, draw_seed  # noqa: F401
