"""Preprocessing layers usable in models and tf.data pipelines."""

from kiln.layers.preprocessing.category_encoding import CategoryEncoding
from kiln.layers.preprocessing.center_crop import CenterCrop
from kiln.layers.preprocessing.discretization import Discretization
from kiln.layers.preprocessing.hashed_crossing import HashedCrossing
from kiln.layers.preprocessing.hashing import Hashing
from kiln.layers.preprocessing.integer_lookup import IntegerLookup
from kiln.layers.preprocessing.mel_spectrogram import MelSpectrogram
from kiln.layers.preprocessing.normalization import Normalization
from kiln.layers.preprocessing.pipeline import Pipeline
from kiln.layers.preprocessing.rescaling import Rescaling
from kiln.layers.preprocessing.resizing import Resizing
from kiln.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from kiln.layers.preprocessing.string_lookup import StringLookup
from kiln.layers.preprocessing.text_vectorization import TextVectorization

__all__ = ["CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing",
           "IntegerLookup", "MelSpectrogram", "Normalization", "Pipeline", "Rescaling", "Resizing",
           "STFTSpectrogram", "StringLookup", "TextVectorization"]
