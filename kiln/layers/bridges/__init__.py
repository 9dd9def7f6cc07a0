"""Layers wrapping other frameworks' modules: TorchModuleWrapper, JaxLayer, FlaxLayer, TFSMLayer."""

from kiln.layers.bridges.torch_module_wrapper import TorchModuleWrapper

__all__ = ["TorchModuleWrapper"]
