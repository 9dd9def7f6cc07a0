"""Every backend implements the whole declared interface; its gaps are listed and real."""

import importlib
import inspect
import subprocess
import sys

import pytest

import kiln
from kiln.backend import interface

BACKENDS = ("jax", "torch", "tensorflow", "numpy")


def test_active_backend_implements_every_function():
    package = kiln.backend.current
    missing = []
    for module_name, names in interface.INTERFACE.items():
        module = getattr(package, module_name, None)
        assert module is not None, f"backend {package.NAME} lacks module {module_name}"
        for name in names:
            if not hasattr(module, name):
                missing.append(f"{module_name}.{name}")
    assert not missing, f"{package.NAME} misses {missing}"


def test_unsupported_entries_name_real_functions():
    package = kiln.backend.current
    for entry in package.UNSUPPORTED:
        module_name, name = entry.split(".")
        assert name in interface.INTERFACE[module_name], entry


def test_unsupported_functions_raise_naming_op_and_backend():
    package = kiln.backend.current
    for entry in sorted(package.UNSUPPORTED):
        module_name, name = entry.split(".")
        function = getattr(getattr(package, module_name), name)
        if inspect.isclass(function):
            continue
        params = inspect.signature(function).parameters
        args = [None] * sum(1 for p in params.values()
                            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        with pytest.raises(NotImplementedError) as info:
            function(*args)
        message = str(info.value)
        assert name in message and package.NAME in message, message


@pytest.mark.slow
def test_every_installed_backend_conforms():
    """Each backend package, imported in its own process, has every interface name."""
    script = (
        "import importlib, sys, json\n"
        "from kiln.backend import interface\n"
        "pkg = importlib.import_module('kiln.backend.' + sys.argv[1])\n"
        "missing = [m + '.' + n for m, names in interface.INTERFACE.items() for n in names\n"
        "           if not hasattr(getattr(pkg, m), n)]\n"
        "print(json.dumps(missing))\n"
    )
    for name in BACKENDS:
        try:
            importlib.util.find_spec({"tensorflow": "tensorflow", "numpy": "numpy"}.get(name, name))
        except ImportError:
            continue
        result = subprocess.run([sys.executable, "-c", script, name], capture_output=True, text=True,
                                env={**__import__("os").environ, "KILN_BACKEND": name}, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip().splitlines()[-1] == "[]", (name, result.stdout)
