"""The Layer base: tracking, build-on-call, training propagation, losses, stateless_call, config."""

import numpy as np
import pytest

import kiln
from kiln import layers, ops


def _np(x):
    return ops.convert_to_numpy(x)


class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

    def call(self, x, training=False):
        if training:
            self.count.assign(self.count + 1.0)
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_build_on_first_call_and_weights():
    layer = Scale(name="scale")
    assert not layer.built and layer.weights == []
    out = layer(np.ones((2, 3), "float32"))
    np.testing.assert_allclose(_np(out), 2 * np.ones((2, 3)))
    assert layer.built
    assert [v.path for v in layer.trainable_weights] == ["scale/w"]
    assert [v.path for v in layer.non_trainable_weights] == ["scale/count"]
    assert layer.count_params() == 4


def test_trainable_flag_moves_weights():
    layer = Scale()
    layer(np.ones((1, 2), "float32"))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_training_propagates_to_nested_layers():
    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Scale()

        def call(self, x):  # no `training` argument: inner layers inherit the caller's value
            return self.inner(x)

    outer = Outer()
    outer(np.ones((1, 2), "float32"), training=True)
    outer(np.ones((1, 2), "float32"), training=True)
    outer(np.ones((1, 2), "float32"))
    assert float(outer.inner.count.numpy()) == 2.0


def test_add_loss_collected_and_cleared_each_call():
    class Penalized(layers.Layer):
        def call(self, x):
            self.add_loss(ops.sum(x))
            return x

    class Wrapper(layers.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = [Penalized(), Penalized()]

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    model = Wrapper()
    model(np.ones((2, 2), "float32"))
    assert len(model.losses) == 2
    model(np.ones((2, 2), "float32"))
    assert len(model.losses) == 2
    assert float(_np(model.losses[0])) == 4.0


def test_weight_regularizer_loss():
    dense = layers.Dense(2, kernel_initializer="ones", kernel_regularizer=kiln.regularizers.L2(0.5))
    dense(np.ones((1, 3), "float32"))
    assert float(_np(dense.losses[0])) == pytest.approx(0.5 * 6)


def test_stateless_call_returns_updated_state_and_leaves_variables():
    layer = Scale()
    layer(np.ones((1, 2), "float32"))
    tv = [ops.convert_to_tensor(np.full((2,), 3.0, "float32"))]
    ntv = [v.value for v in layer.non_trainable_variables]
    out, new_ntv = layer.stateless_call(tv, ntv, np.ones((1, 2), "float32"), training=True)
    np.testing.assert_allclose(_np(out), [[6.0, 6.0]])
    assert float(_np(new_ntv[0])) == 1.0
    assert float(layer.count.numpy()) == 0.0
    np.testing.assert_allclose(layer.w.numpy(), [1.0, 1.0])
    with pytest.raises(ValueError, match="expected 1 trainable"):
        layer.stateless_call([], ntv, np.ones((1, 2), "float32"))


def test_stateless_call_return_losses():
    dense = layers.Dense(1, kernel_initializer="ones", kernel_regularizer=kiln.regularizers.L1(1.0))
    dense(np.ones((1, 2), "float32"))
    tv = [ops.convert_to_tensor(np.full((2, 1), 2.0, "float32")), ops.zeros((1,))]
    _, _, losses = dense.stateless_call(tv, [], np.ones((1, 2), "float32"), return_losses=True)
    assert float(_np(losses[0])) == pytest.approx(4.0)


def test_config_round_trip_and_missing_get_config_error():
    layer = Scale(factor=3.0, name="s3")
    clone = Scale.from_config(layer.get_config())
    assert clone.factor == 3.0 and clone.name == "s3"

    class NoConfig(layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

    with pytest.raises(NotImplementedError, match="get_config"):
        NoConfig(3).get_config()


def test_unknown_constructor_argument_is_an_error():
    with pytest.raises(ValueError, match="unrecognized keyword arguments"):
        layers.Dense(3, unitz=4)


@pytest.mark.skipif(kiln.backend.backend() != "torch", reason="torch modules")
def test_torch_layers_are_modules_with_stable_parameter_names():
    import torch

    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(4, name="hidden"), layers.Dense(1, name="out")])
    assert isinstance(model, torch.nn.Module)
    names = dict(model.named_parameters())
    assert set(names) == {"hidden.kernel", "hidden.bias", "out.kernel", "out.bias"}
    assert names["hidden.kernel"] is model.layers[0].kernel.value
    assert set(model.state_dict()) == set(names)
