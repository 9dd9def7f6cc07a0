"""Preprocessing layers usable in models and tf.data pipelines."""

__all__ = []
