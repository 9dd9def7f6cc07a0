"""Layers wrapping other frameworks' modules: TorchModuleWrapper, JaxLayer, FlaxLayer, TFSMLayer."""

__all__ = []
