"""``CutMix``: paste a random box of another image of the batch into each image, and mix
the labels by area.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.CutMix(seed=0)
    >>> out = layer({"images": np.ones((4, 8, 8, 3), "float32"), "labels": np.eye(4, dtype="float32")})
    >>> tuple(out["images"].shape), tuple(out["labels"].shape)
    ((4, 8, 8, 3), (4, 4))
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer, parse_factor)
from kiln.layers.preprocessing.image_stats._mixing import mix_with_permutation, sample_symmetric_beta


class CutMix(BaseImagePreprocessingLayer):
    """CutMix (Yun et al., 2019), per call as Keras draws it:

    ``alpha ~ U(factor) + 1e-6``; per sample ``w ~ Beta(alpha, alpha)``, a box of
    ``sqrt(1 - w)`` times the height and the width at a uniform position; pixels inside the
    box (``x0 <= x < x1``, ``y0 <= y < y1``) come from ``images[perm]``, ``perm`` a random
    permutation of the batch; labels become ``w' * y + (1 - w') * y[perm]`` with ``w'`` one
    minus the box's share of the area. Segmentation masks are cut like images.
    ``training=False`` and unbatched images are returned unchanged.

    Args:
        factor: a number in [0, 1] (``alpha`` drawn from ``(0, factor)``) or a pair inside [0, 1].
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> images = np.stack([np.zeros((4, 4, 1)), np.ones((4, 4, 1))]).astype("float32")
        >>> out = kiln.ops.convert_to_numpy(kiln.layers.CutMix(seed=1)(images))
        >>> sorted(set(out.ravel().tolist())) in ([0.0], [1.0], [0.0, 1.0])
        True
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = parse_factor(f"CutMix '{self.name}'", "factor", factor, (0.0, 1.0),
                                   single="from_zero")

    def get_random_transformation(self, data, training=True, seed=None):
        images = data["images"] if isinstance(data, dict) else data
        if not training or len(images.shape) == 3:
            return None
        np_, core = self.backend.numpy, self.backend.core
        seed = self._seed(seed)
        batch = self._batch_size(images)
        height, width = self._hw(images)
        h = core.cast(height, "float32")
        w = core.cast(width, "float32")
        alpha = self._uniform((), self.factor[0], self.factor[1], seed=seed) + 1e-6
        weight = sample_symmetric_beta(self.backend, (batch,), alpha, seed)
        ratio = np_.sqrt(1.0 - weight)
        box_w, box_h = ratio * w, ratio * h
        x0 = self._uniform((batch,), 0.0, 1.0, seed=seed) * (w - box_w)
        y0 = self._uniform((batch,), 0.0, 1.0, seed=seed) * (h - box_h)
        x1, y1 = x0 + box_w, y0 + box_h
        rows = core.cast(np_.arange(height), "float32")
        cols = core.cast(np_.arange(width), "float32")
        inside_y = np_.logical_and(rows[None, :] >= y0[:, None], rows[None, :] < y1[:, None])
        inside_x = np_.logical_and(cols[None, :] >= x0[:, None], cols[None, :] < x1[:, None])
        box = np_.logical_and(inside_y[:, :, None], inside_x[:, None, :])  # (batch, h, w)
        box = box[..., None] if self.data_format == "channels_last" else box[:, None]
        permutation = self.backend.random.shuffle(np_.arange(batch, dtype="int32"), seed=seed)
        mix_weight = 1.0 - (x1 - x0) * (y1 - y0) / (w * h)
        return {"permutation_order": permutation, "batch_masks": box, "mix_weight": mix_weight}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        np_ = self.backend.numpy
        pasted = np_.take(images, transformation["permutation_order"], axis=0)
        return np_.where(transformation["batch_masks"], pasted, images)

    def transform_labels(self, labels, transformation, training=True):
        labels = self.backend.core.cast(labels, self.compute_dtype)
        return mix_with_permutation(self.backend, labels, transformation, training)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self.transform_images(segmentation_masks, transformation, training)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": list(self.factor), "seed": self.seed})
        return config
