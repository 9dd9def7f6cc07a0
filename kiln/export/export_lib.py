"""``Model.export``: write a model's inference call as a TF SavedModel or an ONNX file.

Each backend's ``export`` module lists in ``FORMATS`` what it converts in the
running process (tensorflow and jax: both formats; torch: ONNX; numpy: none).
A format the backend cannot convert is written from the model rebuilt on a
backend that can (tensorflow for ``tf_saved_model``, torch for ``onnx``): the
model is saved to a temporary ``.keras`` file and a subprocess with that
backend loads it (``safe_mode=True``) and exports it.
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile

from kiln import backend as _backend
from kiln import tree
from kiln.export.saved_model import ExportArchive, standardize_spec

FORMATS = ("tf_saved_model", "onnx")
# The backend that rebuilds a model for a format its own backend cannot write, and the
# framework package it needs.
_REBUILD_ON = {"tf_saved_model": ("tensorflow", "tensorflow"), "onnx": ("torch", "torch")}
_ERRORS = {e.__name__: e for e in (ImportError, ValueError, TypeError, NotImplementedError)}
_ERROR_MARK = "KILN_EXPORT_ERROR "


def default_input_signature(model):
    """The model's inputs as a list with one (nested) ``kiln.InputSpec`` per positional argument.

    Functional and Sequential models use their ``Input`` tensors; other models the
    shapes they were built with, batch dim unknown (floatx dtype).

    Example:
        >>> import kiln
        >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
        >>> [spec.shape for spec in default_input_signature(model)]
        [(None, 3)]
    """
    struct = getattr(model, "_inputs_struct", None)
    if struct is None and getattr(model, "inputs", None):
        struct = model.inputs[0] if len(model.inputs) == 1 else list(model.inputs)
    if struct is not None:
        return [tree.map_structure(standardize_spec, struct)]
    shapes = getattr(model, "_build_shapes", None)
    if not model.built or shapes is None:
        raise ValueError(f"Model.export: the model '{model.name}' is not built, so its inputs are "
                         "unknown; call it on data first or pass input_signature")
    from kiln import config
    from kiln.layers.input_spec import InputSpec

    def is_shape(value):
        return isinstance(value, (list, tuple)) and all(
            d is None or isinstance(d, int) for d in value)

    def to_spec(shape):
        if is_shape(shape):  # any batch size: the first dim is left unknown
            return InputSpec(shape=(None,) + tuple(shape[1:]), dtype=config.floatx())
        if isinstance(shape, dict):
            return {key: to_spec(value) for key, value in shape.items()}
        return [to_spec(value) for value in shape]

    return [to_spec(shapes)]


def standardize_input_signature(input_signature):
    """``input_signature`` as a list of (nested) ``kiln.InputSpec``, one per positional input."""
    if not isinstance(input_signature, (list, tuple)):
        input_signature = [input_signature]
    where = "Model.export: input_signature"
    return [tree.map_structure(lambda v: standardize_spec(v, where), entry)
            for entry in input_signature]


def export_model(model, filepath, format="tf_saved_model", verbose=None, input_signature=None,
                 **kwargs):
    """Write ``model``'s inference call (``training=False``) to ``filepath`` as ``format``.

    Example:
        >>> import kiln, tempfile, os  # doctest: +SKIP
        >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])  # doctest: +SKIP
        >>> export_model(model, os.path.join(tempfile.mkdtemp(), "m"))  # doctest: +SKIP
    """
    if format not in FORMATS:
        raise ValueError(f"Model.export: unknown format {format!r}; Kiln writes one of "
                         f"{list(FORMATS)}")
    filepath = os.fspath(filepath)
    verbose = True if verbose is None else bool(verbose)
    if input_signature is None:
        signature = default_input_signature(model)
    else:
        signature = standardize_input_signature(input_signature)
    if hasattr(model, "_sync_backend_state"):
        model._sync_backend_state()
    hooks = _backend.current.export
    if format not in hooks.FORMATS:
        _export_rebuilt(model, filepath, format, verbose, signature, kwargs)
    elif format == "tf_saved_model":
        archive = ExportArchive()
        archive.track(model)
        archive.add_endpoint("serve", lambda *args: model(*args, training=False), signature,
                             **kwargs)
        archive.write_out(filepath, verbose=verbose)
    else:
        hooks.export_model(model, filepath, format=format, input_signature=signature, **kwargs)
        if verbose:
            print(f"Saved ONNX model at '{filepath}'.")


def _encode_specs(value):
    if isinstance(value, dict):
        return {"dict": {key: _encode_specs(item) for key, item in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"list": [_encode_specs(item) for item in value]}
    return {"spec": [list(value.shape), value.dtype, value.name]}


def _decode_specs(value):
    from kiln.layers.input_spec import InputSpec

    if "dict" in value:
        return {key: _decode_specs(item) for key, item in value["dict"].items()}
    if "list" in value:
        return [_decode_specs(item) for item in value["list"]]
    shape, dtype, name = value["spec"]
    return InputSpec(shape=tuple(shape), dtype=dtype, name=name)


_CHILD = """
import json, sys
import kiln
from kiln.export import export_lib
path, target, fmt, specs, kwargs, verbose = sys.argv[1:7]
try:
    model = kiln.saving.load_model(path, compile=False, safe_mode=True)
    export_lib.export_model(model, target, format=fmt, verbose=verbose == "1",
                            input_signature=export_lib._decode_specs(json.loads(specs)),
                            **json.loads(kwargs))
except Exception as error:
    print(export_lib._ERROR_MARK + json.dumps([type(error).__name__, str(error)]))
    sys.exit(3)
"""


def _export_rebuilt(model, filepath, format, verbose, signature, kwargs):
    """Export ``model`` from a subprocess on the backend that writes ``format``."""
    backend_name, package = _REBUILD_ON[format]
    here = _backend.current.NAME
    if importlib.util.find_spec(package) is None:
        raise ImportError(f"Model.export(format={format!r}) on the {here} backend rebuilds the "
                          f"model on the {backend_name} backend, which needs the '{package}' "
                          f"package (pip install {package}); it is not installed.")
    try:
        encoded_kwargs = json.dumps(kwargs)
    except TypeError as error:
        raise TypeError(f"Model.export(format={format!r}) on the {here} backend: keyword "
                        f"arguments must be JSON values to reach the {backend_name} rebuild: "
                        f"{error}") from error
    with tempfile.TemporaryDirectory(prefix="kiln_export_") as folder:
        saved = os.path.join(folder, "model.keras")
        try:
            model.save(saved)
        except Exception as error:
            raise ValueError(f"Model.export(format={format!r}) on the {here} backend needs the "
                             f"model rebuilt on {backend_name}, but '{model.name}' cannot be "
                             f"saved: {error}") from error
        import kiln

        package_root = os.path.dirname(os.path.dirname(os.path.abspath(kiln.__file__)))
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        env = dict(os.environ, KILN_BACKEND=backend_name, PYTHONPATH=path)
        env.pop("KERAS_BACKEND", None)
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, saved, os.path.abspath(filepath), format,
             json.dumps(_encode_specs(signature)), encoded_kwargs, "1" if verbose else "0"],
            capture_output=True, text=True, env=env, timeout=900)
    if verbose:
        sys.stdout.write("".join(line + "\n" for line in result.stdout.splitlines()
                                 if not line.startswith(_ERROR_MARK)))
    if result.returncode != 0:
        marked = [line for line in result.stdout.splitlines() if line.startswith(_ERROR_MARK)]
        kind, message = (json.loads(marked[-1][len(_ERROR_MARK):]) if marked
                         else ("RuntimeError", result.stderr[-2000:]))
        raise _ERRORS.get(kind, RuntimeError)(
            f"Model.export(format={format!r}) on the {here} backend: rebuilding '{model.name}' on "
            f"the {backend_name} backend failed: {message}")
