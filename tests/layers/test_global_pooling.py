"""Global pooling layers: conformance, values, keepdims, masks."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


@pytest.mark.parametrize("cls,shape,out", [
    (layers.GlobalAveragePooling2D, (2, 4, 5, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, (2, 4, 5, 3), (2, 3)),
    (layers.GlobalAveragePooling1D, (2, 6, 3), (2, 3)),
    (layers.GlobalMaxPooling1D, (2, 6, 3), (2, 3)),
])
def test_conformance(cls, shape, out):
    run_layer_test(cls, {}, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0)
    keep = tuple(1 if 0 < i < len(shape) - 1 else d for i, d in enumerate(shape))
    run_layer_test(cls, {"keepdims": True}, input_shape=shape, expected_output_shape=keep)


def test_values():
    x = make_input((2, 3, 4, 5))
    t = ops.convert_to_tensor(x)
    np.testing.assert_allclose(to_numpy(layers.GlobalAveragePooling2D()(t)), x.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(layers.GlobalMaxPooling2D()(t)), x.max(axis=(1, 2)))
    y = to_numpy(layers.GlobalAveragePooling2D(data_format="channels_first")(t))
    np.testing.assert_allclose(y, x.mean(axis=(2, 3)), rtol=1e-5, atol=1e-6)


def test_average_1d_with_mask():
    x = np.arange(12, dtype="float32").reshape(1, 4, 3)
    mask = np.array([[True, True, False, False]])
    y = to_numpy(layers.GlobalAveragePooling1D()(ops.convert_to_tensor(x), mask=ops.convert_to_tensor(mask)))
    np.testing.assert_allclose(y, x[:, :2].mean(axis=1))


def test_config_keys_match_keras():
    assert list(layers.GlobalAveragePooling1D().get_config()) == [
        "name", "trainable", "dtype", "data_format", "keepdims"]
