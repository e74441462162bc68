from qnwmh.core import paths


def test_successor_increments_the_last_digit_string():
    assert paths.successor("0000000100000007") == "0000000100000008"


def test_successor_carries_over():
    assert paths.successor("0000000199999999") == "0000000200000000"


def test_subtree_range_holds_descendants_and_not_siblings():
    low, high = paths.subtree_range("0000000100000007")
    assert low <= "000000010000000700000123" < high
    assert not (low <= "0000000100000008" < high)
    assert not (low <= "0000000100000006" < high)


def test_ancestor_paths_from_root_to_self():
    assert paths.ancestor_paths("000000010000000700000123") == [
        "00000001",
        "0000000100000007",
        "000000010000000700000123",
    ]


def test_depth_counts_segments():
    assert paths.depth("0000000100000007") == 2
