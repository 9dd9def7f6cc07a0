"""The shared value table: every op case of every family against its NumPy reference.

Values, shapes and result dtypes are checked on the active backend (``make
test`` runs this module once per backend). The cases live in ``cases_*.py``.
"""

import pytest

from op_cases import all_cases, check_result, eager_result

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_op_matches_reference(case):
    check_result(eager_result(case), case.ref(*case.args, **case.kwargs), case)


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
