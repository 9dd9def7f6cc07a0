"""Image layers driven by statistics or mixing: AutoContrast, Equalization, Solarization, CLAHE, MixUp, CutMix, MaxNumBoundingBoxes."""

__all__ = []
