"""Where the files written by Keras 3 live, for the tests that read them.

``$KILN_FIXTURES`` (its ``keras3``/``fixtures/keras3`` sub-folder, or itself) when set, else
``../shared/fixtures/keras3`` beside the repository. ``FIXTURES`` is that folder (the default one
when none holds a ``MANIFEST.json``); ``needs_fixtures`` skips a test when the files are absent.
"""

import os
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures" / "keras3"


def _find():
    env = os.environ.get("KILN_FIXTURES")
    candidates = [Path(env) / "keras3", Path(env) / "fixtures" / "keras3", Path(env)] if env else []
    for folder in candidates + [_DEFAULT]:
        if (folder / "MANIFEST.json").is_file():
            return folder.resolve()
    return _DEFAULT.resolve()


FIXTURES = _find()
needs_fixtures = pytest.mark.skipif(not (FIXTURES / "MANIFEST.json").is_file(),
                                    reason="Keras 3 fixtures (../shared/fixtures) not present")
