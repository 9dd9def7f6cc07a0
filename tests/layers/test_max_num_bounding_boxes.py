"""MaxNumBoundingBoxes: padding and truncation vs NumPy, unbatched inputs, pass-through,
tf.data, config and bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import KerasTensor, layers


def numpy_fit(values, max_number, fill_value):
    n = values.shape[1]
    if n >= max_number:
        return values[:, :max_number]
    pad = [(0, 0), (0, max_number - n)] + [(0, 0)] * (values.ndim - 2)
    return np.pad(values, pad, constant_values=fill_value)


def boxes_data(batch=2, n=3, seed=0):
    rng = np.random.default_rng(seed)
    return {"boxes": rng.uniform(0, 10, (batch, n, 4)).astype("float32"),
            "labels": rng.integers(0, 5, (batch, n)).astype("int32")}


def test_conformance_on_images():
    # A plain image tensor passes through unchanged (the boxes path is checked below), so
    # under a mixed policy it keeps its float32 dtype, as in Keras (no autocast).
    run_layer_test(layers.MaxNumBoundingBoxes, {"max_number": 4}, input_shape=(2, 4, 4, 3),
                   expected_output_shape=(2, 4, 4, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, mixed_output_dtype="float32")


@pytest.mark.parametrize("max_number,fill_value", [(5, -1), (2, 0), (3, 7)])
def test_pad_and_truncate(max_number, fill_value):
    data = {"images": np.zeros((2, 4, 4, 3), "float32"), "bounding_boxes": boxes_data()}
    out = layers.MaxNumBoundingBoxes(max_number, fill_value=fill_value)(data)
    for key in ("boxes", "labels"):
        got = to_numpy(out["bounding_boxes"][key])
        np.testing.assert_array_equal(got, numpy_fit(data["bounding_boxes"][key], max_number, fill_value))
        assert got.dtype == data["bounding_boxes"][key].dtype
    np.testing.assert_array_equal(to_numpy(out["images"]), data["images"])


def test_unbatched_and_symbolic():
    single = {k: v[0] for k, v in boxes_data().items()}
    out = layers.MaxNumBoundingBoxes(4)({"bounding_boxes": single})["bounding_boxes"]
    assert to_numpy(out["boxes"]).shape == (4, 4) and to_numpy(out["labels"]).tolist()[-1] == -1
    sym = {"bounding_boxes": {"boxes": KerasTensor((None, None, 4)), "labels": KerasTensor((None, None), "int32")}}
    spec = layers.MaxNumBoundingBoxes(6)(sym)["bounding_boxes"]
    assert spec["boxes"].shape == (None, 6, 4) and spec["labels"].shape == (None, 6)


def test_inside_tf_data():
    tf = pytest.importorskip("tensorflow")
    layer = layers.MaxNumBoundingBoxes(5)
    data = boxes_data(batch=4)
    ds = tf.data.Dataset.from_tensor_slices({"bounding_boxes": data}).batch(2)
    out = next(iter(ds.map(layer)))["bounding_boxes"]
    assert isinstance(out["boxes"], tf.Tensor)
    np.testing.assert_array_equal(out["boxes"].numpy(), numpy_fit(data["boxes"][:2], 5, -1))


def test_config():
    config = layers.MaxNumBoundingBoxes(3, fill_value=0, name="mnb").get_config()
    assert config["max_number"] == 3 and config["fill_value"] == 0
    assert layers.MaxNumBoundingBoxes.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs,match", [
    ({"max_number": 0}, "max_number"),
    ({"max_number": 2.5}, "max_number"),
    ({"max_number": 2, "fill_value": "pad"}, "fill_value"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"MaxNumBoundingBoxes.*{match}"):
        layers.MaxNumBoundingBoxes(**kwargs)


def test_unknown_box_keys():
    data = {"bounding_boxes": dict(boxes_data(), scores=np.zeros((2, 3), "float32"))}
    with pytest.raises(ValueError, match="MaxNumBoundingBoxes.*scores"):
        layers.MaxNumBoundingBoxes(2)(data)
