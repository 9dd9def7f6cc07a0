"""``RandomCrop``: crop a random (height, width) window while training.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomCrop(2, 3, seed=0)(np.ones((4, 5, 5, 1), "float32")).shape)
    (4, 2, 3, 1)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer, tuples_to_lists)


class RandomCrop(BaseImagePreprocessingLayer):
    """Crops every image of a batch at one random location to ``(height, width)``.

    At inference (``training=False``), and in training when the input is
    smaller than the target, the images are instead resized to the target
    size after a centred crop to the target aspect ratio (the largest window
    of that ratio), so the output size is always ``(height, width)``.

    Args:
        height, width: positive ints, the output size.
        seed: int or None.
        data_format: "channels_last" or "channels_first".
        name: the layer's name.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(16, dtype="float32").reshape(4, 4, 1)
        >>> out = kiln.layers.RandomCrop(2, 2)(x, training=False)  # resized, not cropped
        >>> kiln.ops.convert_to_numpy(out).ravel().tolist()
        [2.5, 4.5, 10.5, 12.5]
    """

    _GEOMETRIC = True

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, name=name, **kwargs)
        for arg, value in (("height", height), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"RandomCrop '{self.name}': {arg} must be a positive int, "
                                 f"received {arg}={value!r}")
        self.height = height
        self.width = width

    def _fits(self, images):
        h_axis, w_axis, _ = self._axes(images)
        h, w = images.shape[h_axis], images.shape[w_axis]
        # Unknown sizes (a tf.data graph) are assumed large enough to crop.
        return (h is None or h >= self.height) and (w is None or w >= self.width)

    def get_random_transformation(self, data, training=True, seed=None):
        images = data["images"] if isinstance(data, dict) else data
        if not training or not self._fits(images):
            return None
        height, width = self._hw(images)
        np_ = self.backend.numpy
        cast = self.backend.core.cast
        starts = []
        for size, target in ((height, self.height), (width, self.width)):
            room = cast(np_.maximum(size - target, 0) + 1, "float32")
            starts.append(cast(np_.floor(self._uniform((), 0.0, 1.0, seed=seed) * room), "int32"))
        return {"top": starts[0], "left": starts[1]}

    def _crop(self, images, transformation, interpolation):
        if transformation is None:
            out = self.backend.image.resize(images, (self.height, self.width),
                                            interpolation=interpolation, crop_to_aspect_ratio=True,
                                            data_format=self.data_format)
            return self.backend.core.cast(out, images.dtype)
        np_ = self.backend.numpy
        h_axis, w_axis, _ = self._axes(images)
        rows = transformation["top"] + np_.arange(self.height, dtype="int32")
        cols = transformation["left"] + np_.arange(self.width, dtype="int32")
        return np_.take(np_.take(images, rows, axis=h_axis), cols, axis=w_axis)

    def transform_images(self, images, transformation, training=True):
        return self._crop(images, transformation, "bilinear")

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self._crop(segmentation_masks, transformation, "nearest")

    def _output_shape_of(self, input_shape):
        shape = list(input_shape)
        h_axis = len(shape) - 3 if self.data_format == "channels_last" else len(shape) - 2
        shape[h_axis], shape[h_axis + 1] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return tuples_to_lists(config)
