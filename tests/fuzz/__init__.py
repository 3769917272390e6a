"""A differential fuzzer for adxform (issue 13).

* ``generator.py``: random programs of the subset as hypothesis strategies,
  with the kinds of their parameters, so that inputs can be made for them;
* ``checker.py``: one program through adxform's command line in both modes,
  its derivative functions against the primal, finite differences and each
  other; the outcome (correct, refused, tool-bug, wrong-derivative);
* ``runner.py``: a seed's program drawn, checked, shrunk by hypothesis when
  it fails, and saved as a reproducer;
* ``report.py``: the summary of a run;
* ``python -m tests.fuzz --seeds 0:5000 [--jit none|numba] [--out DIR]``
  from the repository root.

tests/test_fuzz.py runs a fixed set of seeds; tests/test_fuzz_checker.py
checks the checker with a fake adxform that injects errors.  The modules
import each other relatively, so that they work both as ``tests.fuzz``
(``python -m``) and as ``fuzz`` (pytest puts tests/ on the path).
"""
