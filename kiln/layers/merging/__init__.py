"""Merging layers."""

__all__ = []
