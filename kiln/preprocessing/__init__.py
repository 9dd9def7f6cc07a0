"""``keras.preprocessing``: the dataset-building and image/sequence helpers under their older home.

Every name here is the same object as in ``kiln.utils``.

Example:
    >>> import kiln
    >>> kiln.preprocessing.sequence.pad_sequences([[1, 2], [3]]).tolist()
    [[1, 2], [0, 3]]
"""

from kiln.preprocessing import image, sequence
from kiln.utils.image_dataset_utils import image_dataset_from_directory
from kiln.utils.text_dataset_utils import text_dataset_from_directory
from kiln.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = ["image", "sequence", "image_dataset_from_directory", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
