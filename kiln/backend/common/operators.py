"""Python operators (``+``, ``@``, ``<``...) for tensor-like Kiln objects, routed through ``kiln.ops``.

Variables and KerasTensors share these, so ``variable + 1`` and
``keras_tensor + 1`` promote dtypes (and build graph nodes) exactly like
``kiln.ops.add``. A class using the mixin defines ``_operand()``: the value
the operator works on.

Example:
    >>> import kiln
    >>> (kiln.KerasTensor((None, 2)) * 2).shape
    (None, 2)
"""

_ops_module = None


def ops():
    """``kiln.ops``, imported on first use because ops sit above the backend layer."""
    global _ops_module
    if _ops_module is None:
        from kiln import ops as module

        _ops_module = module
    return _ops_module


class TensorOperators:
    """Mixin giving arithmetic, comparison and logical operators via ``kiln.ops``."""

    __slots__ = ()

    def _operand(self):
        raise NotImplementedError

    def __getitem__(self, key):
        return ops().get_item(self._operand(), key)

    def __neg__(self):
        return ops().negative(self._operand())

    def __pos__(self):
        return self._operand()

    def __abs__(self):
        return ops().abs(self._operand())

    def __invert__(self):
        return ops().logical_not(self._operand())

    def __add__(self, other):
        return ops().add(self._operand(), other)

    def __radd__(self, other):
        return ops().add(other, self._operand())

    def __sub__(self, other):
        return ops().subtract(self._operand(), other)

    def __rsub__(self, other):
        return ops().subtract(other, self._operand())

    def __mul__(self, other):
        return ops().multiply(self._operand(), other)

    def __rmul__(self, other):
        return ops().multiply(other, self._operand())

    def __truediv__(self, other):
        return ops().true_divide(self._operand(), other)

    def __rtruediv__(self, other):
        return ops().true_divide(other, self._operand())

    def __floordiv__(self, other):
        return ops().floor_divide(self._operand(), other)

    def __rfloordiv__(self, other):
        return ops().floor_divide(other, self._operand())

    def __mod__(self, other):
        return ops().mod(self._operand(), other)

    def __rmod__(self, other):
        return ops().mod(other, self._operand())

    def __pow__(self, other):
        return ops().power(self._operand(), other)

    def __rpow__(self, other):
        return ops().power(other, self._operand())

    def __matmul__(self, other):
        return ops().matmul(self._operand(), other)

    def __rmatmul__(self, other):
        return ops().matmul(other, self._operand())

    def __eq__(self, other):
        return ops().equal(self._operand(), other)

    def __ne__(self, other):
        return ops().not_equal(self._operand(), other)

    def __lt__(self, other):
        return ops().less(self._operand(), other)

    def __le__(self, other):
        return ops().less_equal(self._operand(), other)

    def __gt__(self, other):
        return ops().greater(self._operand(), other)

    def __ge__(self, other):
        return ops().greater_equal(self._operand(), other)

    def __and__(self, other):
        return ops().logical_and(self._operand(), other)

    def __or__(self, other):
        return ops().logical_or(self._operand(), other)

    def __hash__(self):
        return id(self)
