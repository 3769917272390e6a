"""Test-session setup.

The session has one private temporary folder, made by the process that
starts pytest and handed to the xdist workers in ``ADXFORM_TEST_SHARED``
(they inherit its environment), and removed when that process ends.  It
holds numba's cache of the generated modules (``cache=True``), set here
before anything imports numba, and the generated modules the test files
share (tests/generated.py): a function one worker compiled, another loads.

numba compiles at LLVM optimisation level 1 unless ``NUMBA_OPT`` says
otherwise: compiling is most of the suite's time, and level 1 halves it
(the corpus's models in reverse mode: 106 s of CPU at level 3, 65 s at
level 1).  The optimiser does not change what the code computes (numba
allows no reassociation without ``fastmath``); level 0 would save a little
more, but its code holds addresses that numba's cache cannot keep.

The tests are scheduled by ``--dist loadgroup`` (pyproject.toml), in
groups: the tests of a corpus function in the corpus test files form one
group (its forward derivative, which both files run, is compiled once),
and the other tests one group per file, as ``--dist loadfile`` would (a
module fixture is made once).  The corpus groups, many and each short,
are handed out last, so that the two workers finish together.
"""

import os
import shutil
import tempfile

import pytest

_OWNER = "PYTEST_XDIST_WORKER" not in os.environ
if _OWNER:
    os.environ["ADXFORM_TEST_SHARED"] = tempfile.mkdtemp(prefix="adxform-tests-")
os.environ["NUMBA_CACHE_DIR"] = os.path.join(os.environ["ADXFORM_TEST_SHARED"], "numba-cache")
os.environ.setdefault("NUMBA_OPT", "1")

# the files whose tests are parametrised by a corpus function: ``path``, its module, and ``name``
CORPUS_FILES = ("test_forward_corpus.py", "test_reverse_corpus.py")


def pytest_unconfigure(config):
    if _OWNER:
        shutil.rmtree(os.environ["ADXFORM_TEST_SHARED"], ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the generated modules under golden/ instead of comparing them",
    )


def _group(item: pytest.Item) -> str:
    params = item.callspec.params if hasattr(item, "callspec") else {}
    if item.path.name in CORPUS_FILES and "path" in params:
        return f"corpus-{params['path'].stem}.{params['name']}"
    return item.path.name


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark each test with its group, and put the corpus groups last."""
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))
    items.sort(key=lambda item: _group(item).startswith("corpus-"))
