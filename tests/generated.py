"""Generated modules shared by the whole test session.

Several test files differentiate the same sources with the same options
(the corpus in forward mode, with numba, is checked by the forward and the
reverse corpus tests), and numba compiling a generated module costs
seconds, far more than generating it.  So a generated module is written
once per session into a folder named by the hash of its text, under the
session's folder that conftest.py shares between the xdist workers
(``ADXFORM_TEST_SHARED``), and imported once per process: the first
process to call a function compiles it, numba's cache (``cache=True``,
also in that folder) hands the machine code to the others.  The text is
the key, so equal text is one file, and different text never a stale one.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import ModuleType

import adxform
from helpers import import_path

_texts: dict[tuple, str] = {}
_modules: dict[Path, ModuleType] = {}


def _key(source: str, mode: str, options: dict) -> tuple:
    return source, mode, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))


def transform(source: str, mode: str, **options) -> str:
    """``adxform.transform(source, mode, **options)``, made once per session
    for the tests that read the text: kept by each process, and in the
    shared folder for the others (the tests of determinism call
    ``adxform.transform`` itself, twice)."""
    key = _key(source, mode, options)
    if key not in _texts:
        path = shared_folder() / "texts" / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:20]}.py"
        if not path.is_file():
            _write(path, adxform.transform(source, mode, **options))
        _texts[key] = path.read_text()
    return _texts[key]


def shared_folder() -> Path:
    """The folder of the session shared by its processes (conftest.py)."""
    return Path(os.environ["ADXFORM_TEST_SHARED"])


def module_from_text(text: str, stem: str) -> ModuleType:
    """The module whose source is ``text``, as ``<hash>/<stem>.py`` in the
    shared folder: written there once, imported once per process."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    path = shared_folder() / "modules" / digest / f"{stem}.py"
    if path not in _modules:
        if not path.is_file():
            _write(path, text)
        # the same name in every process: numba's cache names the module of the code it keeps
        _modules[path] = import_path(path, f"_adxform_generated_{stem}_{digest}")
    return _modules[path]


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: another worker may be reading it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def derivative_module(source: str, mode: str, stem: str, **options) -> ModuleType:
    """The module ``adxform.transform(source, mode, **options)`` generates,
    imported as ``stem`` (see the module docstring)."""
    return module_from_text(transform(source, mode, **options), stem)


def corpus_derivative(path: Path, mode: str, jit: str) -> ModuleType:
    """The module generated from the source module ``path`` in ``mode``
    ("forward" or "reverse") with ``jit``, as ``<stem>_jvp`` or ``<stem>_vjp``."""
    suffix = "jvp" if mode == "forward" else "vjp"
    return derivative_module(path.read_text(), mode, f"{path.stem}_{suffix}", filename=path.name, jit=jit)
