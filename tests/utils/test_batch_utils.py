"""``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight`` with Keras 3's rules."""

import numpy as np
import pytest

from kiln.utils import pack_x_y_sample_weight, unpack_x_y_sample_weight


def test_pack():
    x, y, sw = np.ones((2, 1)), np.zeros((2, 1)), np.ones(2)
    assert pack_x_y_sample_weight(x) is x
    assert pack_x_y_sample_weight([x, x])[0] is x  # a list of inputs stays x
    packed = pack_x_y_sample_weight((x, y))
    assert isinstance(packed, tuple) and len(packed) == 1 and packed[0][1] is y
    assert pack_x_y_sample_weight(x, y) == (x, y)
    assert pack_x_y_sample_weight(x, y, sw) == (x, y, sw)
    assert pack_x_y_sample_weight(x, None, sw) is x  # sample weights need targets


def test_unpack():
    x, y, sw = np.ones((2, 1)), np.zeros((2, 1)), np.ones(2)
    assert unpack_x_y_sample_weight(x) == (x, None, None)
    assert unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert unpack_x_y_sample_weight((x, y, sw)) == (x, y, sw)
    with pytest.raises(ValueError, match="4"):
        unpack_x_y_sample_weight((x, y, sw, sw))


def test_round_trip():
    x, y, sw = {"a": np.ones(2)}, np.zeros(2), np.ones(2)
    for args in [(x,), (x, y), (x, y, sw)]:
        unpacked = unpack_x_y_sample_weight(pack_x_y_sample_weight(*args))
        assert unpacked[:len(args)] == args
