"""``MaxNumBoundingBoxes``: give every sample exactly ``max_number`` bounding boxes.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.MaxNumBoundingBoxes(max_number=3)
    >>> boxes = {"boxes": np.ones((2, 1, 4), "float32"), "labels": np.ones((2, 1), "int32")}
    >>> out = layer({"images": np.zeros((2, 4, 4, 3), "float32"), "bounding_boxes": boxes})
    >>> kiln.ops.convert_to_numpy(out["bounding_boxes"]["labels"]).tolist()
    [[1, -1, -1], [1, -1, -1]]
"""

import numbers

from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.preprocessing.data_layer import DataLayer


class MaxNumBoundingBoxes(DataLayer):
    """Pads (with ``fill_value``) or truncates the boxes ``(batch, n, 4)`` and labels
    ``(batch, n)`` of ``inputs["bounding_boxes"]`` to ``max_number`` per sample (unbatched
    ``(n, 4)`` / ``(n,)`` work too). Every other entry, images included, passes through;
    a plain tensor input is returned as it is.

    Args:
        max_number: positive int, the number of boxes per sample.
        fill_value: int written into the padded boxes and labels (default -1).
        **kwargs: base layer arguments (``bounding_box_format`` is accepted and kept).

    Example:
        >>> import kiln, numpy as np
        >>> layer = kiln.layers.MaxNumBoundingBoxes(1, fill_value=0)
        >>> boxes = {"boxes": np.arange(8.0).reshape(2, 4), "labels": np.array([5, 6])}
        >>> out = layer({"bounding_boxes": boxes})["bounding_boxes"]
        >>> kiln.ops.convert_to_numpy(out["boxes"]).tolist(), kiln.ops.convert_to_numpy(out["labels"]).tolist()
        ([[0.0, 1.0, 2.0, 3.0]], [5])
    """

    def __init__(self, max_number, fill_value=-1, **kwargs):
        self.bounding_box_format = kwargs.pop("bounding_box_format", None)
        # Images pass through untouched: no cast to the compute dtype.
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        owner = f"MaxNumBoundingBoxes '{self.name}'"
        if isinstance(max_number, bool) or not isinstance(max_number, numbers.Integral) or max_number <= 0:
            raise ValueError(f"{owner}: max_number must be a positive integer, "
                             f"received max_number={max_number!r}")
        if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
            raise ValueError(f"{owner}: fill_value must be a number, received fill_value={fill_value!r}")
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.built = True

    def call(self, data):
        if isinstance(data, KerasTensor):
            return KerasTensor(data.shape, data.dtype)  # a new symbolic tensor, not the input itself
        if not isinstance(data, dict) or "bounding_boxes" not in data:
            return data
        boxes = data["bounding_boxes"]
        extra = set(boxes) - {"boxes", "labels"}
        if extra:
            raise ValueError(f"MaxNumBoundingBoxes '{self.name}': bounding_boxes may only hold "
                             f"'boxes' and 'labels', received extra keys {sorted(extra)}")
        if any(isinstance(v, KerasTensor) for v in boxes.values()):
            return self.compute_output_spec(data)
        result = dict(data)
        result["bounding_boxes"] = {
            key: self._fit(self.backend.core.convert_to_tensor(value), key)
            for key, value in boxes.items()}
        return result

    def _fit(self, values, key):
        """Append ``max_number`` fill rows on the box axis, then keep the first ``max_number``."""
        np_ = self.backend.numpy
        unbatched = len(values.shape) == (2 if key == "boxes" else 1)
        if unbatched:
            values = np_.expand_dims(values, 0)
        batch = values.shape[0] if values.shape[0] is not None else self.backend.core.shape(values)[0]
        fill_shape = (batch, self.max_number) + tuple(values.shape[2:])
        filler = np_.full(fill_shape, self.fill_value, dtype=values.dtype)
        out = np_.concatenate([values, filler], axis=1)[:, :self.max_number]
        return np_.squeeze(out, 0) if unbatched else out

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, dict) or "bounding_boxes" not in input_shape:
            return input_shape
        out = dict(input_shape)
        out["bounding_boxes"] = {}
        for key, shape in input_shape["bounding_boxes"].items():
            shape = list(shape)
            axis = 0 if len(shape) == (2 if key == "boxes" else 1) else 1
            shape[axis] = self.max_number
            out["bounding_boxes"][key] = tuple(shape)
        return out

    def compute_output_spec(self, data):
        if isinstance(data, KerasTensor):
            return KerasTensor(data.shape, data.dtype)
        if not isinstance(data, dict) or "bounding_boxes" not in data:
            return data
        shapes = self.compute_output_shape(
            {"bounding_boxes": {k: v.shape for k, v in data["bounding_boxes"].items()}})
        out = dict(data)
        out["bounding_boxes"] = {k: KerasTensor(shapes["bounding_boxes"][k], v.dtype)
                                 for k, v in data["bounding_boxes"].items()}
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"max_number": self.max_number, "fill_value": self.fill_value})
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config
