"""Test-session setup.

Generated modules are compiled by numba with ``cache=True``; their cache goes
to a private temporary directory, set here before anything imports numba, and
removed when the session ends.
"""

import os
import shutil
import tempfile

_NUMBA_CACHE_DIR = tempfile.mkdtemp(prefix="adxform-tests-numba-cache-")
os.environ["NUMBA_CACHE_DIR"] = _NUMBA_CACHE_DIR


def pytest_unconfigure(config):
    shutil.rmtree(_NUMBA_CACHE_DIR, ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the generated modules under golden/ instead of comparing them",
    )
