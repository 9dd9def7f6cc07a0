"""Identity: conformance, pass-through of values, structures and masks."""

import numpy as np

from conformance import make_input, run_layer_test
from kiln import KerasTensor, layers, ops


def test_conformance():
    x = make_input((2, 3, 4))
    run_layer_test(layers.Identity, {}, input_shape=(2, 3, 4), input_data=x, expected_output=x,
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0,
                   input_mask=np.array([[True, False, True], [True, True, False]]),
                   expected_output_mask=np.array([[True, False, True], [True, True, False]]))


def test_structures_and_symbolic():
    a, b = ops.ones((1, 2)), ops.zeros((1, 3))
    out = layers.Identity()([a, b])
    assert out[0] is a and out[1] is b
    t = KerasTensor((None, 5), dtype="int32")
    s = layers.Identity()(t)
    assert s is not t and s.shape == (None, 5) and s.dtype == "int32"


def test_mask_passes_through():
    assert layers.Identity().compute_mask(None, "m") == "m"
    x = KerasTensor((None, 4, 2))
    masked = layers.Masking()(x)
    assert layers.Identity()(masked)._keras_mask is not None


def test_config_keys():
    assert list(layers.Identity(name="same").get_config()) == ["name", "trainable", "dtype"]
    np.testing.assert_equal(layers.Identity.from_config({"name": "i"}).name, "i")
