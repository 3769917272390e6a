"""``--instrument``: counters per checkpointed loop.

The generated module keeps one row of counts per checkpointed loop
(iterations, advances, recorded iterations, peak snapshots held, snapshot
bytes at that peak) in a module-level array; ``adxform_stats()`` reads it
and ``adxform_stats_reset()`` clears it (``emit/templates/instrument.py.j2``).
Compiled code reaches the array through one object-mode call per loop
reversal, since numba freezes global arrays as constants.
"""

from __future__ import annotations


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
