"""Use the generated gradient module: compare it with finite differences.

Run after ``adxform reverse examples/heat.py -o examples/heat_grad.py --wrt u0,k``.
"""
import importlib.util
from pathlib import Path

import numpy as np

path = Path(__file__).resolve().parent / "heat_grad.py"
spec = importlib.util.spec_from_file_location("heat_grad", path)
heat_grad = importlib.util.module_from_spec(spec)
spec.loader.exec_module(heat_grad)

n = 64
u0 = np.sin(np.linspace(0.0, np.pi, n))
target = np.zeros(n)
k = 0.4

loss, (u0_bar, k_bar) = heat_grad.simulate_value_and_grad(u0, k, target, 50)

# the gradient along a random direction, against central finite differences
rng = np.random.default_rng(0)
du0, dk = rng.standard_normal(n), 1.0
h = 1e-6
fd = (heat_grad.simulate(u0 + h * du0, k + h * dk, target, 50)
      - heat_grad.simulate(u0 - h * du0, k - h * dk, target, 50)) / (2 * h)
print(f"loss = {loss:.12f}, d loss / d k = {k_bar:.12f}")
print(f"directional derivative: adxform {u0_bar @ du0 + k_bar * dk:.12f}, finite differences {fd:.12f}")
