"""The backend-neutral nn rules: window/padding arithmetic, layout plans, checks, beam search."""

import ast
import doctest
import itertools
import pathlib

import numpy as np
import pytest

from kiln.backend.common import nn_rules as rules


def test_the_docstring_examples_hold():
    assert doctest.testmod(rules).failed == 0


def test_the_module_imports_no_framework():
    tree = ast.parse(pathlib.Path(rules.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import)
                              else [ast.alias(node.module or "")])}
    assert imported <= {"math", "numpy"}


@pytest.mark.parametrize("length,size,stride,dilation", [
    (5, 3, 2, 1), (6, 3, 2, 1), (7, 2, 3, 2), (1, 4, 1, 1), (9, 3, 1, 3), (4, 1, 4, 1)])
def test_same_padding_gives_ceil_length_over_stride_windows(length, size, stride, dilation):
    ((before, after),) = rules.same_padding((length,), (size,), (stride,), (dilation,))
    assert 0 <= after - before <= 1  # the odd element goes at the end, as TensorFlow
    (count,) = rules.window_counts((length + before + after,), (size,), (stride,), (dilation,))
    assert count == -(-length // stride)


def test_same_padding_uses_only_operators_so_array_lengths_work():
    pads = rules.same_padding((np.int32(5),), (3,), (2,))
    assert [tuple(int(v) for v in pair) for pair in pads] == [(1, 1)]


@pytest.mark.parametrize("length,size,stride,dilation,pad", [
    (7, 3, 2, 1, 0), (8, 2, 3, 2, 1), (4, 4, 1, 1, 0), (6, 3, 1, 2, 2)])
def test_window_counts_and_slices_match_a_loop_over_windows(length, size, stride, dilation, pad):
    padded = np.arange(length + 2 * pad)
    (count,) = rules.window_counts((length,), (size,), (stride,), (dilation,), (pad,))
    starts = range(0, len(padded) - rules.dilated_size(size, dilation) + 1, stride)
    assert count == len(starts)
    for tap in range(size):
        (taken,) = rules.window_slices((tap,), (dilation,), (stride,), (count,))
        assert padded[taken].tolist() == [padded[s + tap * dilation] for s in starts]


# output_padding must be smaller than the stride
@pytest.mark.parametrize("padding,output_padding,length,size,stride,dilation", [
    (padding, output_padding) + dims
    for padding, output_padding in (("valid", None), ("same", None), ("valid", 1), ("same", 0),
                                    ("same", 1))
    for dims in ((4, 3, 2, 1), (3, 2, 3, 1), (5, 3, 1, 2))
    if output_padding is None or output_padding < dims[2]])
def test_conv_transpose_padding_gives_the_keras_output_length(
        padding, output_padding, length, size, stride, dilation):
    ((before, after),) = rules.conv_transpose_padding(
        (size,), (stride,), padding.upper(), output_padding, (dilation,), "conv_transpose")
    span = rules.dilated_size(size, dilation)
    got = (length - 1) * stride + 1 + before + after - span + 1
    if output_padding is None:
        want = length * stride if padding == "same" else (length - 1) * stride + max(span, stride)
    else:
        pad = span // 2 if padding == "same" else 0
        want = (length - 1) * stride + span - 2 * pad + output_padding
    assert got == want


def test_conv_transpose_padding_checks_its_arguments():
    with pytest.raises(ValueError, match="conv_transpose: padding"):
        rules.conv_transpose_padding((3,), (1,), "full", None, (1,), "conv_transpose")
    with pytest.raises(ValueError, match="conv_transpose: `output_padding`"):
        rules.conv_transpose_padding((3, 3), (2, 2), "same", (1, 1, 1), (1, 1), "conv_transpose")


@pytest.mark.parametrize("length,size", [(5, 2), (7, 3), (4, 4), (3, 5), (10, 4)])
def test_adaptive_pool_bins_average_floor_to_ceil_bins(length, size):
    values = np.arange(length, dtype=float) ** 2
    index, weights = rules.adaptive_pool_bins(length, size)
    want = [values[(i * length) // size:-(-((i + 1) * length) // size)].mean() for i in range(size)]
    np.testing.assert_allclose((values[index] * weights).sum(axis=1), want)
    want_max = [values[(i * length) // size:-(-((i + 1) * length) // size)].max()
                for i in range(size)]
    np.testing.assert_allclose(values[index].max(axis=1), want_max)


def _rearrange(x, plan):
    split, permutation, output = plan
    return x.reshape(split).transpose(permutation).reshape(output)


def test_depth_to_space_plan_follows_tensorflow_order_and_space_to_depth_inverts_it():
    x = np.arange(8).reshape(1, 1, 1, 8)
    y = _rearrange(x, rules.depth_to_space_plan(x.shape, 2, "channels_last"))
    assert y[0, :, :, 0].tolist() == [[0, 2], [4, 6]] and y[0, 0, 1].tolist() == [2, 3]
    for data_format, shape in (("channels_last", (2, 3, 4, 12)), ("channels_first", (2, 12, 3, 4))):
        x = np.arange(np.prod(shape)).reshape(shape)
        y = _rearrange(x, rules.depth_to_space_plan(x.shape, 2, data_format))
        back = _rearrange(y, rules.space_to_depth_plan(y.shape, 2, data_format))
        np.testing.assert_array_equal(back, x)
    first = _rearrange(np.moveaxis(x, 1, -1), rules.depth_to_space_plan((2, 3, 4, 12), 2,
                                                                        "channels_last"))
    np.testing.assert_array_equal(np.moveaxis(y, 1, -1), first)


def test_channel_permutations_invert_each_other():
    x = np.zeros((2, 3, 4, 5))
    assert np.transpose(x, rules.channels_first_axes(4)).shape == (2, 5, 3, 4)
    back = np.transpose(np.transpose(x, rules.channels_first_axes(4)), rules.channels_last_axes(4))
    assert back.shape == x.shape


def test_argument_normalizers():
    assert rules.spatial_tuple(np.int64(2), 2, "strides", "conv") == (2, 2)
    assert rules.pool_window((2, 3), None, 2, "max_pool") == ((2, 3), (2, 3))
    assert rules.fold_arguments(2, (1, 2), 0, 1, "fold") == ((2, 2), (1, 2), (0, 0), (1, 1))
    assert rules.axis_argument((0, np.int64(1))) == (0, 1)
    assert rules.axes_tuple(np.int64(2)) == (2,)
    assert rules.leading_ones_shape((3,), 4) == (1, 1, 1, 3)
    assert rules.attention_scale(None, 4) == 0.5
    assert rules.conv_groups(4, (3, 2, None), (1, 5, 4)) == 2
    assert rules.fold_block_counts((None, None, None), (4, 4), (2, 2), (1, 1), (0, 0),
                                   (1, 1)) == (3, 3)


@pytest.mark.parametrize("call,match", [
    (lambda: rules.spatial_tuple((1, 2), 3, "dilation_rate", "conv"), "conv: `dilation_rate`"),
    (lambda: rules.padding_mode("causal", "average_pool"), "average_pool: padding"),
    (lambda: rules.spatial_rank((2, 3), "adaptive_max_pool"), "adaptive_max_pool: inputs.*rank"),
    (lambda: rules.check_kernel_rank((3, 4), (1, 5, 2), "depthwise_conv"),
     r"depthwise_conv: kernel must have rank 3 \(\*spatial, in_channels, multiplier\)"),
    (lambda: rules.conv_groups(5, (3, 2, 4), (1, 5, 5)), r"conv: input channels \(5\)"),
    (lambda: rules.conv_groups(4, (3, 2, 3), (1, 5, 4)), "conv: with 2 groups"),
    (lambda: rules.check_depthwise_channels(3, (3, 2, 1), (1, 5, 3)), "depthwise_conv: .*channels"),
    (lambda: rules.check_unfold_rank((2, 4, 4)), "unfold: x must have rank 4"),
    (lambda: rules.fold_block_counts((1, 6, 9), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1)),
     r"fold: x of shape \(1, 6, 9\)"),
    (lambda: rules.check_same_shape("psnr", "x1", (2, 3), "x2", (3, 2)), r"psnr: x1 and x2.*x1\.shape"),
    (lambda: rules.check_same_shape("categorical_crossentropy", "target", (2,), "output", (2, 1)),
     "categorical_crossentropy: target and output"),
    (lambda: rules.check_sparse_target_shape((3, 1), (3, 4), 0),
     r"sparse_categorical_crossentropy: .*expected \(4,\)"),
    (lambda: rules.check_even_axis((3, 5), 0, "glu"), "glu: the size of axis 0"),
    (lambda: rules.check_attention_heads(4, 3), "dot_product_attention: query heads"),
    (lambda: rules.check_ctc_strategy("prefix"), "ctc_decode: `strategy`"),
])
def test_errors_name_the_op_and_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_shape_checks_let_unknown_dims_and_ranks_pass():
    rules.check_same_shape("binary_crossentropy", "target", (None, 3), "output", (2, None))
    rules.check_same_shape("binary_crossentropy", "target", None, "output", (2, 3))
    rules.check_sparse_target_shape((None,), (2, 5), -1)
    rules.check_even_axis((None, None), -1, "glu")


def _collapse(path, blank):
    labels = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
    return tuple(labels)


@pytest.mark.parametrize("blank", [0, 2])
def test_ctc_beam_search_with_a_wide_beam_ranks_every_labelling_exactly(blank):
    rng = np.random.default_rng(3)
    log_probs = np.log(rng.dirichlet(np.ones(3), size=(2, 4)))
    lengths = np.array([4, 3])
    decoded, scores = rules.ctc_beam_search(log_probs, lengths, 1000, 3, blank)
    assert decoded.shape == (3, 2, 4) and decoded.dtype == np.int32 and scores.dtype == np.float32
    for b in range(2):
        totals = {}
        for path in itertools.product(range(3), repeat=int(lengths[b])):
            labels = _collapse(path, blank)
            p = np.exp(sum(log_probs[b, t, c] for t, c in enumerate(path)))
            totals[labels] = totals.get(labels, 0.0) + p
        best = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:3]
        for i, (labels, p) in enumerate(best):
            assert decoded[i, b].tolist() == list(labels) + [-1] * (4 - len(labels))
            np.testing.assert_allclose(scores[b, i], np.log(p), rtol=1e-5)
