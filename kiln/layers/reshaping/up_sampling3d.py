"""``UpSampling3D``: repeats the voxels of volumes along the three spatial axes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.UpSampling3D()(kiln.ops.ones((1, 1, 2, 3, 4))).shape)
    (1, 2, 4, 6, 4)
"""

from kiln.layers.reshaping.base_up_sampling import BaseUpSampling


class UpSampling3D(BaseUpSampling):
    """Repeats each voxel ``size = (d, h, w)`` times along the spatial axes.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.UpSampling3D((1, 2, 3))(kiln.KerasTensor((None, 2, 2, 2, 1))).shape)
        (None, 2, 4, 6, 1)
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format, **kwargs)
