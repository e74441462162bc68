"""Materialized paths for the unit tree: pure string functions (the tree itself is units').

A path is the concatenation of fixed-width, zero-padded decimal unit ids from the root down
("00000001" "00000007" ...). Digit-only paths sort the same under every collation, so "the
subtree of P" is the index range [P, successor(P)) on both SQLite and PostgreSQL — one indexed
range scan, no recursion, and no LIKE (which skips the index on SQLite and on non-C collations).
"""

SEGMENT_WIDTH = 8


def segment(pk: int) -> str:
    return f"{pk:0{SEGMENT_WIDTH}d}"


def successor(path: str) -> str:
    """The smallest digit string of the same length that is greater than every path below."""
    return str(int(path) + 1).zfill(len(path))


def subtree_range(path: str) -> tuple[str, str]:
    return path, successor(path)


def subtree_filter(field: str, path: str) -> dict[str, str]:
    """Keyword arguments for `.filter()` selecting `field` within the subtree rooted at `path`."""
    low, high = subtree_range(path)
    return {f"{field}__gte": low, f"{field}__lt": high}


def is_within(path: str, root: str) -> bool:
    """True when `path` is `root` or lies below it: "under my unit", in Python. In a query the
    same question is `subtree_filter`."""
    return path.startswith(root)


def ancestor_paths(path: str) -> list[str]:
    """Every prefix path from the root to `path` itself, inclusive."""
    return [path[:end] for end in range(SEGMENT_WIDTH, len(path) + 1, SEGMENT_WIDTH)]


def depth(path: str) -> int:
    return len(path) // SEGMENT_WIDTH
