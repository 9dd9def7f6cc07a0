"""Argument checks shared by the regularization layers.

Example:
    >>> check_rate(0.5, "Dropout", "drop")
    0.5
"""


def check_rate(rate, cls_name, layer_name, arg="rate"):
    """Return ``rate`` if it is a number in [0, 1], else raise ValueError naming the layer.

    Example:
        >>> check_rate(1, "GaussianDropout", "g")
        1
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(
            f"{cls_name} '{layer_name}': invalid value received for argument `{arg}`, expected a "
            f"float between 0 and 1; received {arg}={rate!r}"
        )
    return rate
