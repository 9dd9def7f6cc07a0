"""Image layers driven by statistics or mixing: AutoContrast, Equalization, Solarization, CLAHE, MixUp, CutMix, MaxNumBoundingBoxes."""

from kiln.layers.preprocessing.image_stats.auto_contrast import AutoContrast
from kiln.layers.preprocessing.image_stats.contrast_limited_adaptive_histogram_equalization import (
    ContrastLimitedAdaptiveHistogramEqualization)
from kiln.layers.preprocessing.image_stats.cut_mix import CutMix
from kiln.layers.preprocessing.image_stats.equalization import Equalization
from kiln.layers.preprocessing.image_stats.max_num_bounding_boxes import MaxNumBoundingBoxes
from kiln.layers.preprocessing.image_stats.mix_up import MixUp
from kiln.layers.preprocessing.image_stats.solarization import Solarization

__all__ = ["AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Equalization", "MaxNumBoundingBoxes", "MixUp", "Solarization"]
