"""Access key ids carry their account (``mockrunner.model.key_ids``) and never shadow a live id of the account.

The ids of one account differ only in 39 random bits, so a new id is checked against the account's ids of its
kind and drawn again on a collision (a session whose id another session took would stop authenticating)."""
from __future__ import annotations

import pytest

from mockrunner.model.key_ids import account_of, new_key_id


class _TakenFirst:
    """Claims the first ``count`` ids it is asked about, recording them."""

    def __init__(self, count: int) -> None:
        self.count, self.asked = count, []

    def __contains__(self, key_id: object) -> bool:
        self.asked.append(key_id)
        return len(self.asked) <= self.count


def test_a_taken_id_is_drawn_again():
    taken = _TakenFirst(3)
    key_id = new_key_id("ASIA", "123456789012", taken)
    assert len(taken.asked) == 4 and key_id == taken.asked[-1]
    assert key_id.startswith("ASIA") and len(key_id) == 20 and account_of(key_id) == "123456789012"


def test_an_account_with_no_free_id_is_an_error_not_a_shadowed_key():
    with pytest.raises(RuntimeError, match="no free AKIA key id"):
        new_key_id("AKIA", "000000000001", _TakenFirst(10 ** 6))


def test_ids_of_one_account_share_their_account_characters():
    ids = {new_key_id("AKIA", "111122223333") for _ in range(50)}
    assert len(ids) == 50 and {key_id[4:12] for key_id in ids} == {next(iter(ids))[4:12]}
    assert {account_of(key_id) for key_id in ids} == {"111122223333"}
    assert account_of("AKIA" + "!" * 16) is None and account_of("APKA" + "A" * 16) is None
