"""The torch backend's array construction and manipulation ops (interface module ``array_shape``)."""
