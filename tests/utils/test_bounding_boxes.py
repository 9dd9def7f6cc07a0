"""``kiln.utils.bounding_boxes`` against NumPy computations written here."""

import math

import numpy as np
import pytest

from kiln import ops
from kiln.utils import bounding_boxes as bb

RNG = np.random.RandomState(0)
H, W = 50.0, 80.0


def np_boxes(n=6, batch=None):
    shape = (n,) if batch is None else (batch, n)
    x1 = RNG.uniform(0, 40, shape)
    y1 = RNG.uniform(0, 25, shape)
    return np.stack([x1, y1, x1 + RNG.uniform(1, 30, shape), y1 + RNG.uniform(1, 20, shape)], -1).astype("float32")


def as_np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


def reference_from_xyxy(b, fmt):
    x1, y1, x2, y2 = np.moveaxis(b, -1, 0)
    w, h = x2 - x1, y2 - y1
    table = {
        "xyxy": [x1, y1, x2, y2], "yxyx": [y1, x1, y2, x2], "xywh": [x1, y1, w, h],
        "center_xywh": [x1 + w / 2, y1 + h / 2, w, h], "center_yxhw": [y1 + h / 2, x1 + w / 2, h, w],
        "rel_xyxy": [x1 / W, y1 / H, x2 / W, y2 / H], "rel_yxyx": [y1 / H, x1 / W, y2 / H, x2 / W],
        "rel_xywh": [x1 / W, y1 / H, w / W, h / H],
        "rel_center_xywh": [(x1 + w / 2) / W, (y1 + h / 2) / H, w / W, h / H],
    }
    return np.stack(table[fmt], -1)


PAIRS = ([(fmt, "xyxy") for fmt in bb.FORMATS[1:]] + [("xyxy", fmt) for fmt in bb.FORMATS]
         + [("center_yxhw", "rel_xywh"), ("rel_center_xywh", "yxyx"), ("rel_xyxy", "rel_center_xywh")])


@pytest.mark.parametrize("source,target", PAIRS)
def test_convert_format_matches_numpy(source, target):
    xyxy = np_boxes(batch=2)
    boxes = reference_from_xyxy(xyxy, source).astype("float32")
    out = bb.convert_format(boxes, source.upper(), target, height=H, width=W)
    assert ops.is_tensor(out) and ops.dtype(out) == "float32"
    np.testing.assert_allclose(as_np(out), reference_from_xyxy(xyxy, target), rtol=1e-4, atol=1e-4)


def test_convert_format_dict_and_errors():
    data = {"boxes": np.array([[0, 0, 10, 20]]), "labels": np.array([3])}
    out = bb.convert_format(data, "xyxy", "xywh")
    np.testing.assert_allclose(as_np(out["boxes"]), [[0, 0, 10, 20]])
    assert out["labels"] is data["labels"]
    with pytest.raises(ValueError, match="target"):
        bb.convert_format(np.zeros((1, 4)), "xyxy", "xyz")
    with pytest.raises(ValueError, match="height"):
        bb.convert_format(np.zeros((1, 4)), "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="size 4"):
        bb.convert_format(np.zeros((1, 3)), "xyxy", "xywh")


def test_clip_to_image_size():
    boxes = np.array([[[-10, -20, 150, 160], [50, 40, 70, 80], [90, 10, 100, 30]]], dtype="float32")
    labels = np.array([[0, 1, 2]])
    out = bb.clip_to_image_size({"boxes": boxes, "labels": labels}, height=60, width=80)
    want = np.clip(boxes, 0, [80, 60, 80, 60])
    np.testing.assert_allclose(as_np(out["boxes"]), want)
    area = (want[..., 2] - want[..., 0]) * (want[..., 3] - want[..., 1])
    np.testing.assert_array_equal(as_np(out["labels"]), np.where(area > 0, labels, -1))
    rel = bb.clip_to_image_size({"boxes": np.array([[-0.5, 0.2, 1.5, 0.4]]), "labels": np.array([1])},
                                bounding_box_format="rel_xyxy")
    np.testing.assert_allclose(as_np(rel["boxes"]), [[0.0, 0.2, 1.0, 0.4]], rtol=1e-6)
    with pytest.raises(ValueError, match="height"):
        bb.clip_to_image_size({"boxes": boxes, "labels": labels})


def test_crop_and_pad():
    boxes = np_boxes()
    out = as_np(bb.crop(boxes, top=5, left=10, height=20, width=30))
    want = np.clip(boxes - [10, 5, 10, 5], 0, [30, 20, 30, 20])
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(as_np(bb.pad(boxes, top=5, left=10)), boxes + [10, 5, 10, 5], rtol=1e-6)
    xywh = reference_from_xyxy(boxes, "xywh")
    np.testing.assert_allclose(as_np(bb.pad(xywh, 5, 10, bounding_box_format="xywh")),
                               reference_from_xyxy(boxes + [10, 5, 10, 5], "xywh"), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="relative"):
        bb.crop(boxes, 0, 0, 1, 1, bounding_box_format="rel_xyxy")


def reference_affine(boxes, angle, tx, ty, scale, shx, shy, height, width, cx=0.5, cy=0.5):
    """Image-style affine map (rotation, shear, scale about the center, after translation), per corner."""
    r, sx, sy = [-math.radians(v) for v in (angle, shx, shy)]
    a = math.cos(r - sy) / math.cos(sy)
    b = -(a * math.tan(sx) + math.sin(r))
    c = math.sin(r - sy) / math.cos(sy)
    d = math.cos(r) - c * math.tan(sx)
    m = scale * np.array([[d, -b], [-c, a]])
    center = np.array([cx * width, cy * height])
    shift = np.array([tx * width, ty * height])
    out = []
    for x1, y1, x2, y2 in boxes:
        corners = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]])
        moved = (corners - center + shift) @ m.T + center
        out.append([*moved.min(0), *moved.max(0)])
    return np.array(out)


@pytest.mark.parametrize("angle,tx,ty,scale,shx,shy", [
    (0, 0, 0, 1, 0, 0), (30, 0, 0, 1, 0, 0), (0, 0.1, -0.2, 1, 0, 0), (0, 0, 0, 1.5, 0, 0),
    (-20, 0.05, 0.1, 0.8, 10, -5),
])
def test_affine_transform_matches_the_corner_map(angle, tx, ty, scale, shx, shy):
    boxes = np_boxes()
    out = as_np(bb.affine_transform(boxes, angle, tx, ty, scale, shx, shy, height=H, width=W))
    want = reference_affine(boxes.astype("float64"), angle, tx, ty, scale, shx, shy, H, W)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-3)


def test_affine_transform_special_cases_and_batches():
    box = np.array([[30.0, 20.0, 50.0, 30.0]])  # centered on the image center (40, 25)
    np.testing.assert_allclose(as_np(bb.affine_transform(box, 0, 0, 0, 1, 0, 0, H, W)), box, atol=1e-4)
    # A 90 degree turn about the box center swaps its width and height.
    np.testing.assert_allclose(as_np(bb.affine_transform(box, 90, 0, 0, 1, 0, 0, H, W)),
                               [[35.0, 15.0, 45.0, 35.0]], atol=1e-3)
    # Scale 2 about the center doubles the size.
    np.testing.assert_allclose(as_np(bb.affine_transform(box, 0, 0, 0, 2, 0, 0, H, W)),
                               [[20.0, 15.0, 60.0, 35.0]], atol=1e-4)
    batch = np.stack([box, box])
    out = as_np(bb.affine_transform(batch, np.array([0.0, 90.0]), 0, 0, 1, 0, 0, H, W))
    assert out.shape == (2, 1, 4)
    np.testing.assert_allclose(out[1], [[35.0, 15.0, 45.0, 35.0]], atol=1e-3)


def reference_iou(a, b):
    out = np.zeros((len(a), len(b)))
    for i, p in enumerate(a):
        for j, q in enumerate(b):
            iw = max(0.0, min(p[2], q[2]) - max(p[0], q[0]))
            ih = max(0.0, min(p[3], q[3]) - max(p[1], q[1]))
            inter = iw * ih
            union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
            out[i, j] = inter / union
    return out


def test_compute_iou_all_rank_combinations():
    a, b = np_boxes(4, batch=2), np_boxes(3, batch=2)
    want = np.stack([reference_iou(a[k], b[k]) for k in range(2)])
    np.testing.assert_allclose(as_np(bb.compute_iou(a, b, "xyxy")), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(as_np(bb.compute_iou(a[0], b[0], "xyxy")), want[0], rtol=1e-4, atol=1e-5)
    mixed = as_np(bb.compute_iou(a[0], b, "xyxy"))
    assert mixed.shape == (2, 4, 3)
    np.testing.assert_allclose(mixed[1], reference_iou(a[0], b[1]), rtol=1e-4, atol=1e-5)
    # Other formats give the same table.
    yxyx = bb.compute_iou(reference_from_xyxy(a[0], "yxyx"), reference_from_xyxy(b[0], "yxyx"), "yxyx")
    np.testing.assert_allclose(as_np(yxyx), want[0], rtol=1e-4, atol=1e-5)
    rel = bb.compute_iou(reference_from_xyxy(a[0], "rel_xyxy"), reference_from_xyxy(b[0], "rel_xyxy"),
                         "rel_xyxy", image_shape=(H, W, 3))
    np.testing.assert_allclose(as_np(rel), want[0], rtol=1e-4, atol=1e-5)


def test_compute_iou_masking_and_errors():
    a = np.array([[0.0, 0.0, 2.0, 2.0], [-1.0, -1.0, -1.0, -1.0]])
    b = np.array([[0.0, 0.0, 2.0, 2.0]])
    out = as_np(bb.compute_iou(a, b, "xyxy", use_masking=True, mask_val=-7))
    np.testing.assert_allclose(out, [[1.0], [-7.0]], atol=1e-5)
    with pytest.raises(ValueError, match="image_shape"):
        bb.compute_iou(a, b, "rel_xyxy")
    with pytest.raises(ValueError, match="boxes1"):
        bb.compute_iou(np.zeros(4), b, "xyxy")


def test_compute_ciou_matches_the_formula():
    a, b = np_boxes(5).astype("float64"), np_boxes(5).astype("float64")
    want = []
    for p, q in zip(a, b):
        iou = reference_iou([p], [q])[0, 0]
        cw = max(p[2], q[2]) - min(p[0], q[0])
        ch = max(p[3], q[3]) - min(p[1], q[1])
        dist = ((p[0] + p[2]) / 2 - (q[0] + q[2]) / 2) ** 2 + ((p[1] + p[3]) / 2 - (q[1] + q[3]) / 2) ** 2
        v = 4 / math.pi ** 2 * (math.atan((q[2] - q[0]) / (q[3] - q[1])) - math.atan((p[2] - p[0]) / (p[3] - p[1]))) ** 2
        alpha = v / (v - iou + 1)
        want.append(iou - dist / (cw ** 2 + ch ** 2) - alpha * v)
    np.testing.assert_allclose(as_np(bb.compute_ciou(a, b, "xyxy")), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(as_np(bb.compute_ciou(a, a, "xyxy")), np.ones(5), atol=1e-5)


@pytest.mark.parametrize("encoding", ["center_yxhw", "center_xywh"])
def test_encode_decode_deltas_round_trip(encoding):
    anchors = np_boxes(6)
    boxes = np_boxes(6, batch=2)
    variance = [0.1, 0.1, 0.2, 0.2]
    deltas = bb.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", encoding_format=encoding, variance=variance)
    # NumPy: center offsets over anchor size, log size ratio, over the variance.
    a = reference_from_xyxy(anchors, encoding)
    g = reference_from_xyxy(boxes, encoding)
    want = np.concatenate([(g[..., :2] - a[..., :2]) / a[..., 2:], np.log(g[..., 2:] / a[..., 2:])], -1) / variance
    np.testing.assert_allclose(as_np(deltas), want, rtol=1e-4, atol=1e-4)
    decoded = bb.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xywh", encoded_format=encoding, variance=variance)
    np.testing.assert_allclose(as_np(decoded), reference_from_xyxy(boxes, "xywh"), rtol=1e-4, atol=1e-3)
    levels = bb.decode_deltas_to_boxes({"p3": anchors}, {"p3": deltas}, "xyxy", "xyxy", encoded_format=encoding,
                                       variance=variance)
    np.testing.assert_allclose(as_np(levels["p3"]), boxes, rtol=1e-4, atol=1e-3)


def test_delta_argument_errors():
    anchors = np_boxes(2)
    with pytest.raises(ValueError, match="encoding_format"):
        bb.encode_box_to_deltas(anchors, anchors, "xyxy", "xyxy", encoding_format="xyxy")
    with pytest.raises(ValueError, match="variance"):
        bb.decode_deltas_to_boxes(anchors, anchors, "xyxy", "xyxy", variance=[1.0, 1.0])
