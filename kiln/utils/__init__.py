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
from kiln.utils.numerical_utils import normalize, to_categorical  # noqa: E402
from kiln.utils.sequence_utils import pad_sequences  # noqa: E402
from kiln.utils.config import Config  # noqa: E402
from kiln.utils.io_utils import (  # noqa: E402
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from kiln.backend.common.keras_tensor import is_keras_tensor  # noqa: E402
from kiln.backend.common.dtypes import standardize_dtype  # noqa: E402
from kiln.utils.graph_utils import get_source_inputs  # noqa: E402
from kiln.utils.batch_utils import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: E402
from kiln.utils import legacy  # noqa: E402
from kiln.utils.timeseries_dataset_utils import timeseries_dataset_from_array  # noqa: E402
from kiln.utils.image_dataset_utils import image_dataset_from_directory  # noqa: E402
from kiln.utils.dataset_utils import split_dataset  # noqa: E402
from kiln.utils.text_dataset_utils import text_dataset_from_directory  # noqa: E402
from kiln.utils.audio_dataset_utils import audio_dataset_from_directory  # noqa: E402
from kiln.utils import bounding_boxes  # noqa: E402
