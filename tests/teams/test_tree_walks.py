"""The one tree walk: a small company, Amara at the top, two departments and a loop by mistake."""

from teams.tree_walks import IdTree

# 1 Company
# ├── 2 Engineering
# │   ├── 4 Platform
# │   └── 5 Apps
# └── 3 Sales
#     └── 6 Field
COMPANY = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3}
NAMES = {1: "Company", 2: "Engineering", 3: "Sales", 4: "Platform", 5: "Apps", 6: "Field"}


def by_name(team_id: int) -> tuple[str, int]:
    return (NAMES[team_id], team_id)


def test_top_down_reads_a_parent_then_each_childs_whole_subtree_in_name_order() -> None:
    tree = IdTree(COMPANY, sibling_key=by_name)
    assert tree.top_down() == [1, 2, 5, 4, 3, 6]
    assert tree.top_down_with_depth() == [(1, 0), (2, 1), (5, 2), (4, 2), (3, 1), (6, 2)]


def test_bottom_up_puts_every_team_after_all_of_its_descendants() -> None:
    order = IdTree(COMPANY).bottom_up()
    assert sorted(order) == sorted(COMPANY)
    for team_id, parent_id in COMPANY.items():
        if parent_id is not None:
            assert order.index(team_id) < order.index(parent_id)


def test_levels_give_the_roots_then_their_children_then_theirs() -> None:
    levels = IdTree(COMPANY).levels()
    assert [sorted(level) for level in levels] == [[1], [2, 3], [4, 5, 6]]


def test_a_subtree_and_the_ancestors_of_a_team() -> None:
    tree = IdTree(COMPANY)
    assert tree.subtree(2)[0] == 2 and sorted(tree.subtree(2)) == [2, 4, 5]
    assert tree.subtree(6) == [6]
    assert tree.ancestors(4) == [2, 1]
    assert tree.ancestors(1) == []


def test_a_team_whose_parent_is_not_in_the_subset_is_a_root_of_it() -> None:
    engineering_only = {team_id: COMPANY[team_id] for team_id in (2, 4, 5)}
    tree = IdTree(engineering_only)
    assert tree.roots == [2]
    assert tree.levels() == [[2], [4, 5]]


def test_a_loop_in_the_reporting_lines_is_walked_once_and_never_hangs() -> None:
    # 7 and 8 name each other as parent: no root reaches them.
    looped = {**COMPANY, 7: 8, 8: 7}
    tree = IdTree(looped, sibling_key=lambda team_id: (str(team_id), team_id))
    order = tree.top_down()
    assert sorted(order) == sorted(looped) and len(order) == len(looped)
    assert tree.ancestors(7) == [8]
    assert order[-2:] == [7, 8]
