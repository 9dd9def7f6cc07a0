"""``ConvLSTM2D``: a convolutional LSTM over sequences of 2-D feature maps.

Example:
    >>> import kiln
    >>> layer = kiln.layers.ConvLSTM2D(2, 3, padding="same")
    >>> tuple(layer(kiln.ops.ones((1, 3) + (5,) * 2 + (4,))).shape)
    (1, 5, 5, 2)
"""

from kiln.layers.conv_rnn.conv_lstm import ConvLSTM, fixed_rank_doc, fixed_rank_init


class ConvLSTM2D(ConvLSTM):
    __doc__ = fixed_rank_doc(2)
    __init__ = fixed_rank_init(2)
