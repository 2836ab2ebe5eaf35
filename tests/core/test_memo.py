"""`Recent`: a process's bounded memory of later requests' work, the oldest stored first out."""

from shared_apps.core.memo import Recent


def test_the_entry_stored_longest_ago_goes_first():
    kept = Recent(2)
    kept.remember("a", 1)
    kept.remember("b", 2)
    kept.remember("a", 3)  # stored again: now the newest
    kept.remember("c", 4)
    assert dict(kept) == {"a": 3, "c": 4}
