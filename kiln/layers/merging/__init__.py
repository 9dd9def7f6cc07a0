"""Merging layers' functional forms (add, concatenate...) and Dot / ``dot``.

The merging classes (Add, Concatenate...) are imported by kiln.layers itself.
"""

from kiln.layers.merging.dot import Dot, dot
from kiln.layers.merging.functional import (
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)

__all__ = ["Dot", "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply",
           "subtract"]
