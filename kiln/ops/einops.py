"""Einstein-notation array rearrangement (``kiln.ops.rearrange``), in the style of einops.

Example:
    >>> import kiln
    >>> kiln.ops.rearrange(kiln.ops.zeros((2, 3)), "a b -> b a").shape
    (3, 2)
"""

from kiln.ops.operation import op  # noqa: F401

__all__ = []
