"""Attention layers (Attention, AdditiveAttention, MultiHeadAttention, GroupQueryAttention) and EinsumDense/ReversibleEmbedding."""

__all__ = []
