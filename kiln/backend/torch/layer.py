"""Torch backend: ``BackendLayer``, which makes every Kiln layer a ``torch.nn.Module``.

Variables are registered as ``nn.Parameter``s under their (sanitized, unique)
names as soon as a layer owns them, and sublayers as submodules, so
``parameters()``, ``named_parameters()``, ``state_dict()`` and ``torch.optim``
see the model as torch would.

Example:
    >>> class L(BackendLayer):
    ...     pass
    >>> layer = L.__new__(L); layer._backend_init()
    >>> isinstance(layer, torch.nn.Module)
    True
"""

import re

import torch

_INVALID = re.compile(r"[^0-9A-Za-z_]")


def _sanitize(name):
    name = _INVALID.sub("_", str(name)) or "var"
    if name[0].isdigit():
        name = "_" + name
    return name


class BackendLayer(torch.nn.Module):
    """Mixed in as the first base of ``kiln.layers.Layer`` on the torch backend."""

    __hash__ = object.__hash__

    def _backend_init(self):
        torch.nn.Module.__init__(self)
        object.__setattr__(self, "_torch_param_names", {})

    def _backend_track_variable(self, variable):
        names = self.__dict__.get("_torch_param_names")
        if names is None:
            self._backend_init()
            names = self._torch_param_names
        key = id(variable)
        if key in names:
            return names[key]
        params = self._parameters
        base = _sanitize(variable.name)
        name = base
        i = 1
        while name in params or name in self._modules or name in self._buffers:
            name = f"{base}_{i}"
            i += 1
        # Insert directly: the attribute of the same name (the Kiln Variable in
        # __dict__) must not block registration the way register_parameter would.
        params[name] = variable._value
        names[key] = name
        if variable._torch_owner is None:
            variable._torch_owner = (params, name)
        return name

    def _backend_track_sublayer(self, attr_name, layer):
        modules = self._modules
        for existing in modules.values():
            if existing is layer:
                return
        base = _sanitize(attr_name if attr_name else getattr(layer, "name", "layer"))
        name = base
        i = 1
        while name in modules or name in self._parameters or name in self._buffers:
            name = f"{base}_{i}"
            i += 1
        modules[name] = layer

    def _backend_untrack_variable(self, variable):
        """Forget a variable registered with :meth:`_backend_track_variable` (if any)."""
        name = self.__dict__.get("_torch_param_names", {}).pop(id(variable), None)
        if name is not None:
            self._parameters.pop(name, None)
            if variable._torch_owner is not None and variable._torch_owner[0] is self._parameters:
                variable._torch_owner = None

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)
