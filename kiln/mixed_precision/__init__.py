"""Mixed precision (``kiln.mixed_precision``): dtype policies and the loss-scaling optimizer.

``set_dtype_policy("mixed_float16")`` (or ``"mixed_bfloat16"``) makes layers
created afterwards compute in 16 bits while keeping float32 weights; wrap the
optimizer in :class:`LossScaleOptimizer` with float16 so small gradients do not
underflow. ``Policy``, ``global_policy`` and ``set_global_policy`` are the
same objects under their older names.

Example:
    >>> from kiln import mixed_precision
    >>> mixed_precision.set_dtype_policy("mixed_float16")
    >>> mixed_precision.dtype_policy().compute_dtype
    'float16'
    >>> mixed_precision.set_global_policy("float32")
    >>> mixed_precision.global_policy().name
    'float32'
"""

from kiln.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from kiln.optimizers import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "Policy", "LossScaleOptimizer", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
