"""Image preprocessing and augmentation layers."""

__all__ = []
