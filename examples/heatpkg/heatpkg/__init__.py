"""A heat-equation model; ``heatpkg.model_grad`` is generated at build time by adxform."""
