"""``pad_sequences``: padding/truncating on both sides, maxlen, dtypes (strings included),
empty sequences, timesteps with a shape, and errors naming the bad argument."""

import numpy as np
import pytest

from kiln.utils import pad_sequences


def reference_pad(sequences, maxlen, padding, truncating, value):
    """Row by row with Python lists."""
    rows = []
    for seq in sequences:
        seq = list(seq)
        if len(seq) > maxlen:
            seq = seq[len(seq) - maxlen:] if truncating == "pre" else seq[:maxlen]
        fill = [value] * (maxlen - len(seq))
        rows.append(fill + seq if padding == "pre" else seq + fill)
    return rows


SEQUENCES = [[1, 2, 3, 4], [5], [], [6, 7], [8, 9, 10, 11, 12, 13]]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 3, 6, 8, 0])
def test_padding_and_truncating_match_python(padding, truncating, maxlen):
    out = pad_sequences(SEQUENCES, maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    length = 6 if maxlen is None else maxlen
    assert out.shape == (5, length) and out.dtype == np.int32
    assert out.tolist() == reference_pad(SEQUENCES, length, padding, truncating, -1)


def test_defaults_pad_and_truncate_at_the_start():
    assert pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist() == [[2, 3], [0, 4]]


def test_float_dtype_and_value():
    out = pad_sequences([[0.5, 1.5], [2.5]], dtype="float32", value=np.nan, padding="post")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.array([[0.5, 1.5], [2.5, np.nan]], dtype="float32"))


def test_int32_default_truncates_floats():
    assert pad_sequences([[1.7, 2.2]]).tolist() == [[1, 2]]


@pytest.mark.parametrize("dtype", [object, "str", "<U5"])
def test_string_sequences(dtype):
    out = pad_sequences([["the", "cat"], ["a"], []], dtype=dtype, value="<pad>", padding="post")
    assert out.tolist() == [["the", "cat"], ["a", "<pad>"], ["<pad>", "<pad>"]]


def test_string_value_needs_a_string_dtype():
    with pytest.raises(ValueError, match="dtype"):
        pad_sequences([["a"]], value="x")


def test_timesteps_with_a_shape():
    seqs = [np.ones((3, 2)), np.full((1, 2), 2.0)]
    out = pad_sequences(seqs, dtype="float32")
    assert out.shape == (2, 3, 2)
    np.testing.assert_array_equal(out[1], [[0, 0], [0, 0], [2, 2]])
    np.testing.assert_array_equal(out[0], np.ones((3, 2)))


def test_all_empty_and_no_sequences():
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([[], []], maxlen=2).tolist() == [[0, 0], [0, 0]]
    assert pad_sequences([]).shape == (0, 0)


def test_numpy_array_of_sequences():
    seqs = np.array([np.arange(3), np.arange(2)], dtype=object)
    assert pad_sequences(seqs).tolist() == [[0, 1, 2], [0, 0, 1]]


@pytest.mark.parametrize("kwargs,argument", [
    (dict(padding="middle"), "padding"),
    (dict(truncating="both"), "truncating"),
    (dict(maxlen=-1), "maxlen"),
])
def test_bad_arguments_are_named(kwargs, argument):
    with pytest.raises(ValueError, match=f"pad_sequences: `{argument}`"):
        pad_sequences([[1, 2]], **kwargs)


def test_inconsistent_timestep_shapes_are_reported():
    with pytest.raises(ValueError, match=r"position 1.*\(3,\).*\(2,\)"):
        pad_sequences([np.ones((2, 2)), np.ones((2, 3))])


def test_non_sequence_items_are_reported():
    with pytest.raises(ValueError, match="position 1"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="list of sequences"):
        pad_sequences(5)
