"""``AutoContrast``: stretch each image channel so its darkest pixel maps to the low end of
``value_range`` and its brightest to the high end.

Example:
    >>> import kiln, numpy as np
    >>> x = np.array([[[[50.0], [100.0]], [[150.0], [75.0]]]], "float32")
    >>> kiln.ops.convert_to_numpy(kiln.layers.AutoContrast()(x)).ravel().tolist()
    [0.0, 127.5, 255.0, 63.75]
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer, check_value_range)


class AutoContrast(BaseImagePreprocessingLayer):
    """Per image and channel: ``(x - min) / (max - min)`` rescaled onto ``value_range``.

    Applied in training and inference alike. A constant channel (``max == min``) is left
    unchanged. Outputs are in the layer's compute dtype.

    Args:
        value_range: (low, high) range of the input pixels, e.g. ``(0, 255)`` or ``(0, 1)``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``data_format``...).

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[0.2], [0.4]], [[0.3], [0.6]]], "float32")  # one image, unbatched
        >>> y = kiln.layers.AutoContrast(value_range=(0, 1))(x)
        >>> np.round(kiln.ops.convert_to_numpy(y).ravel(), 3).tolist()
        [0.0, 0.5, 0.25, 1.0]
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = check_value_range(f"AutoContrast '{self.name}'", value_range)

    def transform_images(self, images, transformation, training=True):
        np_ = self.backend.numpy
        h_axis, w_axis, _ = self._axes(images)
        low = np_.min(images, axis=(h_axis, w_axis), keepdims=True)
        high = np_.max(images, axis=(h_axis, w_axis), keepdims=True)
        span = high - low
        flat = np_.equal(span, 0)
        scale = (self.value_range[1] - self.value_range[0]) / np_.where(flat, np_.ones_like(span), span)
        stretched = np_.clip((images - low) * scale + self.value_range[0], self.value_range[0],
                             self.value_range[1])
        # Cast back: Python-float arithmetic may widen half precision on some backends.
        return self.backend.core.cast(np_.where(flat, images, stretched), images.dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("seed")
        config["value_range"] = list(self.value_range)
        return config
