"""Core layers: Dense, Embedding, Input; Identity, Masking, Lambda."""

__all__ = []
