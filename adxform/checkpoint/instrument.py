"""``--instrument``: counters per checkpointed loop.

The generated module keeps one row of counts per checkpointed loop
(iterations, advances, recorded iterations, peak snapshots held, snapshot
bytes at that peak) in a module-level array, ``_CHECKPOINT_COUNTS``;
``adxform_stats()`` reads it and ``adxform_stats_reset()`` clears it
(``emit/templates/instrument.py.j2``).

Compiled code cannot write into a module-level array: numba freezes it as a
constant.  Nor can it reach the module through an object-mode call, whose
globals numba finds by the module's name in ``sys.modules``, which a module
loaded by ``spec_from_file_location`` (or pytest's importlib mode) need not
be in.  So the array is passed: the public wrappers (``f_vjp``, ``f_grad``,
...) stay plain Python, which reads the live array, and hand it to
``f_rev`` as its last argument; every ``_rev`` passes it on to the ``_rev``
of its callees, and a checkpointed loop adds its counts into its row
(``_count_checkpoints``).  Without the flag none of this is emitted.
"""

from __future__ import annotations

COUNTS = "_CHECKPOINT_COUNTS"  # the module-level array of counts, one row per loop


class LoopCounter:
    """Numbers the instrumented loops of one module, in the order the
    reverse-mode builder meets them."""

    def __init__(self) -> None:
        self.labels: list[str] = []

    def loop_id(self, label: str) -> int:
        """The row of the loop at ``label`` ("function:line"), the same every
        time the builder asks."""
        if label not in self.labels:
            self.labels.append(label)
        return self.labels.index(label)
