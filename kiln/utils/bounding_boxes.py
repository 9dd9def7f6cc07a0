"""Bounding-box utilities: format conversion, clipping, cropping, padding, affine transforms,
IoU / CIoU and anchor delta encoding, written with ``kiln.ops`` (any backend).

Box formats (case-insensitive), each along the last axis of size 4:

- ``"xyxy"``: ``[left, top, right, bottom]``; ``"yxyx"``: ``[top, left, bottom, right]``;
- ``"xywh"``: ``[left, top, width, height]``;
- ``"center_xywh"``: ``[center_x, center_y, width, height]``;
  ``"center_yxhw"``: ``[center_y, center_x, height, width]``;
- ``"rel_xyxy"``, ``"rel_yxyx"``, ``"rel_xywh"``, ``"rel_center_xywh"``: the same with x
  coordinates divided by the image width and y coordinates by the image height.

Example:
    >>> import numpy as np
    >>> from kiln import ops
    >>> boxes = np.array([[10.0, 20.0, 30.0, 40.0]])
    >>> ops.convert_to_numpy(convert_format(boxes, "xyxy", "center_xywh")).tolist()
    [[20.0, 30.0, 20.0, 20.0]]
"""

import math

from kiln import config
from kiln import ops

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
           "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")


def _check_format(name, value, caller, allowed=FORMATS):
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ValueError(f"{caller}: `{name}` must be one of {list(allowed)}, received {name}={value!r}")
    return value.lower()


def _check_last_axis(boxes, caller, name="boxes"):
    shape = tuple(ops.shape(boxes))
    if not shape or shape[-1] != 4:
        raise ValueError(f"{caller}: `{name}` must have a last axis of size 4, received shape {shape}")


def _need_size(height, width, fmt, caller):
    if height is None or width is None:
        raise ValueError(f"{caller}: the relative format {fmt!r} needs the image `height` and `width`, "
                         f"received height={height!r}, width={width!r}")


def _to_corners(boxes, fmt, height, width, caller):
    """``(x1, y1, x2, y2)`` columns (each ``(..., 1)``) of boxes in ``fmt``."""
    a, b, c, d = ops.split(boxes, 4, axis=-1)
    relative = fmt.startswith("rel_")
    base = fmt[4:] if relative else fmt
    if base == "xyxy":
        x1, y1, x2, y2 = a, b, c, d
    elif base == "yxyx":
        x1, y1, x2, y2 = b, a, d, c
    elif base == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif base == "center_xywh":
        x1, y1, x2, y2 = a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0
    else:  # center_yxhw: [cy, cx, h, w]
        x1, y1, x2, y2 = b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0
    if relative and height is not None:
        x1, x2, y1, y2 = x1 * width, x2 * width, y1 * height, y2 * height
    return x1, y1, x2, y2


def _from_corners(x1, y1, x2, y2, fmt, height, width):
    relative = fmt.startswith("rel_")
    base = fmt[4:] if relative else fmt
    if relative and height is not None:
        x1, x2, y1, y2 = x1 / width, x2 / width, y1 / height, y2 / height
    if base == "xyxy":
        columns = [x1, y1, x2, y2]
    elif base == "yxyx":
        columns = [y1, x1, y2, x2]
    elif base == "xywh":
        columns = [x1, y1, x2 - x1, y2 - y1]
    elif base == "center_xywh":
        columns = [(x1 + x2) / 2.0, (y1 + y2) / 2.0, x2 - x1, y2 - y1]
    else:  # center_yxhw
        columns = [(y1 + y2) / 2.0, (x1 + x2) / 2.0, y2 - y1, x2 - x1]
    return ops.concatenate(columns, axis=-1)


def _convert(boxes, source, target, height, width, dtype, caller):
    boxes = ops.cast(ops.convert_to_tensor(boxes), dtype)
    _check_last_axis(boxes, caller)
    if source == target:
        return boxes
    both_relative = source.startswith("rel_") and target.startswith("rel_")
    if both_relative:
        # Relative to relative needs no image size: both sides share it.
        corners = _to_corners(boxes, source, None, None, caller)
        return _from_corners(*corners, target, None, None)
    for fmt in (source, target):
        if fmt.startswith("rel_"):
            _need_size(height, width, fmt, caller)
    if height is not None:
        height = ops.cast(height, dtype)
    if width is not None:
        width = ops.cast(width, dtype)
    corners = _to_corners(boxes, source, height, width, caller)
    return _from_corners(*corners, target, height, width)


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Converts bounding boxes between formats.

    Args:
        boxes: array/tensor of boxes (last axis of size 4), or a dict whose ``"boxes"``
            entry holds them (the other entries are kept).
        source: format of ``boxes`` (see the module docstring).
        target: format to convert to.
        height: image height (needed when exactly one of the formats is relative).
        width: image width (idem).
        dtype: dtype of the result.

    Returns:
        The converted boxes (a tensor of the active backend), or a dict with converted
        ``"boxes"`` when a dict was given.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> boxes = np.array([[10, 20, 30, 40], [50, 60, 70, 80]])
        >>> ops.convert_to_numpy(convert_format(boxes, "xyxy", "xywh")).tolist()
        [[10.0, 20.0, 20.0, 20.0], [50.0, 60.0, 20.0, 20.0]]
        >>> rel = convert_format(boxes, "xyxy", "rel_xyxy", height=200, width=100)
        >>> np.round(np.float64(ops.convert_to_numpy(rel)[0]), 4).tolist()
        [0.1, 0.1, 0.3, 0.2]
    """
    caller = "convert_format"
    source = _check_format("source", source, caller)
    target = _check_format("target", target, caller)
    if isinstance(boxes, dict):
        result = dict(boxes)
        result["boxes"] = _convert(boxes["boxes"], source, target, height, width, dtype, caller)
        return result
    return _convert(boxes, source, target, height, width, dtype, caller)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Clips bounding boxes to be within the image dimensions.

    Coordinates are clipped to ``[0, width]`` / ``[0, height]`` (``[0, 1]`` for relative
    formats); a box whose clipped area is zero gets the label ``-1`` (no object).

    Args:
        bounding_boxes: dict with ``"boxes"`` of shape ``(N, 4)`` or ``(batch, N, 4)`` and
            ``"labels"`` of shape ``(N,)`` or ``(batch, N)``.
        height: image height (needed for absolute formats).
        width: image width (idem).
        bounding_box_format: format of the boxes.

    Returns:
        A dict like ``bounding_boxes`` with clipped ``"boxes"`` and updated ``"labels"``.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> boxes = {"boxes": np.array([[-10, -20, 150, 160], [130, 40, 170, 80]]),
        ...          "labels": np.array([0, 1])}
        >>> out = clip_to_image_size(boxes, height=100, width=120)
        >>> ops.convert_to_numpy(out["boxes"]).tolist(), ops.convert_to_numpy(out["labels"]).tolist()
        ([[0.0, 0.0, 120.0, 100.0], [120.0, 40.0, 120.0, 80.0]], [0, -1])
    """
    caller = "clip_to_image_size"
    fmt = _check_format("bounding_box_format", bounding_box_format, caller)
    if not isinstance(bounding_boxes, dict) or "boxes" not in bounding_boxes:
        raise ValueError(f"{caller}: `bounding_boxes` must be a dict with 'boxes' (and 'labels'), "
                         f"received {type(bounding_boxes).__name__}")
    relative = fmt.startswith("rel_")
    if not relative and (height is None or width is None):
        raise ValueError(f"{caller}: `height` and `width` must be set for the absolute format {fmt!r}, "
                         f"received height={height!r}, width={width!r}")
    boxes = ops.cast(ops.convert_to_tensor(bounding_boxes["boxes"]), "float32")
    _check_last_axis(boxes, caller)
    x1, y1, x2, y2 = _to_corners(boxes, fmt, None, None, caller)  # same scale as the input
    x_max, y_max = (1.0, 1.0) if relative else (float(width), float(height))
    x1, x2 = ops.clip(x1, 0.0, x_max), ops.clip(x2, 0.0, x_max)
    y1, y2 = ops.clip(y1, 0.0, y_max), ops.clip(y2, 0.0, y_max)
    area = ops.squeeze((x2 - x1) * (y2 - y1), axis=-1)
    result = dict(bounding_boxes)
    result["boxes"] = _from_corners(x1, y1, x2, y2, fmt, None, None)
    if "labels" in bounding_boxes:
        labels = ops.convert_to_tensor(bounding_boxes["labels"])
        result["labels"] = ops.where(area > 0, labels, ops.cast(-1, ops.dtype(labels)))
    return result


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width,
                     center_x=None, center_y=None, bounding_box_format="xyxy"):
    """Applies an affine transformation to the bounding boxes.

    The transformation is the one applied to the image: around the center
    ``(center_x * width, center_y * height)`` (default: the image center), rotate by
    ``angle`` degrees, shear by ``shear_x`` / ``shear_y`` degrees, scale by ``scale`` and
    translate by ``(translate_x * width, translate_y * height)``. Each box becomes the
    smallest axis-aligned box holding its four transformed corners.

    Args:
        boxes: tensor/array of shape ``(N, 4)`` or ``(batch_size, N, 4)``.
        angle: rotation angle in degrees (a scalar, or one per batch element).
        translate_x: horizontal translation, as a fraction of ``width``.
        translate_y: vertical translation, as a fraction of ``height``.
        scale: scaling factor.
        shear_x: shear angle in x-direction (degrees).
        shear_y: shear angle in y-direction (degrees).
        height: height of the image.
        width: width of the image.
        center_x: x-coordinate of the transformation center, as a fraction (default 0.5).
        center_y: y-coordinate of the transformation center, as a fraction (default 0.5).
        bounding_box_format: format of the boxes.

    Returns:
        The transformed boxes, with the shape of ``boxes``.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> boxes = np.array([[10.0, 10.0, 30.0, 20.0]])
        >>> out = affine_transform(boxes, 0, 0.1, 0.0, 1.0, 0, 0, height=100, width=100)
        >>> np.round(np.float64(ops.convert_to_numpy(out)), 4).tolist()
        [[20.0, 10.0, 40.0, 20.0]]
    """
    caller = "affine_transform"
    fmt = _check_format("bounding_box_format", bounding_box_format, caller)
    original = ops.convert_to_tensor(boxes)
    dtype = ops.dtype(original) if "float" in ops.dtype(original) else "float32"
    boxes = _convert(original, fmt, "xyxy", height, width, dtype, caller)
    unbatched = len(ops.shape(boxes)) == 2
    if unbatched:
        boxes = ops.expand_dims(boxes, 0)
    elif len(ops.shape(boxes)) != 3:
        raise ValueError(f"{caller}: `boxes` must have shape (N, 4) or (batch_size, N, 4), "
                         f"received {tuple(ops.shape(boxes))}")

    def per_batch(value):
        value = ops.reshape(ops.cast(ops.convert_to_tensor(value), dtype), (-1, 1, 1))
        return value

    degrees = math.pi / 180.0
    rot = per_batch(angle) * degrees
    sx = per_batch(shear_x) * degrees
    sy = per_batch(shear_y) * degrees
    s = per_batch(scale)
    w = ops.cast(width, dtype)
    h = ops.cast(height, dtype)
    cx = per_batch(0.5 if center_x is None else center_x) * w
    cy = per_batch(0.5 if center_y is None else center_y) * h
    tx = per_batch(translate_x) * w
    ty = per_batch(translate_y) * h
    # The linear part (rotation and shear, determinant 1) times the scale, as Keras defines
    # it for images: with the angles negated, R = [[a, b], [c, d]]; the boxes move by
    # scale * inverse(R) = scale * [[d, -b], [-c, a]].
    r, shx, shy = -rot, -sx, -sy
    a = ops.cos(r - shy) / ops.cos(shy)
    b = -(a * ops.tan(shx) + ops.sin(r))
    c = ops.sin(r - shy) / ops.cos(shy)
    d = ops.cos(r) - c * ops.tan(shx)
    m00, m01, m10, m11 = d * s, -b * s, -c * s, a * s
    x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)  # each (B, N, 1)
    xs = ops.concatenate([x1, x2, x2, x1], axis=-1)  # the four corners, (B, N, 4)
    ys = ops.concatenate([y1, y1, y2, y2], axis=-1)
    # Translation first, then the linear map around the center.
    u = xs - cx + tx
    v = ys - cy + ty
    new_x = m00 * u + m01 * v + cx
    new_y = m10 * u + m11 * v + cy
    out = ops.stack([ops.min(new_x, axis=-1), ops.min(new_y, axis=-1),
                     ops.max(new_x, axis=-1), ops.max(new_y, axis=-1)], axis=-1)
    out = _convert(out, "xyxy", fmt, height, width, dtype, caller)
    return out[0] if unbatched else out


def _absolute_format(bounding_box_format, caller):
    fmt = _check_format("bounding_box_format", bounding_box_format, caller)
    if fmt.startswith("rel_"):
        raise ValueError(f"{caller}: pixel offsets need an absolute format, received the relative "
                         f"bounding_box_format={bounding_box_format!r}")
    return fmt


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Crops bounding boxes to the region at ``(top, left)`` of size ``height x width``.

    Boxes are moved into the coordinates of the region and clipped to it.

    Args:
        boxes: array/tensor of shape ``(N, 4)`` or ``(batch_size, N, 4)``.
        top: vertical offset of the region's top-left corner.
        left: horizontal offset of the region's top-left corner.
        height: height of the region (None: no clipping along y).
        width: width of the region (None: no clipping along x).
        bounding_box_format: format of the boxes (an absolute one).

    Returns:
        The cropped boxes, in ``bounding_box_format``.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> boxes = np.array([[10, 20, 50, 60], [70, 80, 100, 120]])
        >>> out = crop(boxes, top=10, left=20, height=40, width=30)
        >>> ops.convert_to_numpy(out).tolist()
        [[0.0, 10.0, 30.0, 40.0], [30.0, 40.0, 30.0, 40.0]]
    """
    caller = "crop"
    fmt = _absolute_format(bounding_box_format, caller)
    boxes = ops.cast(ops.convert_to_tensor(boxes), "float32")
    _check_last_axis(boxes, caller)
    x1, y1, x2, y2 = _to_corners(boxes, fmt, None, None, caller)
    x1, x2, y1, y2 = x1 - left, x2 - left, y1 - top, y2 - top
    if width is not None:
        x1, x2 = ops.clip(x1, 0.0, float(width)), ops.clip(x2, 0.0, float(width))
    if height is not None:
        y1, y2 = ops.clip(y1, 0.0, float(height)), ops.clip(y2, 0.0, float(height))
    return _from_corners(x1, y1, x2, y2, fmt, None, None)


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Pads bounding boxes: moves them by ``top`` pixels down and ``left`` pixels right.

    This is what happens to boxes when an image gets ``top`` rows and ``left`` columns of
    padding; ``height`` and ``width`` (of the image) are accepted for symmetry with
    ``crop`` and not needed.

    Args:
        boxes: array/tensor of shape ``(N, 4)`` or ``(batch, N, 4)``.
        top: vertical padding added above the image.
        left: horizontal padding added to the left of the image.
        height: image height (unused).
        width: image width (unused).
        bounding_box_format: format of the boxes (an absolute one).

    Returns:
        The padded boxes, in ``bounding_box_format``.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> ops.convert_to_numpy(pad(np.array([[1, 2, 3, 4]]), top=10, left=5)).tolist()
        [[6.0, 12.0, 8.0, 14.0]]
    """
    caller = "pad"
    fmt = _absolute_format(bounding_box_format, caller)
    boxes = ops.cast(ops.convert_to_tensor(boxes), "float32")
    _check_last_axis(boxes, caller)
    x1, y1, x2, y2 = _to_corners(boxes, fmt, None, None, caller)
    return _from_corners(x1 + left, y1 + top, x2 + left, y2 + top, fmt, None, None)


def _image_size(image_shape, caller):
    if image_shape is None:
        return None, None
    if len(image_shape) < 2:
        raise ValueError(f"{caller}: `image_shape` must be (height, width, channels), received {image_shape!r}")
    return image_shape[0], image_shape[1]


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None):
    """Computes the pairwise intersection over union (IoU) of two sets of boxes.

    Shapes: ``(M, 4)`` and ``(N, 4)`` give ``(M, N)``; when either is batched
    (``(batch, M, 4)`` / ``(batch, N, 4)``) the result is ``(batch, M, N)``.

    Args:
        boxes1: first set of boxes.
        boxes2: second set of boxes.
        bounding_box_format: format of both sets (a relative one needs ``image_shape``).
        use_masking: give ``mask_val`` to every pair with a padding box (one whose four
            coordinates are all negative).
        mask_val: value given to masked pairs.
        image_shape: ``(height, width, channels)`` of the image, for relative formats.

    Returns:
        The IoU table.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> a = np.array([[0.0, 0.0, 2.0, 2.0]])
        >>> b = np.array([[1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 2.0, 2.0]])
        >>> np.round(np.float64(ops.convert_to_numpy(compute_iou(a, b, "xyxy"))), 4).tolist()
        [[0.1429, 1.0]]
    """
    caller = "compute_iou"
    fmt = _check_format("bounding_box_format", bounding_box_format, caller)
    for name, value in (("boxes1", boxes1), ("boxes2", boxes2)):
        rank = len(ops.shape(ops.convert_to_tensor(value)))
        if rank not in (2, 3):
            raise ValueError(f"{caller}: `{name}` must have shape (N, 4) or (batch, N, 4), received rank {rank}")
    if fmt.startswith("rel_") and image_shape is None:
        raise ValueError(f"{caller}: the relative format {fmt!r} needs `image_shape`, received None")
    height, width = _image_size(image_shape, caller)
    first = _convert(boxes1, fmt, "xyxy", height, width, "float32", caller)
    second = _convert(boxes2, fmt, "xyxy", height, width, "float32", caller)
    a = ops.expand_dims(first, -2)  # (..., M, 1, 4)
    b = ops.expand_dims(second, -3)  # (..., 1, N, 4)
    ax1, ay1, ax2, ay2 = ops.split(a, 4, axis=-1)
    bx1, by1, bx2, by2 = ops.split(b, 4, axis=-1)
    inter_w = ops.maximum(ops.minimum(ax2, bx2) - ops.maximum(ax1, bx1), 0.0)
    inter_h = ops.maximum(ops.minimum(ay2, by2) - ops.maximum(ay1, by1), 0.0)
    inter = ops.squeeze(inter_w * inter_h, axis=-1)
    area_a = ops.squeeze((ax2 - ax1) * (ay2 - ay1), axis=-1)
    area_b = ops.squeeze((bx2 - bx1) * (by2 - by1), axis=-1)
    iou = inter / (area_a + area_b - inter + config.epsilon())
    if not use_masking:
        return iou
    padding_a = ops.max(a, axis=-1) < 0.0  # (..., M, 1)
    padding_b = ops.max(b, axis=-1) < 0.0  # (..., 1, N)
    masked = ops.logical_or(padding_a, padding_b)
    return ops.where(masked, ops.cast(mask_val, ops.dtype(iou)), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Computes the Complete IoU (CIoU) of matching boxes (element-wise, not pairwise).

    CIoU is the IoU minus two penalties: the squared distance of the box centers over the
    squared diagonal of the smallest box holding both, and an aspect-ratio term
    ``alpha * v`` with ``v = 4 / pi**2 * (arctan(w2 / h2) - arctan(w1 / h1))**2`` and
    ``alpha = v / (v - iou + 1)``.

    Args:
        boxes1: boxes of shape ``(..., 4)``.
        boxes2: boxes of the same shape.
        bounding_box_format: format of both (a relative one needs ``image_shape``).
        image_shape: ``(height, width, channels)`` of the image, for relative formats.

    Returns:
        The CIoU of each pair, of shape ``(...)``.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> a = np.array([[0.0, 0.0, 2.0, 2.0]])
        >>> np.round(np.float64(ops.convert_to_numpy(compute_ciou(a, a, "xyxy"))), 4).tolist()
        [1.0]
    """
    caller = "compute_ciou"
    fmt = _check_format("bounding_box_format", bounding_box_format, caller)
    if fmt.startswith("rel_") and image_shape is None:
        raise ValueError(f"{caller}: the relative format {fmt!r} needs `image_shape`, received None")
    height, width = _image_size(image_shape, caller)
    first = _convert(boxes1, fmt, "xyxy", height, width, "float32", caller)
    second = _convert(boxes2, fmt, "xyxy", height, width, "float32", caller)
    eps = config.epsilon()
    ax1, ay1, ax2, ay2 = ops.split(first, 4, axis=-1)
    bx1, by1, bx2, by2 = ops.split(second, 4, axis=-1)
    w1, h1 = ax2 - ax1, ay2 - ay1 + eps
    w2, h2 = bx2 - bx1, by2 - by1 + eps
    inter = (ops.maximum(ops.minimum(ax2, bx2) - ops.maximum(ax1, bx1), 0.0)
             * ops.maximum(ops.minimum(ay2, by2) - ops.maximum(ay1, by1), 0.0))
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = ops.squeeze(inter / (union + eps), axis=-1)
    diagonal = ops.squeeze((ops.maximum(ax2, bx2) - ops.minimum(ax1, bx1)) ** 2
                           + (ops.maximum(ay2, by2) - ops.minimum(ay1, by1)) ** 2 + eps, axis=-1)
    centers = ops.squeeze(((ax1 + ax2) / 2 - (bx1 + bx2) / 2) ** 2 + ((ay1 + ay2) / 2 - (by1 + by2) / 2) ** 2,
                          axis=-1)
    v = ops.squeeze((4 / math.pi ** 2) * (ops.arctan(w2 / h2) - ops.arctan(w1 / h1)) ** 2, axis=-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (centers / diagonal + v * alpha)


_CENTER_FORMATS = ("center_xywh", "center_yxhw")


def _check_delta_args(variance, encoding, name, caller):
    if encoding not in _CENTER_FORMATS:
        raise ValueError(f"{caller}: `{name}` must be 'center_xywh' or 'center_yxhw', received {encoding!r}")
    if variance is None:
        return None
    variance = ops.cast(ops.convert_to_tensor(variance), "float32")
    if tuple(ops.shape(variance))[-1:] != (4,):
        raise ValueError(f"{caller}: `variance` must have 4 values, received shape {tuple(ops.shape(variance))}")
    return variance


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format, encoding_format="center_yxhw", variance=None,
                         image_shape=None):
    """Encodes bounding boxes relative to anchors as deltas.

    Anchors and boxes are converted to ``encoding_format`` (a center format); the deltas
    are the center offset divided by the anchor size and the log of the size ratio,
    ``[(center - anchor_center) / anchor_size, log(size / anchor_size)]``, divided by
    ``variance`` when given.

    Args:
        anchors: anchor boxes of shape ``(N, 4)``.
        boxes: boxes to encode, ``(N, 4)`` or ``(B, N, 4)``.
        anchor_format: format of ``anchors``.
        box_format: format of ``boxes``.
        encoding_format: ``"center_yxhw"`` (default) or ``"center_xywh"``.
        variance: 4 factors the deltas are divided by, or None.
        image_shape: ``(height, width, channels)``, for relative formats.

    Returns:
        The deltas, in the order of ``encoding_format``.

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> anchors = np.array([[0.0, 0.0, 10.0, 10.0]])
        >>> boxes = np.array([[5.0, 0.0, 15.0, 20.0]])
        >>> deltas = encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", "center_xywh")
        >>> np.round(np.float64(ops.convert_to_numpy(deltas)), 4).tolist()
        [[0.5, 0.5, 0.0, 0.6931]]
    """
    caller = "encode_box_to_deltas"
    variance = _check_delta_args(variance, encoding_format, "encoding_format", caller)
    height, width = _image_size(image_shape, caller)
    encoded_anchors = convert_format(anchors, anchor_format, encoding_format, height=height, width=width)
    encoded_boxes = convert_format(boxes, box_format, encoding_format, height=height, width=width)
    anchor_size = ops.maximum(encoded_anchors[..., 2:], config.epsilon())
    box_size = ops.maximum(encoded_boxes[..., 2:], config.epsilon())
    deltas = ops.concatenate([(encoded_boxes[..., :2] - encoded_anchors[..., :2]) / anchor_size,
                              ops.log(box_size / anchor_size)], axis=-1)
    if variance is not None:
        deltas = deltas / variance
    return deltas


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format, encoded_format="center_yxhw",
                           variance=None, image_shape=None):
    """Converts deltas (from ``encode_box_to_deltas``) back to boxes in ``box_format``.

    Args:
        anchors: anchor boxes ``(N, 4)``, or a dict of them (one entry per feature level).
        boxes_delta: deltas ``(N, 4)`` or ``(B, N, 4)``, or a dict with the same keys as
            ``anchors``.
        anchor_format: format of ``anchors``.
        box_format: format of the returned boxes.
        encoded_format: ``"center_yxhw"`` (default) or ``"center_xywh"``: the order of the
            deltas.
        variance: 4 factors the deltas are multiplied by first, or None.
        image_shape: ``(height, width, channels)``, for relative formats.

    Returns:
        The decoded boxes (a dict of them when dicts were given).

    Example:
        >>> import numpy as np
        >>> from kiln import ops
        >>> anchors = np.array([[0.0, 0.0, 10.0, 10.0]])
        >>> deltas = np.array([[0.5, 0.5, 0.0, np.log(2.0)]])
        >>> boxes = decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy", "center_xywh")
        >>> np.round(np.float64(ops.convert_to_numpy(boxes)), 4).tolist()
        [[5.0, 0.0, 15.0, 20.0]]
    """
    caller = "decode_deltas_to_boxes"
    variance = _check_delta_args(variance, encoded_format, "encoded_format", caller)
    height, width = _image_size(image_shape, caller)

    def decode(anchor, delta):
        encoded_anchor = convert_format(anchor, anchor_format, encoded_format, height=height, width=width)
        delta = ops.cast(ops.convert_to_tensor(delta), "float32")
        if variance is not None:
            delta = delta * variance
        boxes = ops.concatenate([delta[..., :2] * encoded_anchor[..., 2:] + encoded_anchor[..., :2],
                                 ops.exp(delta[..., 2:]) * encoded_anchor[..., 2:]], axis=-1)
        return convert_format(boxes, encoded_format, box_format, height=height, width=width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
