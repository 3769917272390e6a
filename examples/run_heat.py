"""Use the generated tangent module: compare it with finite differences.

Run after ``adxform forward examples/heat.py -o examples/heat_jvp.py --wrt u0,k``.
"""
import importlib.util
from pathlib import Path

import numpy as np

path = Path(__file__).resolve().parent / "heat_jvp.py"
spec = importlib.util.spec_from_file_location("heat_jvp", path)
heat_jvp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(heat_jvp)

rng = np.random.default_rng(0)
n = 64
u0 = np.sin(np.linspace(0.0, np.pi, n))
target = np.zeros(n)
k = 0.4
du0 = rng.standard_normal(n)  # a direction in (u0, k) space
dk = 1.0

loss, loss_dot = heat_jvp.simulate_jvp(u0, k, target, 50, du0, dk)
h = 1e-6
fd = (heat_jvp.simulate(u0 + h * du0, k + h * dk, target, 50)
      - heat_jvp.simulate(u0 - h * du0, k - h * dk, target, 50)) / (2 * h)
print(f"loss = {loss:.12f}")
print(f"directional derivative: adxform {loss_dot:.12f}, finite differences {fd:.12f}")
