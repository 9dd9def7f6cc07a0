"""docs/ops_coverage.md is current, every gap has a reason, and coverage meets its targets.

Each backend's run of the suite recomputes that backend's column in-process
(``scripts/ops_coverage.py`` computes all of them, one subprocess each).
"""

import os
import sys

import pytest

import kiln

SCRIPTS = os.path.join(os.path.dirname(__file__), "..", "..", "scripts")
sys.path.insert(0, os.path.abspath(SCRIPTS))
import ops_coverage  # noqa: E402

BACKEND = kiln.backend.current.NAME


@pytest.fixture(scope="module")
def active_column():
    return ops_coverage.column()


def test_file_lists_every_public_op(active_column):
    with open(ops_coverage.OUTPUT) as handle:
        recorded = ops_coverage.parse(handle.read())
    assert BACKEND in recorded, f"{ops_coverage.OUTPUT} has no {BACKEND} column: run scripts/ops_coverage.py"
    assert set(recorded[BACKEND]) == set(active_column), (
        "docs/ops_coverage.md is stale (ops added or removed): run scripts/ops_coverage.py")


def test_active_backend_column_is_current(active_column):
    with open(ops_coverage.OUTPUT) as handle:
        recorded = ops_coverage.parse(handle.read())[BACKEND]
    stale = {name: (recorded.get(name), cell) for name, cell in active_column.items() if recorded.get(name) != cell}
    assert not stale, f"docs/ops_coverage.md is stale for {BACKEND} (file vs now): {stale}"


def test_every_gap_has_a_reason(active_column):
    unexplained = {name: cell for name, cell in active_column.items() if "MISSING" in cell}
    assert not unexplained, unexplained


def test_coverage_meets_target(active_column):
    share = sum(cell == "yes" for cell in active_column.values()) / len(active_column)
    gaps = sorted(name for name, cell in active_column.items() if cell != "yes")
    assert share >= ops_coverage.TARGETS[BACKEND], f"{BACKEND}: {share:.1%} of ops, lacking {gaps}"


def test_dependencies_are_found_through_composite_ops():
    deps = ops_coverage.backend_dependencies(kiln.ops.numpy.amax)
    assert deps == {"array_ops.max"}
    assert "array_ops.add" in ops_coverage.backend_dependencies(kiln.ops.add)
