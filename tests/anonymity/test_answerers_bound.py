"""The bound on who answered, played by the insider who knows it.

Across surveys a release keeps whole points only when respondents_may_differ_by_few says the
two groups' answerers cannot differ by 1 to k-1 people who cannot read results. The release
never knows who answered; the insider with backups taken while both surveys were open does.
For any two groups, any answerers and any readers, whenever the rule lets the later release
stay fine, the answerers the insider sees must differ by none or by k or more non-readers."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pulse.trends import respondents_may_differ_by_few
from surveys.selectors import GroupOverlap

K = 5


@st.composite
def two_surveys(draw: st.DrawFn) -> tuple[set[int], set[int], set[int], set[int], set[int]]:
    people = range(draw(st.integers(1, 30)))
    invited_then = draw(st.sets(st.sampled_from(people), min_size=1))
    invited_now = draw(st.sets(st.sampled_from(people), min_size=1))
    answered_then = draw(st.sets(st.sampled_from(sorted(invited_then))))
    answered_now = draw(st.sets(st.sampled_from(sorted(invited_now))))
    readers = draw(st.sets(st.sampled_from(people)))
    return invited_now, invited_then, answered_now, answered_then, readers


@settings(max_examples=2000, deadline=None)
@given(two_surveys())
def test_whole_points_only_where_the_insider_finds_no_few_answerers_apart(surveys) -> None:
    invited_now, invited_then, answered_now, answered_then, readers = surveys
    people = GroupOverlap(
        unit_id=1,
        earlier_unit_id=2,
        changed=len(invited_now ^ invited_then),
        changed_not_reading=len((invited_now ^ invited_then) - readers),
        invited=len(invited_now),
        earlier_invited=len(invited_then),
        readers=len((invited_now | invited_then) & readers),
    )
    if not respondents_may_differ_by_few(people, len(answered_now), len(answered_then), K):
        apart = (answered_now ^ answered_then) - readers
        assert not 1 <= len(apart) < K, (
            f"fine, yet {sorted(apart)} answered in one survey and not the other"
        )


def test_everyone_answering_twice_is_the_only_way_a_small_team_stays_fine() -> None:
    ten = GroupOverlap(
        unit_id=1,
        earlier_unit_id=2,
        changed=0,
        changed_not_reading=0,
        invited=10,
        earlier_invited=10,
        readers=0,
    )
    assert not respondents_may_differ_by_few(ten, 10, 10, K)
    assert respondents_may_differ_by_few(ten, 9, 9, K)
    assert respondents_may_differ_by_few(ten, 10, 9, K)
