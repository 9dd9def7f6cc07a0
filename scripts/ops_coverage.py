"""Write ``docs/ops_coverage.md``: every public op of ``kiln.ops`` × every backend, yes or no + reason.

    .venv/bin/python scripts/ops_coverage.py            # regenerate the file
    .venv/bin/python scripts/ops_coverage.py --check    # exit 1 if the file is stale

An op is supported on a backend when every backend function it calls (found by
reading the op's code, following calls into other public ops) exists there
and is not listed in that backend's ``UNSUPPORTED``. Each backend's column is
computed in a subprocess with ``KILN_BACKEND`` set, because a process imports
exactly one backend. ``tests/ops/test_ops_coverage.py`` recomputes the active
backend's column in-process and compares it with the file.
"""

import argparse
import ast
import inspect
import json
import os
import subprocess
import sys
import textwrap
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "docs", "ops_coverage.md")
BACKENDS = ("jax", "torch", "tensorflow", "numpy")
SUBMODULES = ("core", "numpy", "nn", "math", "linalg", "image", "einops")
TARGETS = {"jax": 1.0, "torch": 1.0, "tensorflow": 1.0, "numpy": 0.95}


def public_ops():
    """``[(submodule, name, function)]`` for every op in each kiln.ops submodule's ``__all__``.

    An op exported by several submodules is listed once, under the first one.
    """
    import kiln.ops

    seen, out = set(), []
    for sub in SUBMODULES:
        module = getattr(kiln.ops, sub)
        for name in module.__all__:
            if name not in seen:
                seen.add(name)
                out.append((sub, name, getattr(module, name)))
    return sorted(out, key=lambda item: (item[0], item[1]))


def _backend_module_names(function):
    """Globals of ``function``'s module that are backend modules or the backend package."""
    import kiln.backend

    package = kiln.backend.current
    prefix = package.__name__ + "."
    names = {}
    for key, value in vars(sys.modules[function.__module__]).items():
        if isinstance(value, types.ModuleType):
            if value is package:
                names[key] = None
            elif value.__name__.startswith(prefix):
                names[key] = value.__name__[len(prefix):]
    return names


def backend_dependencies(function, _seen=None):
    """The ``"module.function"`` backend entries an op's code calls, transitively through other ops.

    Example:
        >>> import kiln
        >>> sorted(backend_dependencies(kiln.ops.add))
        ['array_ops.add']
    """
    seen = set() if _seen is None else _seen
    function = inspect.unwrap(function)
    if function in seen or not hasattr(function, "__code__"):
        return set()
    seen.add(function)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return set()
    aliases = _backend_module_names(function)
    module_globals = vars(sys.modules[function.__module__])
    deps = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            if isinstance(base, ast.Name) and aliases.get(base.id):
                deps.add(f"{aliases[base.id]}.{node.attr}")
            elif (isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name)
                  and base.value.id in aliases and aliases[base.value.id] is None):
                deps.add(f"{base.attr}.{node.attr}")
        elif isinstance(node, ast.Name):
            value = module_globals.get(node.id)
            if callable(value) and hasattr(value, "operation_class") and value is not function:
                deps |= backend_dependencies(value, seen)
    return deps


def column(backend_package=None):
    """``{op name: "yes" | "no: reason"}`` for the backend imported in this process."""
    import kiln.backend

    package = backend_package or kiln.backend.current
    reasons = package.UNSUPPORTED_REASONS
    out = {}
    for _, name, function in public_ops():
        gaps = []
        for dep in sorted(backend_dependencies(function)):
            module_name, function_name = dep.split(".", 1)
            module = getattr(package, module_name, None)
            if dep in reasons:
                gaps.append(reasons[dep])
            elif module is None or not hasattr(module, function_name):
                gaps.append(f"MISSING {dep} (no reason listed)")
        out[name] = "yes" if not gaps else "no: " + "; ".join(dict.fromkeys(gaps))
    return out


def _column_in_subprocess(backend):
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1")
    script = "import json, sys; sys.path.insert(0, 'scripts'); import ops_coverage; print(json.dumps(ops_coverage.column()))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def render(columns):
    """The Markdown text for ``{backend: column}`` (backends that could not run are left out)."""
    backends = [b for b in BACKENDS if columns.get(b) is not None]
    ops = public_ops()
    lines = [
        "# kiln.ops coverage by backend",
        "",
        "Generated by `scripts/ops_coverage.py`; `tests/ops/test_ops_coverage.py` fails when it is stale.",
        "An op is \"yes\" on a backend when every backend function it calls exists there and is not",
        "listed as unsupported; \"no\" gives the backend's reason.",
        "",
        "| backend | ops supported | share |",
        "|---|---|---|",
    ]
    for backend in backends:
        supported = sum(1 for value in columns[backend].values() if value == "yes")
        lines.append(f"| {backend} | {supported} / {len(ops)} | {100.0 * supported / len(ops):.1f}% |")
    lines += ["", "| op | module | " + " | ".join(backends) + " |",
              "|---|---|" + "---|" * len(backends)]
    for sub, name, _ in ops:
        cells = [columns[b].get(name, "no: not listed") for b in backends]
        lines.append(f"| `{name}` | {sub} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def parse(text):
    """Read a rendered file back into ``{backend: {op: cell}}``."""
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    header = next(line for line in text.splitlines() if line.startswith("| op |"))
    backends = [cell.strip() for cell in header.strip("|").split("|")][2:]
    columns = {b: {} for b in backends}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        name = cells[0].strip("`")
        for backend, cell in zip(backends, cells[2:]):
            columns[backend][name] = cell
    return columns


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/ops_coverage.md is stale")
    args = parser.parse_args(argv)
    columns = {backend: _column_in_subprocess(backend) for backend in BACKENDS}
    text = render(columns)
    if args.check:
        current = open(OUTPUT).read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print(f"{OUTPUT} is stale: run scripts/ops_coverage.py")
            return 1
        return 0
    tmp = OUTPUT + ".tmp"
    with open(tmp, "w") as handle:
        handle.write(text)
    os.replace(tmp, OUTPUT)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
