"""``keras.preprocessing.sequence``: padding variable-length sequences.

Example:
    >>> from kiln.preprocessing.sequence import pad_sequences
    >>> pad_sequences([[1], [2, 3]], padding="post").tolist()
    [[1, 0], [2, 3]]
"""

from kiln.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
