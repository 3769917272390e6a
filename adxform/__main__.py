"""``python -m adxform`` is the ``adxform`` command."""

from adxform.cli import run

run()
