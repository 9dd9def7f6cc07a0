"""``Equalization``: histogram equalization of each image channel.

Example:
    >>> import kiln, numpy as np
    >>> x = np.array([[[[10.0], [10.0]], [[20.0], [30.0]]]], "float32")
    >>> kiln.ops.convert_to_numpy(kiln.layers.Equalization()(x)).ravel().tolist()
    [0.0, 0.0, 128.0, 255.0]
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer, check_value_range)
from kiln.layers.preprocessing.preprocessing_utils import check_int


class Equalization(BaseImagePreprocessingLayer):
    """Remaps each channel through its cumulative histogram so intensities spread evenly.

    As in Keras, one histogram of ``bins`` bins is taken per channel over the whole batch
    (pixels mapped to [0, 255], bin ``int(x * (bins - 1) / 255)``); the lookup table is
    ``round(255 * (cdf - cdf_min) / (n - cdf_min))`` with ``cdf_min`` the first non-zero
    cumulative count; a channel with a single occupied bin is left unchanged. The result is
    mapped back to ``value_range``. ``training=False`` returns the images unchanged.

    Args:
        value_range: (low, high) range of the input pixels.
        bins: number of histogram bins (int >= 2).
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[0.0], [0.5]], [[0.5], [1.0]]], "float32")
        >>> y = kiln.layers.Equalization(value_range=(0, 1), bins=4)(x)
        >>> [round(float(v), 3) for v in kiln.ops.convert_to_numpy(y).ravel()]
        [0.0, 0.667, 0.667, 1.0]
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        owner = f"Equalization '{self.name}'"
        self.value_range = check_value_range(owner, value_range)
        self.bins = check_int(owner, "bins", bins, minimum=2)

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        np_, core = self.backend.numpy, self.backend.core
        bins = self.bins
        low, high = self.value_range
        pixels = (images - low) * (255.0 / (high - low)) if (low, high) != (0, 255) else images
        # Channels first, each flattened over the batch and the pixels: (channels, n).
        _, _, c_axis = self._axes(images)
        by_channel = np_.moveaxis(pixels, c_axis, 0)
        channels = by_channel.shape[0]
        flat = np_.reshape(by_channel, (channels, -1))
        count = core.shape(flat)[1]
        hist_index = np_.clip(core.cast(core.cast(flat, "float32") * ((bins - 1) / 255.0), "int32"),
                              0, bins - 1)
        # Cumulative counts per channel, jit-friendly: sort the (channel, bin) keys and count
        # the keys <= each (channel, bin) pair; channel c's keys start after c * n others.
        offsets = np_.arange(channels, dtype="int32")[:, None] * bins
        keys = np_.sort(np_.reshape(hist_index + offsets, (-1,)))
        upto = np_.reshape(np_.searchsorted(keys, np_.arange(channels * bins, dtype="int32"),
                                            side="right"), (channels, bins))
        cdf = upto - np_.arange(channels, dtype="int32")[:, None] * count
        hist = cdf - np_.pad(cdf[:, :-1], [[0, 0], [1, 0]])
        occupied = np_.count_nonzero(hist, axis=1)
        cdf_min = np_.min(np_.where(cdf > 0, cdf, count), axis=1, keepdims=True)
        denominator = cdf[:, -1:] - cdf_min
        denominator = np_.where(denominator == 0, 1, denominator)
        lut = core.cast(cdf - cdf_min, "float32") * 255.0 / core.cast(denominator, "float32")
        lut = np_.clip(np_.round(lut), 0, 255)
        lookup = np_.clip(flat / 255.0 * (bins - 1), 0, bins - 1)
        lookup = core.cast(lookup, "int32") + offsets
        equalized = core.cast(np_.take(np_.reshape(lut, (-1,)), lookup), flat.dtype)
        equalized = np_.where(np_.reshape(occupied <= 1, (channels, 1)), flat, equalized)
        out = np_.moveaxis(np_.reshape(equalized, by_channel.shape if None not in by_channel.shape
                                       else core.shape(by_channel)), 0, c_axis)
        out = out * ((high - low) / 255.0) + low if (low, high) != (0, 255) else out
        return core.cast(out, images.dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("seed")
        config.update({"bins": self.bins, "value_range": list(self.value_range)})
        return config
