"""Merging layers (Add, Concatenate... live in kiln.layers' own imports); Dot and ``dot``."""

from kiln.layers.merging.dot import Dot, dot

__all__ = ["Dot", "dot"]
