"""Backend-neutral rules of the nn ops, shared by the four backends' ``nn`` modules.

Argument checks (their errors name the op and the argument), window and padding
arithmetic of convolution, pooling and fold/unfold, adaptive-pooling bins,
reshape plans of depth/space rearrangement and the CTC prefix beam search work
on Python ints, shapes and NumPy arrays, so every backend computes the same
numbers once per call without tracing. ``same_padding`` and ``window_counts``
use only arithmetic operators, so they also take symbolic (graph) dimensions.

Example:
    >>> spatial_tuple(2, 3, "strides", "conv")
    (2, 2, 2)
    >>> same_padding((5,), (3,), (2,))
    [(1, 1)]
    >>> conv_transpose_padding((3,), (2,), "valid", None, (1,), "conv_transpose")
    [(2, 2)]
"""

import math

import numpy as np

# Logit given to masked-out attention positions: finite, so a fully masked row gives
# a uniform average instead of NaN, and far enough from float32's limit to add a bias.
ATTENTION_MASK_VALUE = -0.7 * float(np.finfo(np.float32).max)

# Kernel layout of each convolution op, named in its rank error.
KERNEL_LAYOUTS = {
    "conv": "*spatial, in_channels // groups, out_channels",
    "depthwise_conv": "*spatial, in_channels, multiplier",
    "conv_transpose": "*spatial, out_channels, in_channels",
}

CTC_STRATEGIES = ("greedy", "beam_search")


# ---------------------------------------------------------------- argument checks

def spatial_tuple(value, n, name, op_name):
    """An int, a 1-tuple or an ``n``-tuple as a tuple of ``n`` ints (one per spatial dim).

    Example:
        >>> spatial_tuple(3, 2, "pool_size", "max_pool")
        (3, 3)
        >>> spatial_tuple([2], 3, "strides", "conv")
        (2, 2, 2)
        >>> spatial_tuple((1, 2), 3, "strides", "conv")
        Traceback (most recent call last):
        ValueError: conv: `strides` must be an int or a tuple of 3 ints, received (1, 2)
    """
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"{op_name}: `{name}` must be an int or a tuple of {n} ints, "
                         f"received {value}")
    return value


def padding_mode(padding, op_name):
    """``padding`` checked and lower-cased: "valid" or "same".

    Example:
        >>> padding_mode("SAME", "conv")
        'same'
        >>> padding_mode("full", "max_pool")
        Traceback (most recent call last):
        ValueError: max_pool: padding must be 'valid' or 'same', received 'full'
    """
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{op_name}: padding must be 'valid' or 'same', received {padding!r}")
    return padding


def spatial_rank(shape, op_name):
    """Number of spatial dims of conv/pool inputs ``(batch, *spatial, channels)``: 1, 2 or 3.

    Example:
        >>> spatial_rank((2, 8, 8, 3), "conv")
        2
        >>> spatial_rank((8, 3), "max_pool")
        Traceback (most recent call last):
        ValueError: max_pool: inputs must have rank 3, 4 or 5 (batch, spatial..., channels), received shape (8, 3)
    """
    shape = tuple(shape)
    if len(shape) not in (3, 4, 5):
        raise ValueError(f"{op_name}: inputs must have rank 3, 4 or 5 (batch, spatial..., "
                         f"channels), received shape {shape}")
    return len(shape) - 2


def check_kernel_rank(kernel_shape, inputs_shape, op_name):
    """Raise unless the kernel has the inputs' rank (``op_name`` is a key of KERNEL_LAYOUTS).

    Example:
        >>> check_kernel_rank((3, 3, 2, 4), (1, 5, 5, 2), "conv")
        >>> check_kernel_rank((3, 2, 4), (1, 5, 5, 2), "conv")
        Traceback (most recent call last):
        ValueError: conv: kernel must have rank 4 (*spatial, in_channels // groups, out_channels) for inputs of shape (1, 5, 5, 2), received kernel shape (3, 2, 4)
    """
    kernel_shape, inputs_shape = tuple(kernel_shape), tuple(inputs_shape)
    if len(kernel_shape) != len(inputs_shape):
        raise ValueError(f"{op_name}: kernel must have rank {len(inputs_shape)} "
                         f"({KERNEL_LAYOUTS[op_name]}) for inputs of shape {inputs_shape}, "
                         f"received kernel shape {kernel_shape}")


def conv_groups(channels, kernel_shape, inputs_shape):
    """Group count of a convolution: input channels over the kernel's input channels.

    Example:
        >>> conv_groups(6, (3, 3, 2, 9), (1, 5, 5, 6))
        3
        >>> conv_groups(5, (3, 3, 2, 4), (1, 5, 5, 5))
        Traceback (most recent call last):
        ValueError: conv: input channels (5) must be a multiple of the kernel's input channels (2); inputs (1, 5, 5, 5), kernel (3, 3, 2, 4)
    """
    kernel_in, kernel_out = kernel_shape[-2], kernel_shape[-1]
    if kernel_in == 0 or channels % kernel_in:
        raise ValueError(f"conv: input channels ({channels}) must be a multiple of the kernel's "
                         f"input channels ({kernel_in}); inputs {tuple(inputs_shape)}, kernel "
                         f"{tuple(kernel_shape)}")
    groups = channels // kernel_in
    if kernel_out is not None and kernel_out % groups:
        raise ValueError(f"conv: with {groups} groups the kernel's output channels ({kernel_out}) "
                         f"must be a multiple of {groups}; kernel {tuple(kernel_shape)}")
    return groups


def check_depthwise_channels(channels, kernel_shape, inputs_shape):
    """Raise unless a depthwise kernel's input channels equal the inputs' channels.

    Example:
        >>> check_depthwise_channels(3, (3, 3, 3, 2), (1, 5, 5, 3))
    """
    if kernel_shape[-2] != channels:
        raise ValueError(f"depthwise_conv: the kernel's input channels ({kernel_shape[-2]}) must "
                         f"equal the inputs' channels ({channels}); inputs {tuple(inputs_shape)}, "
                         f"kernel {tuple(kernel_shape)}")


def pool_window(pool_size, strides, n, op_name):
    """(window, strides) of an ``n``-D pooling; strides default to the window.

    Example:
        >>> pool_window(2, None, 2, "max_pool")
        ((2, 2), (2, 2))
        >>> pool_window((3, 2), 1, 2, "average_pool")
        ((3, 2), (1, 1))
    """
    window = spatial_tuple(pool_size, n, "pool_size", op_name)
    strides = window if strides is None else spatial_tuple(strides, n, "strides", op_name)
    return window, strides


def fold_arguments(kernel_size, dilation, padding, stride, op_name):
    """(kernel_size, dilation, padding, stride) of fold/unfold, each as a pair of ints.

    Example:
        >>> fold_arguments(2, 1, (0, 1), 1, "unfold")
        ((2, 2), (1, 1), (0, 1), (1, 1))
    """
    return tuple(spatial_tuple(value, 2, name, op_name) for value, name in (
        (kernel_size, "kernel_size"), (dilation, "dilation"), (padding, "padding"),
        (stride, "stride")))


def check_unfold_rank(shape):
    """Raise unless unfold's input is an ``(N, C, H, W)`` image.

    Example:
        >>> check_unfold_rank((1, 2, 4, 4))
    """
    if len(tuple(shape)) != 4:
        raise ValueError(f"unfold: x must have rank 4 (N, C, H, W), received shape {tuple(shape)}")


def fold_block_counts(x_shape, output_size, kernel, dilation, padding, stride):
    """Blocks per spatial dim of fold's image; raise unless ``x`` has that many blocks.

    ``x`` is ``(N, C * kh * kw, L)``; dims that are None (unknown) are not checked.

    Example:
        >>> fold_block_counts((1, 8, 9), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1))
        (3, 3)
        >>> fold_block_counts((1, 8, 10), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1))
        Traceback (most recent call last):
        ValueError: fold: x of shape (1, 8, 10) does not match kernel_size (2, 2) and output_size (4, 4) (9 blocks)
    """
    counts = window_counts(output_size, kernel, stride, dilation, padding)
    _, rows, blocks = x_shape
    area = kernel[0] * kernel[1]
    if (rows is not None and rows % area) or (blocks is not None
                                              and blocks != counts[0] * counts[1]):
        raise ValueError(f"fold: x of shape {tuple(x_shape)} does not match kernel_size "
                         f"{tuple(kernel)} and output_size {tuple(output_size)} "
                         f"({counts[0] * counts[1]} blocks)")
    return counts


def check_same_shape(op_name, first_name, first_shape, second_name, second_shape):
    """Raise unless two shapes agree; None dims (unknown) match anything, a None shape too.

    Example:
        >>> check_same_shape("psnr", "x1", (2, None), "x2", (2, 3))
        >>> check_same_shape("binary_crossentropy", "target", (2, 3), "output", (2, 4))
        Traceback (most recent call last):
        ValueError: binary_crossentropy: target and output must have the same shape, received target.shape=(2, 3) and output.shape=(2, 4)
    """
    if first_shape is None or second_shape is None:
        return
    first_shape, second_shape = tuple(first_shape), tuple(second_shape)
    if not _compatible(first_shape, second_shape):
        raise ValueError(f"{op_name}: {first_name} and {second_name} must have the same shape, "
                         f"received {first_name}.shape={first_shape} and "
                         f"{second_name}.shape={second_shape}")


def check_sparse_target_shape(target_shape, output_shape, axis):
    """Raise unless sparse targets have the output's shape without its class ``axis``.

    Example:
        >>> check_sparse_target_shape((4,), (4, 3), -1)
        >>> check_sparse_target_shape((4, 2), (4, 3), -1)
        Traceback (most recent call last):
        ValueError: sparse_categorical_crossentropy: target must have the shape of output without its class axis, expected (4,), received target.shape=(4, 2) (output.shape=(4, 3))
    """
    target_shape, output_shape = tuple(target_shape), tuple(output_shape)
    axis = axis % len(output_shape)
    expected = output_shape[:axis] + output_shape[axis + 1:]
    if not _compatible(target_shape, expected):
        raise ValueError("sparse_categorical_crossentropy: target must have the shape of output "
                         f"without its class axis, expected {expected}, received "
                         f"target.shape={target_shape} (output.shape={output_shape})")


def check_even_axis(shape, axis, op_name):
    """Raise unless axis ``axis`` of ``shape`` has an even (or unknown) size, as glu splits it.

    Example:
        >>> check_even_axis((2, 4), -1, "glu")
        >>> check_even_axis((2, 5), -1, "glu")
        Traceback (most recent call last):
        ValueError: glu: the size of axis -1 must be even, received shape (2, 5)
    """
    size = tuple(shape)[axis]
    if size is not None and size % 2:
        raise ValueError(f"{op_name}: the size of axis {axis} must be even, received shape "
                         f"{tuple(shape)}")


def check_attention_heads(query_heads, key_heads):
    """Raise unless the query heads are a multiple of the key heads (grouped-query attention).

    Example:
        >>> check_attention_heads(8, 2)
        >>> check_attention_heads(3, 2)
        Traceback (most recent call last):
        ValueError: dot_product_attention: query heads (3) must be a multiple of key heads (2)
    """
    if query_heads % key_heads:
        raise ValueError(f"dot_product_attention: query heads ({query_heads}) must be a multiple "
                         f"of key heads ({key_heads})")


def attention_scale(scale, head_dim):
    """The logit scale: ``scale`` as a float, or ``1 / sqrt(head_dim)`` when it is None.

    Example:
        >>> attention_scale(None, 16), attention_scale(2, 16)
        (0.25, 2.0)
    """
    return 1.0 / math.sqrt(head_dim) if scale is None else float(scale)


def check_ctc_strategy(strategy):
    """Raise unless ``strategy`` is one of CTC_STRATEGIES.

    Example:
        >>> check_ctc_strategy("beam_search")
        >>> check_ctc_strategy("best")
        Traceback (most recent call last):
        ValueError: ctc_decode: `strategy` must be 'greedy' or 'beam_search', received 'best'
    """
    if strategy not in CTC_STRATEGIES:
        raise ValueError(f"ctc_decode: `strategy` must be 'greedy' or 'beam_search', received "
                         f"{strategy!r}")


def axis_argument(axis):
    """A reduction ``axis`` as None, an int or a tuple of ints (lists become tuples).

    Example:
        >>> axis_argument([0, 2]), axis_argument(-1), axis_argument(None)
        ((0, 2), -1, None)
    """
    if axis is None or isinstance(axis, (int, np.integer)):
        return None if axis is None else int(axis)
    return tuple(int(a) for a in axis)


def axes_tuple(axes):
    """Reduction ``axes`` (an int or a sequence) as a tuple of ints.

    Example:
        >>> axes_tuple(1), axes_tuple([0, 2])
        ((1,), (0, 2))
    """
    if isinstance(axes, (int, np.integer)):
        return (int(axes),)
    return tuple(int(a) for a in axes)


def _compatible(shape, other):
    return len(shape) == len(other) and all(
        a is None or b is None or a == b for a, b in zip(shape, other))


# ---------------------------------------------------------------- window arithmetic

def dilated_size(size, dilation):
    """Span of a window of ``size`` taps ``dilation`` apart.

    Example:
        >>> dilated_size(3, 2)
        5
    """
    return (size - 1) * dilation + 1


def same_padding(lengths, window_sizes, strides, dilations=None):
    """TF-style "same" padding, (before, after) per dim: ``ceil(length / stride)`` outputs,
    the odd element of padding at the end.

    Uses only arithmetic operators, so symbolic lengths (graph tensors) work too.

    Example:
        >>> same_padding((5, 6), (3, 2), (2, 2))
        [(1, 1), (0, 0)]
        >>> same_padding((6,), (3,), (1,), dilations=(2,))
        [(2, 2)]
    """
    dilations = (1,) * len(strides) if dilations is None else dilations
    pads = []
    for length, size, stride, dilation in zip(lengths, window_sizes, strides, dilations):
        outputs = -(-length // stride)
        total = (outputs - 1) * stride + dilated_size(size, dilation) - length
        total = (total + abs(total)) // 2  # max(total, 0) for ints and tensors alike
        pads.append((total // 2, total - total // 2))
    return pads


def window_counts(lengths, window_sizes, strides, dilations=None, paddings=None):
    """Windows that fit along each dim (padded by ``paddings`` on both sides).

    Example:
        >>> window_counts((7, 7), (3, 3), (2, 1))
        (3, 5)
        >>> window_counts((4,), (2,), (1,), dilations=(2,), paddings=(1,))
        (4,)
    """
    n = len(window_sizes)
    dilations = (1,) * n if dilations is None else dilations
    paddings = (0,) * n if paddings is None else paddings
    return tuple((length + 2 * pad - dilated_size(size, dilation)) // stride + 1
                 for length, size, stride, dilation, pad
                 in zip(lengths, window_sizes, strides, dilations, paddings))


def window_slices(position, dilations, strides, counts):
    """Per dim, the slice of a (padded) input that kernel tap ``position`` sees in every window.

    Example:
        >>> window_slices((1, 0), (2, 1), (1, 2), (3, 2))
        (slice(2, 5, 1), slice(0, 3, 2))
    """
    return tuple(slice(p * d, p * d + (c - 1) * s + 1, s)
                 for p, d, s, c in zip(position, dilations, strides, counts))


def conv_transpose_padding(kernel_sizes, strides, padding, output_padding, dilations, op_name):
    """(before, after) padding per dim of the stride-dilated input of a transposed convolution.

    The transposed convolution is a stride-1 convolution of the input with ``stride - 1``
    zeros between elements, padded by these amounts, with the flipped kernel.
    ``output_padding`` (None, an int or one per dim) adds rows at the end.

    Example:
        >>> conv_transpose_padding((3, 3), (2, 2), "same", None, (1, 1), "conv_transpose")
        [(2, 1), (2, 1)]
        >>> conv_transpose_padding((3,), (2,), "valid", 1, (1,), "conv_transpose")
        [(2, 3)]
    """
    n = len(kernel_sizes)
    mode = padding_mode(padding, op_name)
    extras = ((None,) * n if output_padding is None
              else spatial_tuple(output_padding, n, "output_padding", op_name))
    return [_conv_transpose_pair(dilated_size(k, d), s, mode, extra)
            for k, s, d, extra in zip(kernel_sizes, strides, dilations, extras)]


def _conv_transpose_pair(span, stride, mode, extra):
    if mode == "valid":
        extra = max(span, stride) - span if extra is None else extra
        return span - 1, span - 1 + extra
    total = stride + span - 2 if extra is None else span + span % 2 - 2 + extra
    before = min(total // 2 + total % 2, span - 1)
    return before, total - before


def adaptive_pool_bins(length, size):
    """Gather indices ``(size, width)`` and averaging weights of adaptive pooling of one dim.

    Bin ``i`` covers ``[floor(i * length / size), ceil((i + 1) * length / size))``; shorter
    bins repeat their last index with weight 0, so a gather and a (weighted) reduction over
    the ``width`` axis pool every bin at once.

    Example:
        >>> index, weights = adaptive_pool_bins(5, 2)
        >>> index.tolist(), weights.round(3).tolist()
        ([[0, 1, 2], [2, 3, 4]], [[0.333, 0.333, 0.333], [0.333, 0.333, 0.333]])
    """
    starts = [(i * length) // size for i in range(size)]
    ends = [-(-((i + 1) * length) // size) for i in range(size)]
    width = max(e - s for s, e in zip(starts, ends))
    index = np.array([[min(s + j, e - 1) for j in range(width)] for s, e in zip(starts, ends)])
    weights = np.array([[1.0 / (e - s) if j < e - s else 0.0 for j in range(width)]
                        for s, e in zip(starts, ends)])
    return index, weights


# ---------------------------------------------------------------- layout plans

def channels_first_axes(rank):
    """Permutation taking ``(batch, *spatial, channels)`` to ``(batch, channels, *spatial)``.

    Example:
        >>> channels_first_axes(4)
        (0, 3, 1, 2)
    """
    return (0, rank - 1) + tuple(range(1, rank - 1))


def channels_last_axes(rank):
    """Permutation taking ``(batch, channels, *spatial)`` to ``(batch, *spatial, channels)``.

    Example:
        >>> channels_last_axes(4)
        (0, 2, 3, 1)
    """
    return (0,) + tuple(range(2, rank)) + (1,)


def depth_to_space_plan(shape, block_size, data_format):
    """(split shape, permutation, output shape) moving channels into ``block_size`` blocks.

    ``reshape(split) -> transpose(permutation) -> reshape(output)`` gives TensorFlow's
    ordering: channel ``(i * block + j) * c + k`` goes to row offset i, column offset j.

    Example:
        >>> depth_to_space_plan((1, 2, 3, 8), 2, "channels_last")
        ((1, 2, 3, 2, 2, 2), (0, 1, 3, 2, 4, 5), (1, 4, 6, 2))
    """
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = shape
        return ((n, h, w, b, b, c // (b * b)), (0, 1, 3, 2, 4, 5),
                (n, h * b, w * b, c // (b * b)))
    n, c, h, w = shape
    return ((n, b, b, c // (b * b), h, w), (0, 3, 4, 1, 5, 2), (n, c // (b * b), h * b, w * b))


def space_to_depth_plan(shape, block_size, data_format):
    """(split shape, permutation, output shape) moving ``block_size`` blocks into channels.

    The inverse of :func:`depth_to_space_plan`.

    Example:
        >>> space_to_depth_plan((1, 4, 6, 2), 2, "channels_last")
        ((1, 2, 2, 3, 2, 2), (0, 1, 3, 2, 4, 5), (1, 2, 3, 8))
    """
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = shape
        return ((n, h // b, b, w // b, b, c), (0, 1, 3, 2, 4, 5), (n, h // b, w // b, b * b * c))
    n, c, h, w = shape
    return ((n, c, h // b, b, w // b, b), (0, 3, 5, 1, 2, 4), (n, b * b * c, h // b, w // b))


def leading_ones_shape(shape, rank):
    """``shape`` with leading 1s up to ``rank`` dims (how attention broadcasts bias and mask).

    Example:
        >>> leading_ones_shape((5, 7), 4)
        (1, 1, 5, 7)
    """
    shape = tuple(shape)
    return (1,) * (rank - len(shape)) + shape


# ---------------------------------------------------------------- CTC beam search

def _log_add(a, b):
    return np.logaddexp(a, b)


def ctc_beam_search(log_probs, sequence_lengths, beam_width, top_paths, mask_index):
    """Prefix beam search over (batch, time, classes) log-probabilities, on the host.

    Every backend's ``ctc_decode(strategy="beam_search")`` runs this so that all backends
    return the same paths. Ties rank by the prefix itself, so the order is deterministic.
    Returns ``(decoded (top_paths, batch, time) int32 padded with -1,
    log_probs (batch, top_paths) float32)``.

    Example:
        >>> lp = np.log(np.array([[[0.4, 0.6], [0.4, 0.6]]]))
        >>> decoded, scores = ctc_beam_search(lp, np.array([2]), 4, 1, 0)
        >>> decoded.tolist()
        [[[1, -1]]]
    """
    log_probs = np.asarray(log_probs, np.float64)
    batch, steps, classes = log_probs.shape
    decoded = np.full((top_paths, batch, steps), -1, np.int32)
    scores = np.full((batch, top_paths), -np.inf, np.float64)
    neg = -np.inf
    for b in range(batch):
        beams = {(): (0.0, neg)}  # prefix -> (log P(ends in blank), log P(ends in a label))
        for t in range(int(min(sequence_lengths[b], steps))):
            row = log_probs[b, t]
            grown = {}
            for prefix, (p_blank, p_label) in beams.items():
                total = _log_add(p_blank, p_label)
                for c in range(classes):
                    p = row[c]
                    if c == mask_index:
                        pb, pl = grown.get(prefix, (neg, neg))
                        grown[prefix] = (_log_add(pb, total + p), pl)
                        continue
                    extended = prefix + (c,)
                    pb, pl = grown.get(extended, (neg, neg))
                    if prefix and prefix[-1] == c:
                        # A repeat needs a blank in between to count as a new label.
                        grown[extended] = (pb, _log_add(pl, p_blank + p))
                        sb, sl = grown.get(prefix, (neg, neg))
                        grown[prefix] = (sb, _log_add(sl, p_label + p))
                    else:
                        grown[extended] = (pb, _log_add(pl, total + p))
            ranked = sorted(grown.items(), key=lambda item: (-_log_add(*item[1]), item[0]))
            beams = dict(ranked[:beam_width])
        ranked = sorted(beams.items(), key=lambda item: (-_log_add(*item[1]), item[0]))
        for i, (prefix, probs) in enumerate(ranked[:top_paths]):
            decoded[i, b, :len(prefix)] = prefix
            scores[b, i] = _log_add(*probs)
    return decoded, scores.astype(np.float32)
