"""Utilities: seeding, the progress bar, sessions.

Example:
    >>> import kiln
    >>> kiln.utils.set_random_seed(0)
"""

import random as _python_random

import numpy as _np

from kiln.backend import clear_session
from kiln.utils.progbar import Progbar
from kiln.utils.file_utils import get_file
from kiln.utils.py_dataset import PyDataset


def set_random_seed(seed):
    """Seed Python's, NumPy's and Kiln's global random generators.

    Example:
        >>> set_random_seed(42)
    """
    if not isinstance(seed, int):
        raise ValueError(f"set_random_seed: expected an int seed, received {seed!r}")
    _python_random.seed(seed)
    _np.random.seed(seed)
    from kiln.random.seed_generator import set_global_seed

    set_global_seed(seed)


def to_categorical(x, num_classes=None):
    """One-hot encode integer class labels as a float32 NumPy array.

    Example:
        >>> to_categorical([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    x = _np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        x = x.reshape(shape[:-1])
    if num_classes is None:
        num_classes = int(x.max()) + 1
    out = _np.zeros(x.shape + (num_classes,), dtype="float32")
    _np.put_along_axis(out, x[..., None], 1.0, axis=-1)
    return out

# Serialization helpers, exposed here too as Keras 3 does.
from kiln.saving import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from kiln.utils.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: E402
