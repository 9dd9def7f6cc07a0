"""Merging layers."""
