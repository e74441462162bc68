"""The unit tree's paths. The string functions live in core/paths.py (audit and the scoping
base, below units, read them); this name stays for the modules that say `units.paths`."""

from qnwmh.core.paths import (
    SEGMENT_WIDTH,
    ancestor_paths,
    depth,
    is_within,
    segment,
    subtree_filter,
    subtree_range,
    successor,
)

__all__ = [
    "SEGMENT_WIDTH",
    "ancestor_paths",
    "depth",
    "is_within",
    "segment",
    "subtree_filter",
    "subtree_range",
    "successor",
]
