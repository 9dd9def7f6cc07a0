"""SpatialDropout1D/2D/3D: conformance, whole channels dropped, scaling, identity at inference, bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


@pytest.mark.parametrize("cls, shape", [(layers.SpatialDropout1D, (2, 3, 4)),
                                        (layers.SpatialDropout2D, (2, 3, 3, 4)),
                                        (layers.SpatialDropout3D, (2, 2, 2, 2, 3))])
def test_conformance(cls, shape):
    run_layer_test(cls, {"rate": 0.5, "seed": 1}, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   expected_num_seed_generators=1, training_changes_output=True)


def _pattern(cls, shape, channel_axis, **kwargs):
    x = np.ones(shape, np.float32)
    y = to_numpy(cls(0.4, seed=3, **kwargs)(ops.convert_to_tensor(x), training=True))
    spatial = tuple(i for i in range(1, len(shape)) if i != channel_axis % len(shape))
    # One decision per (sample, channel): constant over the spatial axes.
    assert (y == y.max(axis=spatial, keepdims=True)).all()
    kept = y.max(axis=spatial)
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.6)}
    return kept


@pytest.mark.parametrize("cls, shape, channel_axis, kwargs", [
    (layers.SpatialDropout1D, (400, 3, 10), -1, {}),
    (layers.SpatialDropout2D, (400, 2, 2, 10), -1, {}),
    (layers.SpatialDropout2D, (400, 10, 2, 2), 1, {"data_format": "channels_first"}),
    (layers.SpatialDropout3D, (400, 10, 2, 1, 2), 1, {"data_format": "channels_first"}),
])
def test_channels_are_dropped_whole_with_the_rate(cls, shape, channel_axis, kwargs):
    kept = _pattern(cls, shape, channel_axis, **kwargs)
    assert abs((kept == 0).mean() - 0.4) < 0.04


def test_mean_preserved_and_identity_at_inference():
    x = np.random.default_rng(0).random((400, 3, 10)).astype(np.float32)
    layer = layers.SpatialDropout1D(0.3, seed=0)
    y = to_numpy(layer(ops.convert_to_tensor(x), training=True))
    assert abs(y.mean() / x.mean() - 1) < 0.05
    np.testing.assert_array_equal(to_numpy(layer(ops.convert_to_tensor(x))), x)


def test_config_keys_match_keras():
    assert list(layers.SpatialDropout1D(0.2).get_config()) == ["rate", "seed", "name", "dtype"]
    assert list(layers.SpatialDropout2D(0.2, data_format="channels_first").get_config()) == [
        "rate", "seed", "name", "dtype", "data_format"]


def test_wrong_rank_rejected():
    with pytest.raises(ValueError, match="sd2.*ndim"):
        layers.SpatialDropout2D(0.5, name="sd2")(ops.ones((2, 3, 4)))


@pytest.mark.parametrize("rate", [-0.1, 1.5, "half"])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match="SpatialDropout1D.*rate"):
        layers.SpatialDropout1D(rate)


def test_bad_data_format():
    with pytest.raises(ValueError, match="SpatialDropout3D.*data_format"):
        layers.SpatialDropout3D(0.5, data_format="channels_middle")
