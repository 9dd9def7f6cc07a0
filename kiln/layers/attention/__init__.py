"""Attention layers (Attention, AdditiveAttention, MultiHeadAttention, GroupQueryAttention) and EinsumDense/ReversibleEmbedding."""

from kiln.layers.attention.additive_attention import AdditiveAttention
from kiln.layers.attention.attention import Attention
from kiln.layers.attention.group_query_attention import GroupQueryAttention
from kiln.layers.attention.multi_head_attention import MultiHeadAttention
from kiln.layers.core.einsum_dense import EinsumDense
from kiln.layers.core.reversible_embedding import ReversibleEmbedding

__all__ = ["AdditiveAttention", "Attention", "EinsumDense", "GroupQueryAttention",
           "MultiHeadAttention", "ReversibleEmbedding"]
