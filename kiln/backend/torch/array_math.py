"""The torch backend's element-wise math, bitwise and comparison ops (interface module ``array_math``)."""
