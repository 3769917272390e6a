"""Binomial checkpointing of marked loops (docs/checkpointing.md).

A loop under ``# adxform: checkpoint(snapshots=N)`` is reversed without
recording every iteration: the reverse-mode builder hands this stage the
three versions of one iteration it already has (the primal body, the body
that records, and the adjoint body) and gets back the forward and reverse
sweeps of the loop, driven by the revolve schedule that the generated
module carries (``_revolve_next`` in ``emit/templates/runtime.py.j2``).

- ``state.py``: the loop-carried state, what a snapshot copies.
- ``sweeps.py``: the driver loops around the three bodies.
- ``instrument.py``: the counters of ``--instrument``.
"""

from .instrument import LoopCounter
from .state import carried_state
from .sweeps import DEFAULT_SNAPSHOTS, Checkpointed

__all__ = ["DEFAULT_SNAPSHOTS", "Checkpointed", "LoopCounter", "carried_state"]
