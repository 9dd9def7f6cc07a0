"""``BaseImagePreprocessingLayer``: the shared frame of the image augmentation layers.

A subclass draws its randomness once per call in ``get_random_transformation``
(a dict of tensors, or None when nothing is applied) and applies it in
``transform_images``; ``call`` wires the two together, so the same drawn
transformation can be reused on several inputs. Inputs are one image (rank 3)
or a batch (rank 4), channels last or first, of any real dtype; outputs are in
the layer's compute dtype. ``training=False`` returns the images unchanged
(cast to the compute dtype); a call that names no ``training`` augments.
Dict inputs ``{"images": ..., "labels": ..., "segmentation_masks": ...}``
return a dict: images transformed, labels passed through, segmentation masks
transformed by geometric layers with the same draw. Bounding boxes pass
through colour layers; geometric layers reject them (not supported yet).

Computations go through ``self.backend`` (``numpy``, ``image``, ``random``,
``core``...), so the layers also run inside ``tf.data`` whatever the backend.

Example:
    >>> import kiln, numpy as np
    >>> flip = kiln.layers.RandomFlip("horizontal", seed=1)
    >>> image = np.arange(6, dtype="float32").reshape(1, 1, 6, 1)
    >>> kiln.ops.convert_to_numpy(flip(image, training=False)).ravel().tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
"""

import numbers

from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.random.seed_generator import SeedGenerator

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def check_choice(owner, arg, value, allowed):
    """Raise a ValueError naming ``owner``, ``arg`` and the allowed values unless ``value`` is one.

    Example:
        >>> check_choice("RandomFlip", "mode", "vertical", ("vertical", "horizontal"))
        'vertical'
    """
    if value not in allowed:
        raise ValueError(f"{owner}: unknown {arg}={value!r}; expected one of {list(allowed)}")
    return value


def check_fill_value(owner, fill_value, allow_none=False):
    """Raise a ValueError naming ``owner`` unless ``fill_value`` is a number (or None when
    ``allow_none``); returns it.

    Example:
        >>> check_fill_value("RandomErasing", None, allow_none=True) is None
        True
    """
    if not (_is_number(fill_value) or (allow_none and fill_value is None)):
        expected = "a number or None" if allow_none else "a number"
        raise ValueError(f"{owner}: fill_value must be {expected}, received fill_value={fill_value!r}")
    return fill_value


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def parse_factor(owner, arg, factor, bounds, single="symmetric"):
    """A number or a pair -> a sorted ``(low, high)`` pair inside ``bounds``.

    A single number ``f`` gives ``(-|f|, |f|)`` when ``single="symmetric"``,
    ``(0, f)`` when ``single="from_zero"`` and ``(f, f)`` when ``single="same"``.

    Example:
        >>> parse_factor("RandomRotation", "factor", 0.2, (-1, 1))
        (-0.2, 0.2)
        >>> parse_factor("RandomHue", "factor", 0.3, (0, 1), single="from_zero")
        (0.0, 0.3)
    """
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(_is_number(f) for f in factor):
            raise ValueError(f"{owner}: {arg} must be a number or a tuple of two numbers, "
                             f"received {arg}={factor!r}")
        low, high = float(factor[0]), float(factor[1])
        if low > high:
            raise ValueError(f"{owner}: {arg} must be (lower, upper) with lower <= upper, "
                             f"received {arg}={factor!r}")
    elif _is_number(factor):
        f = float(factor)
        if single == "symmetric":
            low, high = -abs(f), abs(f)
        elif single == "from_zero":
            low, high = 0.0, f
        else:
            low, high = f, f
    else:
        raise ValueError(f"{owner}: {arg} must be a number or a tuple of two numbers, "
                         f"received {arg}={factor!r}")
    for value in (low, high):
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise ValueError(f"{owner}: {arg} values must be in [{bounds[0]}, {bounds[1]}], "
                             f"received {arg}={factor!r}")
    return low, high


def check_value_range(owner, value_range):
    """Validate ``value_range`` (two increasing numbers) and return it as a tuple.

    Example:
        >>> check_value_range("RandomContrast", [0, 1])
        (0, 1)
    """
    if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
            or not all(_is_number(v) for v in value_range) or value_range[0] >= value_range[1]):
        raise ValueError(f"{owner}: value_range must be a tuple or list of two numbers "
                         f"(lower, upper) with lower < upper, received value_range={value_range!r}")
    return tuple(value_range)


class BaseImagePreprocessingLayer(DataLayer):
    """Base of the image augmentation layers: argument checks, the call frame, image geometry.

    Subclasses implement ``_random_transformation(images, seed)`` (which
    ``get_random_transformation(data, training=True, seed=None)`` calls while
    training) and ``transform_images(images, transformation,
    training=True)``; geometric ones also ``transform_segmentation_masks``.

    Args:
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: int or None, seeds the layer's SeedGenerator.

    Example:
        >>> import kiln
        >>> "BaseImagePreprocessingLayer" in [c.__name__ for c in kiln.layers.RandomZoom.__mro__]
        True
    """

    # Geometric layers move pixels: segmentation masks follow them.
    _GEOMETRIC = False

    def __init__(self, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, type(self).__name__)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"{type(self).__name__}: seed must be an int or None, received seed={seed!r}")
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.supports_jit = False

    # -- call frame -------------------------------------------------------------------
    def call(self, data, training=True):
        if training is None:
            training = True
        images = data["images"] if isinstance(data, dict) else data
        self._check_images(images)
        if isinstance(data, dict) and "bounding_boxes" in data and self._GEOMETRIC:
            raise NotImplementedError(
                f"{type(self).__name__} '{self.name}': bounding_boxes are not supported yet by "
                f"geometric augmentation layers (images, labels and segmentation_masks are)")
        transformation = self.get_random_transformation(data, training=training)
        out = self.transform_images(self._to_compute(images), transformation, training=training)
        if not isinstance(data, dict):
            return out
        result = dict(data)
        result["images"] = out
        if "segmentation_masks" in data:
            result["segmentation_masks"] = self.transform_segmentation_masks(
                data["segmentation_masks"], transformation, training=training)
        if "labels" in data:
            result["labels"] = self.transform_labels(data["labels"], transformation, training=training)
        return result

    def get_random_transformation(self, data, training=True, seed=None):
        """Draw this call's random parameters (None: leave the images as they are): none when
        not training, else :meth:`_random_transformation` of the images in ``data``."""
        if not training:
            return None
        return self._random_transformation(data["images"] if isinstance(data, dict) else data, seed)

    def _random_transformation(self, images, seed):
        """This call's random parameters for ``images`` (None: a deterministic layer)."""
        return None

    def transform_images(self, images, transformation, training=True):
        """Apply ``transformation`` to ``images`` (already in the compute dtype)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement transform_images")

    def transform_labels(self, labels, transformation, training=True):
        """Labels are unchanged by image augmentations."""
        return labels

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        """Masks follow geometric transforms (nearest interpolation); colour changes leave them."""
        return segmentation_masks

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict):
            return {k: self._output_shape_of(v) if k == "images" else v for k, v in input_shape.items()}
        return self._output_shape_of(input_shape)

    def _output_shape_of(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, data, training=True):
        from kiln.backend.common.keras_tensor import KerasTensor

        if isinstance(data, dict):
            out = dict(data)
            out["images"] = KerasTensor(self._output_shape_of(data["images"].shape), self.compute_dtype)
            return out
        self._check_images(data)
        return KerasTensor(self._output_shape_of(data.shape), dtype=self.compute_dtype)

    # -- helpers for subclasses ---------------------------------------------------------
    def _check_images(self, images):
        rank = len(images.shape)
        if rank not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': expected images of rank 3 (one image) or 4 "
                f"(a batch), received an input of shape {tuple(images.shape)}")

    def _to_compute(self, images):
        return self.backend.core.cast(images, self.compute_dtype)

    def _seed(self, seed=None):
        return self.generator if seed is None else seed

    def _axes(self, images):
        """(height axis, width axis, channel axis) as negative indices."""
        if self.data_format == "channels_last":
            return -3, -2, -1
        return -2, -1, -3

    def _batch_size(self, images):
        """The batch size (1 for an unbatched image), a Python int when known statically."""
        if len(images.shape) == 3:
            return 1
        if images.shape[0] is not None:
            return int(images.shape[0])
        return self.backend.core.shape(images)[0]

    def _hw(self, images):
        h_axis, w_axis, _ = self._axes(images)
        shape = images.shape
        h, w = shape[h_axis], shape[w_axis]
        if h is None or w is None:
            dyn = self.backend.core.shape(images)
            h = dyn[h_axis] if h is None else h
            w = dyn[w_axis] if w is None else w
        return h, w

    def _uniform(self, shape, minval, maxval, seed=None, dtype="float32"):
        return self.backend.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype,
                                           seed=self._seed(seed))

    def _draw_factor(self, images, seed):
        """One value per image, uniform in the factor range (``self._factor``)."""
        return self._uniform((self._batch_size(images),), self._factor[0], self._factor[1], seed=seed)

    def _draw_should_apply(self, images, seed):
        """Per image: apply with a probability drawn from the factor range (``self._factor``)."""
        draws = self._uniform((self._batch_size(images),), 0.0, 1.0, seed=seed)
        return self.backend.numpy.less(draws, self._draw_factor(images, seed))

    def _per_image(self, values, images):
        """Reshape a (batch,) tensor so it broadcasts over images (batched or not)."""
        np_ = self.backend.numpy
        if len(images.shape) == 3:
            return np_.reshape(values, (1, 1, 1))
        return np_.reshape(values, (-1, 1, 1, 1))

    def _batched(self, images):
        """(images as a batch, unbatch function)."""
        if len(images.shape) == 3:
            return self.backend.numpy.expand_dims(images, 0), lambda x: self.backend.numpy.squeeze(x, 0)
        return images, lambda x: x

    def _warp(self, images, transform, interpolation, fill_mode, fill_value):
        """Apply per-image projective transforms (batch, 8) in float32, back to the input dtype."""
        batched, unbatch = self._batched(images)
        dtype = batched.dtype
        out = self.backend.image.affine_transform(
            self.backend.core.cast(batched, "float32"), transform, interpolation=interpolation,
            fill_mode=fill_mode, fill_value=fill_value, data_format=self.data_format)
        return unbatch(self.backend.core.cast(out, dtype))

    def _to_unit(self, images, value_range):
        """Map ``value_range`` to [0, 1]."""
        low, high = value_range
        if (low, high) == (0, 1):
            return images
        return (images - low) / (high - low)

    def _from_unit(self, images, value_range):
        low, high = value_range
        if (low, high) == (0, 1):
            return images
        return images * (high - low) + low

    def _clip(self, images, value_range):
        return self.backend.numpy.clip(images, value_range[0], value_range[1])

    def _channels_last(self, images):
        """Move channels last (HSV helpers work on the last axis); returns (images, restore)."""
        if self.data_format == "channels_last":
            return images, lambda x: x
        np_ = self.backend.numpy
        if len(images.shape) == 3:
            return np_.transpose(images, (1, 2, 0)), lambda x: np_.transpose(x, (2, 0, 1))
        return np_.transpose(images, (0, 2, 3, 1)), lambda x: np_.transpose(x, (0, 3, 1, 2))

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "seed": self.seed})
        return tuples_to_lists(config)


def constant_rows(backend, like, value):
    """A float32 vector of ``value`` with the length of the vector ``like``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(constant_rows(kiln.layers.RandomFlip().backend, kiln.ops.ones((2,)), 1.0)).tolist()
        [1.0, 1.0]
    """
    return backend.numpy.full(backend.core.shape(like)[:1], value, dtype="float32")


def stack_transforms(backend, entries):
    """Eight (batch,) vectors -> (batch, 8) transforms.

    Stacked on a new first axis, then transposed: TensorFlow's graph optimizer
    rewrites ``stack(..., axis=1)[:, i, None, None]`` (what the warp kernels
    read) into a wrongly shaped tensor.

    Example:
        >>> import kiln
        >>> v = kiln.ops.ones((3,))
        >>> kiln.ops.shape(stack_transforms(kiln.layers.RandomFlip().backend, [v] * 8))
        (3, 8)
    """
    return backend.numpy.transpose(backend.numpy.stack(entries, axis=0))


def tuples_to_lists(config):
    """Config values that are tuples become lists (what a JSON round trip gives back).

    Example:
        >>> tuples_to_lists({"factor": (0.1, 0.2), "seed": 3})
        {'factor': [0.1, 0.2], 'seed': 3}
    """
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}


def rotation_transforms(backend, angles, height, width):
    """Projective transforms (batch, 8) rotating by ``angles`` (radians, counter-clockwise) about the centre.

    Example:
        >>> import kiln
        >>> t = rotation_transforms(kiln.layers.RandomFlip().backend, kiln.ops.zeros((1,)), 4, 4)
        >>> kiln.ops.convert_to_numpy(t).round(3).tolist()
        [[1.0, -0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]
    """
    np_ = backend.numpy
    h = backend.core.cast(height, "float32") - 1.0
    w = backend.core.cast(width, "float32") - 1.0
    cos, sin = np_.cos(angles), np_.sin(angles)
    x_offset = (w - (cos * w - sin * h)) / 2.0
    y_offset = (h - (sin * w + cos * h)) / 2.0
    zeros = constant_rows(backend, angles, 0.0)
    return stack_transforms(backend, [cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros])


class BaseAffineLayer(BaseImagePreprocessingLayer):
    """Base of the layers that warp images by a per-image projective transform.

    Subclasses implement ``_draw_transform(images, seed)``, returning a
    (batch, 8) tensor of transforms mapping output pixels to input pixels.
    ``fill_mode``, ``interpolation`` and ``fill_value`` are validated here.

    Example:
        >>> import kiln
        >>> "BaseAffineLayer" in [c.__name__ for c in kiln.layers.RandomRotation.__mro__]
        True
    """

    _GEOMETRIC = True

    def __init__(self, fill_mode="reflect", interpolation="bilinear", fill_value=0.0, **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.fill_mode = check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_value = check_fill_value(owner, fill_value)

    def _draw_transform(self, images, seed):
        raise NotImplementedError

    def _random_transformation(self, images, seed):
        return {"transform": self._draw_transform(images, seed)}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        return self._warp(images, transformation["transform"], self.interpolation, self.fill_mode,
                          self.fill_value)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        return self._warp(segmentation_masks, transformation["transform"], "nearest",
                          self.fill_mode, self.fill_value)

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return tuples_to_lists(config)


class BaseFactorLayer(BaseImagePreprocessingLayer):
    """Base of the layers configured by ``factor`` and ``value_range``.

    ``factor`` is parsed by :func:`parse_factor` with the class's
    ``_FACTOR_BOUNDS`` and ``_SINGLE_FACTOR``; the default transformation is one
    draw per image from the factor range (``{"factor": (batch,)}``).

    Example:
        >>> import kiln
        >>> kiln.layers.RandomHue(0.3).get_config()["factor"]
        0.3
    """

    _FACTOR_BOUNDS = (0.0, 1.0)
    _SINGLE_FACTOR = "from_zero"

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.factor = factor
        self._factor = parse_factor(owner, "factor", factor, self._FACTOR_BOUNDS,
                                    single=self._SINGLE_FACTOR)
        self.value_range = check_value_range(owner, value_range)

    def _random_transformation(self, images, seed):
        return {"factor": self._draw_factor(images, seed)}

    def transform_images(self, images, transformation, training=True):
        """The frame of the pixel-value layers: ``_adjust`` on the images in float32, the result
        clipped to ``value_range`` and cast back to the input dtype (no-op when not training)."""
        if not training or transformation is None:
            return images
        x = self.backend.core.cast(images, "float32")
        out = self._clip(self._adjust(x, transformation, images), self.value_range)
        return self.backend.core.cast(out, images.dtype)

    def _adjust(self, x, transformation, images):
        """The adjusted float32 images (before clipping); ``images`` is the input, for its rank."""
        raise NotImplementedError

    def _in_hsv(self, x, adjust):
        """``adjust(h, s, v)`` applied to the HSV form of ``x`` (in ``value_range``, float32):
        the new ``(h, s, v)`` converted back to RGB in ``value_range``."""
        np_, image = self.backend.numpy, self.backend.image
        _, _, c_axis = self._axes(x)
        unit = np_.clip(self._to_unit(x, self.value_range), 0.0, 1.0)
        hsv = image.rgb_to_hsv(unit, data_format=self.data_format)
        h, s, v = adjust(*np_.split(hsv, 3, axis=c_axis))
        rgb = image.hsv_to_rgb(np_.concatenate([h, s, v], axis=c_axis), data_format=self.data_format)
        return self._from_unit(rgb, self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return tuples_to_lists(config)
