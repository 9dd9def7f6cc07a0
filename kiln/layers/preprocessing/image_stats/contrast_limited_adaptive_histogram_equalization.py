"""``ContrastLimitedAdaptiveHistogramEqualization`` (CLAHE): histogram equalization per tile
with clipped histograms, blended bilinearly between neighbouring tiles.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))
    >>> x = np.random.default_rng(0).uniform(80, 120, (1, 8, 8, 1)).astype("float32")
    >>> y = kiln.ops.convert_to_numpy(layer(x))
    >>> bool(y.max() - y.min() > x.max() - x.min())
    True
"""

import numbers

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer, check_value_range)

_LEVELS = 256


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    """CLAHE with Keras 3's arithmetic, on pixels mapped to [0, 255]:

    1. the image is cut into ``tile_grid_size`` tiles of ``ceil(H / rows)`` by
       ``ceil(W / cols)`` pixels (the bottom/right border mirrored to fill the last tiles);
    2. each tile and channel gets a 256-bin histogram of ``int(x)``; with ``clip_limit > 0``
       bins above ``clip_limit * tile_pixels / 256`` are cut and the excess spread evenly;
    3. its table is ``clip(255 * (cdf - cdf[0]) / (tile_pixels - cdf[0]), 0, 255)``;
    4. each pixel's value is the bilinear blend of the tables of the four tiles whose
       centres surround it (edge tiles replicated), then mapped back to ``value_range``.

    Applied in training and inference alike; outputs are in the compute dtype.

    Args:
        value_range: (low, high) range of the input pixels.
        clip_limit: float >= 0; 0 turns the clipping off (plain adaptive equalization).
        tile_grid_size: (rows, cols) of tiles, positive ints.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> layer = kiln.layers.ContrastLimitedAdaptiveHistogramEqualization(
        ...     value_range=(0, 1), tile_grid_size=(1, 1), clip_limit=0.0)
        >>> x = np.array([[[0.0], [0.5]], [[0.5], [1.0]]], "float32")
        >>> [round(float(v), 3) for v in kiln.ops.convert_to_numpy(layer(x)).ravel()]
        [0.0, 0.667, 0.667, 1.0]
    """

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        owner = f"ContrastLimitedAdaptiveHistogramEqualization '{self.name}'"
        self.value_range = check_value_range(owner, value_range)
        if isinstance(clip_limit, bool) or not isinstance(clip_limit, numbers.Real) or clip_limit < 0:
            raise ValueError(f"{owner}: clip_limit must be a number >= 0, received "
                             f"clip_limit={clip_limit!r}")
        self.clip_limit = clip_limit
        if (not isinstance(tile_grid_size, (tuple, list)) or len(tile_grid_size) != 2
                or not all(isinstance(t, int) and not isinstance(t, bool) and t > 0
                           for t in tile_grid_size)):
            raise ValueError(f"{owner}: tile_grid_size must be a tuple of two positive ints "
                             f"(rows, cols), received tile_grid_size={tile_grid_size!r}")
        self.tile_grid_size = tuple(tile_grid_size)

    def transform_images(self, images, transformation, training=True):
        np_, core = self.backend.numpy, self.backend.core
        dtype = images.dtype
        batched, unbatch = self._batched(images)
        if self.data_format == "channels_first":
            batched = np_.transpose(batched, (0, 2, 3, 1))
        low, high = self.value_range
        pixels = core.cast(batched, "float32")
        if (low, high) != (0, 255):
            pixels = (pixels - low) * (255.0 / (high - low))
        out = self._clahe(pixels)
        if (low, high) != (0, 255):
            out = out * ((high - low) / 255.0) + low
        if self.data_format == "channels_first":
            out = np_.transpose(out, (0, 3, 1, 2))
        return unbatch(core.cast(out, dtype))

    def _clahe(self, pixels):
        np_, core = self.backend.numpy, self.backend.core
        _, height, width, channels = pixels.shape
        if height is None or width is None or channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the height, width and channels "
                             f"of the images must be known, received shape {tuple(pixels.shape)}")
        batch = pixels.shape[0] if pixels.shape[0] is not None else core.shape(pixels)[0]
        rows, cols = self.tile_grid_size
        tile_h, tile_w = -(-height // rows), -(-width // cols)
        pad_h, pad_w = tile_h * rows - height, tile_w * cols - width
        if pad_h or pad_w:
            pixels = np_.pad(pixels, [[0, 0], [0, pad_h], [0, pad_w], [0, 0]], mode="symmetric")
        area = tile_h * tile_w
        levels = np_.clip(core.cast(pixels, "int32"), 0, _LEVELS - 1)

        # Histograms of every (image, tile row, tile col, channel): counts of sorted keys.
        tiles = np_.reshape(levels, (batch, rows, tile_h, cols, tile_w, channels))
        tiles = np_.reshape(np_.transpose(tiles, (0, 1, 3, 5, 2, 4)), (-1, area))
        groups = tiles.shape[0] if tiles.shape[0] is not None else core.shape(tiles)[0]
        starts = np_.arange(groups, dtype="int32")[:, None]
        keys = np_.sort(np_.reshape(tiles + starts * _LEVELS, (-1,)))
        upto = np_.searchsorted(keys, np_.arange(groups * _LEVELS, dtype="int32"), side="right")
        counts = core.cast(np_.reshape(upto, (-1, _LEVELS)) - starts * area, "float32")
        hist = counts - np_.pad(counts[:, :-1], [[0, 0], [1, 0]])
        if self.clip_limit > 0:
            limit = float(self.clip_limit) * area / _LEVELS
            clipped = np_.minimum(hist, limit)
            hist = clipped + np_.sum(hist - clipped, axis=-1, keepdims=True) / _LEVELS
        cdf = np_.cumsum(hist, axis=-1)
        first = cdf[:, :1]
        denominator = area - first
        denominator = np_.where(denominator == 0, np_.ones_like(denominator), denominator)
        tables = np_.clip((cdf - first) * 255.0 / denominator, 0.0, 255.0)

        # Tables on a (rows + 2, cols + 2) grid, the border tiles repeated.
        tables = np_.reshape(tables, (batch, rows, cols, channels, _LEVELS))
        tables = np_.pad(tables, [[0, 0], [1, 1], [1, 1], [0, 0], [0, 0]], mode="edge")
        flat_tables = np_.reshape(tables, (-1,))

        def neighbours(size, tile, count):
            position = (np_.arange(size, dtype="float32") - tile / 2.0) / tile + 1.0
            lower = np_.floor(position)
            weight = position - lower
            lower_i = core.cast(np_.clip(lower, 0, count + 1), "int32")
            upper_i = core.cast(np_.clip(lower + 1.0, 0, count + 1), "int32")
            return lower_i, upper_i, weight

        y0, y1, wy = neighbours(tile_h * rows, tile_h, rows)
        x0, x1, wx = neighbours(tile_w * cols, tile_w, cols)
        y0, y1, wy = y0[None, :, None, None], y1[None, :, None, None], wy[None, :, None, None]
        x0, x1, wx = x0[None, None, :, None], x1[None, None, :, None], wx[None, None, :, None]
        stride_x = channels * _LEVELS
        stride_y = stride_x * (cols + 2)
        stride_b = stride_y * (rows + 2)
        base = (np_.arange(batch, dtype="int32")[:, None, None, None] * stride_b
                + np_.arange(channels, dtype="int32") * _LEVELS + levels)

        def lookup(y, x):
            return np_.take(flat_tables, base + y * stride_y + x * stride_x)

        top = lookup(y0, x0) * (1.0 - wx) + lookup(y0, x1) * wx
        bottom = lookup(y1, x0) * (1.0 - wx) + lookup(y1, x1) * wx
        out = top * (1.0 - wy) + bottom * wy
        return out[:, :height, :width, :]

    def get_config(self):
        config = super().get_config()
        config.pop("seed")
        config.pop("data_format")
        config.update({"value_range": list(self.value_range), "clip_limit": self.clip_limit,
                       "tile_grid_size": list(self.tile_grid_size),
                       "data_format": self.data_format})
        return config
