"""EinsumDense: conformance, einsum against NumPy for several equations, weight shapes, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance_3d_with_none_output_axis():
    run_layer_test(layers.EinsumDense,
                   {"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "de",
                    "activation": "tanh"},
                   input_shape=(2, 4, 5), expected_output_shape=(2, 4, 2, 3),
                   expected_num_trainable_weights=2)


# (equation, output_shape, bias_axes, input shape, kernel shape, bias shape)
CASES = [
    ("ab,bc->ac", 4, "c", (2, 3), (3, 4), (4,)),
    ("ab,bc->ac", 4, None, (2, 3), (3, 4), None),
    ("abc,cd->abd", (None, 4), "d", (2, 3, 5), (5, 4), (4,)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 3, 5), (5, 2, 3), (2, 3)),
    ("abc,cd->abd", (3, 4), "b", (2, 3, 5), (5, 4), (3, 1)),
    ("abcd,cde->abe", (3, 4), "e", (2, 3, 5, 6), (5, 6, 4), (4,)),
    ("...b,bc->...c", 4, "c", (2, 3, 5), (5, 4), (4,)),
    ("ab...,bc->ac...", (4,), "c", (2, 5, 3, 2), (5, 4), (4, 1, 1)),
]


@pytest.mark.parametrize("equation,output_shape,bias_axes,shape,kernel_shape,bias_shape", CASES)
def test_matches_numpy_einsum(equation, output_shape, bias_axes, shape, kernel_shape, bias_shape):
    layer = layers.EinsumDense(equation, output_shape, bias_axes=bias_axes,
                               bias_initializer="random_normal")
    x = make_input(shape)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    assert tuple(layer.kernel.shape) == kernel_shape
    assert (layer.bias is None and bias_shape is None) or tuple(layer.bias.shape) == bias_shape
    expected = np.einsum(equation, x, layer.kernel.numpy())
    if layer.bias is not None:
        expected = expected + layer.bias.numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    # The symbolic shape keeps None batch (and sequence) dimensions.
    sym_shape = (None,) + tuple(shape[1:])
    assert layer.compute_output_shape(sym_shape) == (None,) + tuple(y.shape[1:])


def test_weight_paths_and_config_keys():
    layer = layers.EinsumDense("ab,bc->ac", 3, bias_axes="c", name="proj")
    layer.build((None, 2))
    assert [v.path for v in layer.weights] == ["proj/kernel", "proj/bias"]
    assert list(layer.get_config()) == [
        "name", "trainable", "dtype", "output_shape", "equation", "activation", "bias_axes",
        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "bias_constraint", "quantization_config"]
    assert layer.get_config()["output_shape"] == (3,)


def test_symbolic_call():
    out = layers.EinsumDense("abc,cd->abd", (None, 7))(KerasTensor((None, None, 3)))
    assert out.shape == (None, None, 7)


def test_mixed_precision():
    layer = layers.EinsumDense("ab,bc->ac", 3, bias_axes="c", dtype="mixed_bfloat16")
    y = layer(ops.ones((2, 4)))
    assert ops.dtype(y) == "bfloat16" and layer.kernel.dtype == "float32"


@pytest.mark.parametrize("equation", ["ab,bc", "ab,bc,cd->ad", "a1,bc->ac", "ab->b"])
def test_invalid_equation(equation):
    with pytest.raises(ValueError, match="equation"):
        layers.EinsumDense(equation, 3)


def test_output_shape_length_mismatch():
    with pytest.raises(ValueError, match="output_shape"):
        layers.EinsumDense("abc,cd->abd", 4)


def test_bias_axes_not_in_output():
    with pytest.raises(ValueError, match="bias_axes"):
        layers.EinsumDense("ab,bc->ac", 4, bias_axes="b")


def test_wrong_input_rank_names_layer():
    layer = layers.EinsumDense("abc,cd->abd", (None, 4), name="ed")
    with pytest.raises(ValueError, match="ed.*rank 3"):
        layer(ops.ones((2, 3)))


def test_output_shape_conflicting_with_input():
    layer = layers.EinsumDense("abc,cd->abd", (5, 4), name="ed2")
    with pytest.raises(ValueError, match="ed2.*size 5"):
        layer(ops.ones((2, 3, 6)))


def test_unknown_activation():
    with pytest.raises(ValueError, match="relu"):
        layers.EinsumDense("ab,bc->ac", 3, activation="not_an_activation")
