"""``MixUp``: blend each image (and its label) with another image of the batch.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.MixUp(alpha=0.2, seed=0)
    >>> out = layer({"images": np.ones((4, 8, 8, 3), "float32"), "labels": np.eye(4, dtype="float32")})
    >>> tuple(out["images"].shape), tuple(out["labels"].shape)
    ((4, 8, 8, 3), (4, 4))
"""

import numbers

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseImagePreprocessingLayer
from kiln.layers.preprocessing.image_stats._mixing import mix_with_permutation, sample_symmetric_beta


class MixUp(BaseImagePreprocessingLayer):
    """MixUp (Zhang et al., 2018): ``w * x + (1 - w) * x[perm]`` for images, labels and
    segmentation masks, with ``w ~ Beta(alpha, alpha)`` per sample and ``perm`` a random
    permutation of the batch. ``training=False`` (and an unbatched image, which can only mix
    with itself) returns the inputs unchanged. Labels should be one-hot (float).

    Args:
        alpha: positive float; small values keep each sample close to itself.
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> images = np.stack([np.zeros((2, 2, 1)), np.ones((2, 2, 1))]).astype("float32")
        >>> out = kiln.ops.convert_to_numpy(kiln.layers.MixUp(alpha=1.0, seed=3)(images))
        >>> bool(((out >= 0) & (out <= 1)).all())
        True
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if (isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha > 0):
            raise ValueError(f"MixUp '{self.name}': alpha must be a positive number, "
                             f"received alpha={alpha!r}")
        self.alpha = alpha

    def get_random_transformation(self, data, training=True, seed=None):
        images = data["images"] if isinstance(data, dict) else data
        if not training or len(images.shape) == 3:
            return None
        batch = self._batch_size(images)
        np_ = self.backend.numpy
        permutation = self.backend.random.shuffle(np_.arange(batch, dtype="int32"),
                                                  seed=self._seed(seed))
        weight = sample_symmetric_beta(self.backend, (batch,), float(self.alpha), self._seed(seed))
        return {"mix_weight": weight, "permutation_order": permutation}

    def transform_images(self, images, transformation, training=True):
        return mix_with_permutation(self.backend, images, transformation, training)

    def transform_labels(self, labels, transformation, training=True):
        labels = self.backend.core.cast(labels, self.compute_dtype)
        return mix_with_permutation(self.backend, labels, transformation, training)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        masks = self.backend.core.cast(segmentation_masks, self.compute_dtype)
        return mix_with_permutation(self.backend, masks, transformation, training)

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "seed": self.seed})
        return config
