"""Layers wrapping other frameworks' modules: TorchModuleWrapper, JaxLayer, FlaxLayer, TFSMLayer."""

from kiln.layers.bridges.jax_layer import FlaxLayer, JaxLayer
from kiln.layers.bridges.tfsm_layer import TFSMLayer
from kiln.layers.bridges.torch_module_wrapper import TorchModuleWrapper

__all__ = ["FlaxLayer", "JaxLayer", "TFSMLayer", "TorchModuleWrapper"]
