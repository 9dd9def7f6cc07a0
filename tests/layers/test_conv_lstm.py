"""ConvLSTM1D/2D/3D: conformance, ConvLSTM2D vs a NumPy step-by-step reference, states, masks, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _conv2d(x, w, padding, strides=(1, 1)):
    """NumPy 'valid'/'same' cross-correlation, channels_last: x (B, H, W, C), w (kh, kw, C, O)."""
    kh, kw = w.shape[:2]
    if padding == "same":
        h, wd = x.shape[1:3]
        out_h, out_w = -(-h // strides[0]), -(-wd // strides[1])
        pad_h = max((out_h - 1) * strides[0] + kh - h, 0)
        pad_w = max((out_w - 1) * strides[1] + kw - wd, 0)
        x = np.pad(x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    windows = windows[:, ::strides[0], ::strides[1]]  # (B, H', W', C, kh, kw)
    return np.einsum("bhwcij,ijco->bhwo", windows, w)


def _dilate(kernel, rate):
    """The kernel with ``rate - 1`` zeros between taps: a plain convolution with it is dilated."""
    kh, kw = kernel.shape[:2]
    out = np.zeros(((kh - 1) * rate + 1, (kw - 1) * rate + 1) + kernel.shape[2:], kernel.dtype)
    out[::rate, ::rate] = kernel
    return out


def _reference(x, kernel, recurrent_kernel, bias, padding, strides=(1, 1), go_backwards=False,
               mask=None, dilation=1):
    """ConvLSTM2D by hand: gates i, f, c, o; returns every step's h and the last (h, c)."""
    steps = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    k = np.split(_dilate(kernel, dilation), 4, axis=-1)
    rk = np.split(recurrent_kernel, 4, axis=-1)
    b = np.split(bias, 4)
    h = c = None
    outputs = []
    for t in steps:
        xt = x[:, t]
        gates = [_conv2d(xt, k[g], padding, strides) + b[g] for g in range(4)]
        if h is None:
            h = c = np.zeros_like(gates[0])
        gates = [gates[g] + _conv2d(h, rk[g], "same") for g in range(4)]
        i, f, o = _sigmoid(gates[0]), _sigmoid(gates[1]), _sigmoid(gates[3])
        new_c = f * c + i * np.tanh(gates[2])
        new_h = o * np.tanh(new_c)
        if mask is not None:
            keep = mask[:, t].reshape(-1, 1, 1, 1)
            new_h, new_c = np.where(keep, new_h, h), np.where(keep, new_c, c)
        h, c = new_h, new_c
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


def test_conformance_2d_sequences():
    run_layer_test(layers.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "padding": "same",
                                       "return_sequences": True},
                   input_shape=(2, 3, 4, 4, 2), expected_output_shape=(2, 3, 4, 4, 2),
                   expected_num_trainable_weights=3, expected_num_non_trainable_weights=0,
                   expected_num_seed_generators=0, rtol=1e-4, atol=1e-4)


def test_conformance_1d_with_mask():
    mask = np.array([[True, True, False], [True, False, False]])
    run_layer_test(layers.ConvLSTM1D, {"filters": 2, "kernel_size": 2, "return_sequences": True},
                   input_shape=(2, 3, 5, 2), expected_output_shape=(2, 3, 4, 2),
                   input_mask=mask, expected_output_mask=mask)


def test_conformance_3d_return_state():
    run_layer_test(layers.ConvLSTM3D, {"filters": 1, "kernel_size": 2, "return_state": True},
                   input_shape=(1, 2, 3, 3, 3, 1),
                   expected_output_shape=[(1, 2, 2, 2, 1)] * 3, expected_num_trainable_weights=3)


@pytest.mark.parametrize("padding, strides, dilation, go_backwards, data_format", [
    ("valid", 1, 2, False, "channels_last"), ("same", 2, 1, True, "channels_first")])
def test_2d_matches_numpy_step_by_step(padding, strides, dilation, go_backwards, data_format):
    x = make_input((2, 3, 5, 5, 2))
    first = data_format == "channels_first"
    layer = layers.ConvLSTM2D(3, (3, 2), strides=strides, padding=padding, go_backwards=go_backwards,
                              dilation_rate=dilation, data_format=data_format,
                              return_sequences=True, return_state=True,
                              bias_initializer="random_normal")
    fed = np.transpose(x, (0, 1, 4, 2, 3)).copy() if first else x
    seq, h, c = (to_numpy(t) for t in layer(ops.convert_to_tensor(fed)))
    if first:  # back to channels_last for the reference
        seq, h, c = np.moveaxis(seq, 2, -1), np.moveaxis(h, 1, -1), np.moveaxis(c, 1, -1)
    kernel, recurrent_kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 2, 12) and recurrent_kernel.shape == (3, 2, 3, 12)
    want_seq, want_h, want_c = _reference(x, kernel, recurrent_kernel, bias, padding,
                                          (strides, strides), go_backwards, dilation=dilation)
    np.testing.assert_allclose(seq, want_seq, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h, want_h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c, want_c, rtol=1e-5, atol=1e-5)


def test_2d_mask_holds_the_state():
    x = make_input((2, 3, 4, 4, 1))
    mask = np.array([[True, True, True], [True, False, False]])
    layer = layers.ConvLSTM2D(2, 3, padding="same", return_state=True)
    out, h, c = (to_numpy(t) for t in layer(ops.convert_to_tensor(x), mask=ops.convert_to_tensor(mask)))
    _, want_h, want_c = _reference(x, *layer.get_weights(), "same", mask=mask)
    np.testing.assert_allclose(out, want_h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c, want_c, rtol=1e-5, atol=1e-5)


def test_weights_names_and_unit_forget_bias():
    layer = layers.ConvLSTM1D(3, 2, name="cl")
    layer(KerasTensor((None, 4, 6, 5)))
    assert [v.path for v in layer.weights] == [
        "cl/conv_lstm_cell/kernel", "cl/conv_lstm_cell/recurrent_kernel", "cl/conv_lstm_cell/bias"]
    assert [tuple(v.shape) for v in layer.weights] == [(2, 5, 12), (2, 3, 12), (12,)]
    np.testing.assert_array_equal(layer.weights[2].numpy(), [0] * 3 + [1] * 3 + [0] * 6)
    no_forget = layers.ConvLSTM1D(3, 2, unit_forget_bias=False)
    no_forget(KerasTensor((None, 4, 6, 5)))
    np.testing.assert_array_equal(no_forget.weights[2].numpy(), np.zeros(12))


def test_symbolic_shapes_and_config_keys():
    out = layers.ConvLSTM2D(4, 3, strides=2, return_sequences=True)(KerasTensor((None, None, 9, 9, 2)))
    assert out.shape == (None, None, 4, 4, 4)
    config = layers.ConvLSTM3D(2, 1).get_config()
    assert list(config)[3:9] == ["return_sequences", "return_state", "go_backwards", "stateful",
                                 "unroll", "zero_output_for_mask"]
    assert list(config)[9:] == [
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
        "activation", "recurrent_activation", "use_bias", "kernel_initializer",
        "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
        "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
        "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed"]
    assert config["kernel_size"] == [1, 1, 1]


def test_dropout_only_in_training():
    layer = layers.ConvLSTM1D(2, 1, dropout=0.5, recurrent_dropout=0.5, seed=3)
    x = ops.convert_to_tensor(make_input((2, 3, 4, 2)))
    inference = to_numpy(layer(x, training=False))
    assert not np.allclose(to_numpy(layer(x, training=True)), inference)


def test_stateful_carries_state_and_resets():
    layer = layers.ConvLSTM1D(2, 1, stateful=True)
    x = ops.convert_to_tensor(make_input((1, 2, 3, 1)))
    first = to_numpy(layer(x))
    assert not np.allclose(to_numpy(layer(x)), first)
    layer.reset_state()
    np.testing.assert_allclose(to_numpy(layer(x)), first, rtol=1e-5, atol=1e-6)


def test_inside_bidirectional():
    layer = layers.Bidirectional(layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True))
    assert tuple(layer(ops.ones((1, 3, 4, 1))).shape) == (1, 3, 4, 4)


@pytest.mark.parametrize("kwargs, match", [
    ({"filters": -1, "kernel_size": 3}, "ConvLSTM2D: .*filters"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, "ConvLSTM2D: .*padding.*'valid', 'same'"),
    ({"filters": 2, "kernel_size": (3, 3, 3)}, "ConvLSTM2D: .*kernel_size"),
    ({"filters": 2, "kernel_size": 3, "data_format": "nhwc"}, "ConvLSTM2D: .*data_format"),
    ({"filters": 2, "kernel_size": 3, "activation": "nope"}, "nope"),
    ({"filters": 2, "kernel_size": 3, "dropout": "high"}, "ConvLSTM2D: .*dropout"),
])
def test_bad_arguments_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.ConvLSTM2D(**kwargs)


def test_bad_inputs_rejected():
    with pytest.raises(ValueError, match="conv_lstm_rank.*ndim=5"):
        layers.ConvLSTM2D(2, 3, name="conv_lstm_rank")(ops.ones((1, 3, 4, 4)))
    with pytest.raises(ValueError, match="static spatial dimensions"):
        layers.ConvLSTM2D(2, 3)(KerasTensor((None, 3, None, 4, 1)))
    with pytest.raises(ValueError, match="too small"):
        layers.ConvLSTM2D(2, 5)(ops.ones((1, 2, 3, 3, 1)))
