"""Sequential, functional and subclassed models: building, calling, config round trips, summary."""

import numpy as np
import pytest

import kiln
from kiln import layers, ops


def _np(x):
    return ops.convert_to_numpy(x)


def test_sequential_builds_from_input_and_paths():
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(2)], name="seq")
    assert model.built
    assert [w.path for w in model.weights] == ["seq/dense/kernel", "seq/dense/bias",
                                               "seq/dense_1/kernel", "seq/dense_1/bias"]
    out = model(np.ones((3, 4), "float32"))
    assert tuple(out.shape) == (3, 2)
    assert len(model.layers) == 2


def test_sequential_builds_on_first_call_without_input():
    model = kiln.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.built
    model(np.ones((2, 5), "float32"))
    assert model.built and model.count_params() == 5 * 3 + 3 + 3 + 1


def test_functional_multi_input_multi_output():
    a = kiln.Input((3,), name="a")
    b = kiln.Input((2,), name="b")
    merged = layers.Concatenate()([layers.Dense(4)(a), b])
    out1 = layers.Dense(1, name="score")(merged)
    out2 = layers.Dense(3, activation="softmax", name="label")(merged)
    model = kiln.Model([a, b], [out1, out2])
    y1, y2 = model([np.ones((5, 3), "float32"), np.ones((5, 2), "float32")])
    assert tuple(y1.shape) == (5, 1) and tuple(y2.shape) == (5, 3)
    np.testing.assert_allclose(_np(ops.sum(y2, axis=-1)), np.ones(5), rtol=1e-5)
    assert [l.name for l in model.layers][:2] == ["a", "b"]
    # Dict inputs by Input name.
    y1d, _ = model({"a": np.ones((5, 3), "float32"), "b": np.ones((5, 2), "float32")})
    np.testing.assert_allclose(_np(y1d), _np(y1), rtol=1e-6)


def test_functional_wrong_number_of_inputs():
    a = kiln.Input((3,))
    model = kiln.Model(a, layers.Dense(1)(a))
    with pytest.raises(ValueError, match="expects 1 input"):
        model([np.ones((1, 3)), np.ones((1, 3))])


def test_nested_model_as_layer():
    inner_in = kiln.Input((4,))
    inner = kiln.Model(inner_in, layers.Dense(2)(inner_in), name="inner")
    x = kiln.Input((4,))
    y = layers.Dense(1)(inner(x))
    outer = kiln.Model(x, y)
    assert tuple(outer(np.ones((2, 4), "float32")).shape) == (2, 1)
    assert len(outer.trainable_weights) == 4
    seq = kiln.Sequential([kiln.Input((4,)), inner, layers.Dense(3)])
    assert tuple(seq(np.ones((2, 4), "float32")).shape) == (2, 3)


def test_subclassed_model_tracks_layers_lists_and_dicts():
    class Net(kiln.Model):
        def __init__(self):
            super().__init__(name="net")
            self.blocks = [layers.Dense(4), layers.Dense(4)]
            self.heads = {"out": layers.Dense(1)}

        def call(self, x, training=False):
            for block in self.blocks:
                x = block(x)
            return self.heads["out"](x)

    net = Net()
    out = net(np.ones((2, 3), "float32"))
    assert tuple(out.shape) == (2, 1)
    assert len(net.trainable_weights) == 6
    assert net.weights[0].path == "net/dense/kernel"


def test_sequential_config_round_trip():
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(3, activation="relu"), layers.Dropout(0.1),
                             layers.Dense(2)], name="round")
    config = model.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert config["layers"][1]["module"] == "keras.layers"
    clone = kiln.Sequential.from_config(config)
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(_np(clone(x)), _np(model(x)), rtol=1e-5, atol=1e-6)


def test_functional_config_round_trip_keras_layout():
    a = kiln.Input((3,), name="numeric")
    b = kiln.Input((2,), name="extra")
    merged = layers.Concatenate(name="merge")([layers.Dense(4, name="nd")(a), b])
    model = kiln.Model([a, b], [layers.Dense(1, name="score")(merged), layers.Dense(2, name="label")(merged)],
                       name="two")
    config = model.get_config()
    assert config["input_layers"] == [["numeric", 0, 0], ["extra", 0, 0]]
    assert config["output_layers"] == [["score", 0, 0], ["label", 0, 0]]
    merge = [e for e in config["layers"] if e["name"] == "merge"][0]
    history = [t["config"]["keras_history"] for t in merge["inbound_nodes"][0]["args"][0]]
    assert history == [["nd", 0, 0], ["extra", 0, 0]]
    clone = kiln.Model.from_config(config)
    assert type(clone).__name__ == "Functional"
    clone.set_weights(model.get_weights())
    xs = [np.ones((2, 3), "float32"), np.ones((2, 2), "float32")]
    for got, want in zip(clone(xs), model(xs)):
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5)


def test_summary_lists_layers_and_params():
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(3, name="hidden"), layers.Dense(1, name="out")],
                            name="sum")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "sum"' in text
    assert "hidden (Dense)" in text and "(None, 3)" in text
    assert "Total params: 19" in text


def test_layer_input_error_names_layer_and_shapes():
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(2, name="first")])
    with pytest.raises(ValueError) as info:
        model(np.ones((2, 5), "float32"))
    message = str(info.value)
    assert "first" in message and "4" in message and "(2, 5)" in message
    assert "batch" in message
