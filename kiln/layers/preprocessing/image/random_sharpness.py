"""``RandomSharpness``: blend images with a smoothed copy, from blurred to over-sharpened.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomSharpness(0.5, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseFactorLayer


class RandomSharpness(BaseFactorLayer):
    """``smooth + 2 f (x - smooth)`` per image, ``f`` drawn from ``factor``, clipped to the range.

    ``smooth`` filters each channel with ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13``
    and keeps the border pixels. ``f = 0`` gives the smoothed image, 0.5 the
    original and 1 a sharpened one.

    Args:
        factor: a float in [0, 1] (``f`` in ``[0, factor]``) or a pair
            ``(lower, upper)`` inside [0, 1].
        value_range: (low, high) of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.zeros((3, 3, 1), "float32"); x[1, 1] = 13.0
        >>> out = kiln.layers.RandomSharpness((0.0, 0.0))(x)  # fully smoothed centre
        >>> float(kiln.ops.convert_to_numpy(out)[1, 1, 0])
        5.0
    """

    def _smooth(self, x):
        np_ = self.backend.numpy
        h_axis, w_axis, _ = self._axes(x)
        height, width = self._hw(x)
        pad = [[0, 0]] * len(x.shape)
        pad[h_axis] = [1, 1]
        pad[w_axis] = [1, 1]
        padded = np_.pad(x, pad)
        total = None
        for i in range(3):
            rows = np_.take(padded, np_.arange(height) + i, axis=h_axis)
            for j in range(3):
                window = np_.take(rows, np_.arange(width) + j, axis=w_axis)
                weight = 5.0 if (i, j) == (1, 1) else 1.0
                total = window * weight if total is None else total + window * weight
        smooth = total / 13.0
        # Border pixels keep their values.
        inner_rows = np_.logical_and(np_.arange(height) > 0, np_.arange(height) < height - 1)
        inner_cols = np_.logical_and(np_.arange(width) > 0, np_.arange(width) < width - 1)
        inner = np_.logical_and(np_.expand_dims(inner_rows, 1), np_.expand_dims(inner_cols, 0))
        inner = np_.expand_dims(inner, -1) if self.data_format == "channels_last" else inner
        return np_.where(inner, smooth, x)

    def _adjust(self, x, transformation, images):
        smooth = self._smooth(x)
        factor = self._per_image(transformation["factor"], images) * 2.0
        return smooth + factor * (x - smooth)
