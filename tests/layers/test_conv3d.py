"""Conv3D: conformance and kernel shape."""

from conformance import run_layer_test
from kiln import layers


def test_conformance():
    layer = run_layer_test(layers.Conv3D, {"filters": 2, "kernel_size": 2}, input_shape=(1, 4, 4, 4, 3),
                           expected_output_shape=(1, 3, 3, 3, 2), expected_num_trainable_weights=2)
    assert layer.kernel.shape == (2, 2, 2, 3, 2)
