"""Derivative rules, keyed by qualified name, shared by both modes."""

from .registry import Rule, RuleTable
from .table import TABLE
from .templates import instantiate

__all__ = ["Rule", "RuleTable", "TABLE", "instantiate"]
