"""Backend-neutral runtime: dtypes, Variable base, KerasTensor, scopes, naming."""

from kiln.backend.common import dtypes
from kiln.backend.common.dtypes import result_type, standardize_dtype
from kiln.backend.common.keras_tensor import KerasTensor, is_keras_tensor
from kiln.backend.common.scopes import (
    StatelessScope,
    SymbolicScope,
    current_path,
    get_stateless_scope,
    in_stateless_scope,
    in_symbolic_scope,
    name_scope,
)
from kiln.backend.common.variables import KerasVariable
