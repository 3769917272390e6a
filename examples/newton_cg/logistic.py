"""A regularised logistic-regression loss, the objective of the Newton-CG example."""
import numpy as np


def loss(w: np.ndarray, b: float, x: np.ndarray, y: np.ndarray, lam: float) -> float:
    margin = y * (x @ w + b)
    # log(1 + exp(-margin)), written so that exp never overflows
    softplus = np.log1p(np.exp(-np.abs(margin))) + np.maximum(-margin, 0.0)
    return np.mean(softplus) + 0.5 * lam * np.sum(w * w)
