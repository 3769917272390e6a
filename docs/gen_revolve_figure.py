"""Draw docs/img/revolve.svg: the checkpointing schedule adxform runs.

The schedule is adxform's own: the script generates a module with a
checkpointed loop (``--jit none``, plain Python) and steps its
``_revolve_plan`` / ``_revolve_next`` helpers, the ones the generated
reverse sweep calls, through the reversal of ITERATIONS iterations with
SNAPSHOTS snapshots.  Drawing needs matplotlib (tests/test_docs.py checks
the schedule without it):

    python docs/gen_revolve_figure.py
"""

from __future__ import annotations

import math
import types
from pathlib import Path

import adxform

ITERATIONS = 16
SNAPSHOTS = 3
FIGURE = Path(__file__).resolve().parent / "img" / "revolve.svg"

SOURCE = """\
import numpy as np


def loss(x: np.ndarray, n: int) -> float:
    # adxform: checkpoint
    for step in range(n):
        x = np.sin(x)
    return np.sum(x)
"""


def runtime() -> types.ModuleType:
    """The generated module, whose runtime helpers hold the schedule."""
    module = types.ModuleType("revolve_schedule")
    exec(adxform.transform(SOURCE, "reverse", filename="schedule.py", jit="none"), module.__dict__)
    return module


def schedule(module: types.ModuleType, iterations: int, snapshots: int) -> list[tuple[str, int, int]]:
    """The actions in order: ("advance", first, stop), ("takeshot", iteration, slot),
    ("restore", iteration, slot), ("turn", k, k + 1)."""
    plan = module._revolve_plan(iterations, snapshots)
    actions = []
    while True:
        action, lo, hi = module._revolve_next(plan)
        if action == module._TERMINATE:
            return actions
        if action == module._ADVANCE:
            actions.append(("advance", lo, hi))
        elif action in (module._TAKESHOT, module._RESTORE):
            name = "takeshot" if action == module._TAKESHOT else "restore"
            actions.append((name, plan[module._CAPO], lo))
        else:
            actions.append(("turn", lo, hi))


def revolve_optimum(iterations: int, snapshots: int) -> int:
    """t(l, s) = r*l - C(s + r, r - 1), r the least with C(s + r, s) >= l."""
    r = 0
    while math.comb(snapshots + r, snapshots) < iterations:
        r += 1
    return r * iterations - math.comb(snapshots + r, r - 1)


def draw(actions: list[tuple[str, int, int]], path: Path) -> None:
    """Iterations across, time downwards: advances in grey, snapshots taken
    as blue dots, restores as blue rings, recorded iterations and their
    adjoints in red."""
    import matplotlib.pyplot as plt  # only here: the schedule needs no matplotlib

    plt.rcParams["svg.hashsalt"] = "adxform"
    fig, ax = plt.subplots(figsize=(7.5, 6.6))
    time = 0
    for kind, lo, hi in actions:
        if kind == "advance":
            ax.plot([lo, hi], [time, time + hi - lo], color="0.45", linewidth=1.6)
            time += hi - lo
        elif kind == "takeshot":
            ax.plot(lo, time, "o", color="tab:blue", markersize=7)
        elif kind == "restore":
            ax.plot(lo, time, "o", markerfacecolor="white", markeredgecolor="tab:blue", markersize=9)
        else:
            ax.plot([lo, hi], [time, time + 1], color="tab:red", linewidth=2.2)
            ax.annotate("", xy=(lo, time + 2), xytext=(hi, time + 1),
                        arrowprops={"arrowstyle": "->", "color": "tab:red", "linewidth": 1.6})
            time += 2
    advances = sum(hi - lo for kind, lo, hi in actions if kind == "advance")
    ax.invert_yaxis()
    ax.set_xlabel("iteration (the state before it)")
    ax.set_ylabel("time, in iterations run")
    ax.set_xticks(range(0, ITERATIONS + 1, 2))
    ax.set_title(f"Reversing {ITERATIONS} iterations with {SNAPSHOTS} snapshots: "
                 f"{advances} advances (t = {revolve_optimum(ITERATIONS, SNAPSHOTS)})", fontsize=10)
    handles = [plt.Line2D([], [], color="0.45", linewidth=1.6, label="advance (not recorded)"),
               plt.Line2D([], [], marker="o", linestyle="", color="tab:blue", label="snapshot taken"),
               plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="tab:blue",
                          label="snapshot restored"),
               plt.Line2D([], [], color="tab:red", linewidth=2.2, label="recorded, then its adjoint")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=9)
    ax.grid(True, color="0.9")
    fig.tight_layout()
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, metadata={"Date": None})


def main() -> None:
    actions = schedule(runtime(), ITERATIONS, SNAPSHOTS)
    draw(actions, FIGURE)


if __name__ == "__main__":
    main()
