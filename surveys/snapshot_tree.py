"""Walks over one cycle's frozen snapshot done by the database, so that a page reads the few
teams it needs (a unit's ancestors, the ids under a unit) and never the whole snapshot.

Both walks are recursive common table expressions, which SQLite and PostgreSQL run alike.
Reporting lines are kept acyclic, but a loop must never hang a page: the walk up stops after
MAX_DEPTH steps and the list ends where it meets a team again (as teams.tree_walks.IdTree does);
the walk down is a UNION, which drops a team met a second time and so ends.
"""

from django.db import connection
from django.db.models.expressions import RawSQL

from surveys.models import CycleTeam

# Far deeper than any organisation; only a loop in the reporting lines walks this far.
MAX_DEPTH = 1000


def ancestors_of(cycle_team_id: int) -> list[int]:
    """The parent of the team, its parent, and so on up to the top: nearest first."""
    table = connection.ops.quote_name(CycleTeam._meta.db_table)
    sql = f"""
        WITH RECURSIVE up(id, parent_id, steps) AS (
            SELECT id, parent_id, 0 FROM {table} WHERE id = %s
            UNION ALL
            SELECT team.id, team.parent_id, up.steps + 1
            FROM {table} team JOIN up ON team.id = up.parent_id
            WHERE up.steps < %s
        )
        SELECT id FROM up WHERE steps > 0 ORDER BY steps
    """  # noqa: S608  (only the model's own quoted table name is put in; values are bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle_team_id, MAX_DEPTH])
        found: list[int] = []
        for (team_id,) in cursor.fetchall():
            if team_id == cycle_team_id or team_id in found:
                break
            found.append(team_id)
    return found


def subtree_ids(root_ids: list[int]) -> RawSQL:
    """A subquery of the ids of the teams `root_ids` and every team below them, for
    `filter(unit_id__in=subtree_ids(...))`: the database walks the subtree and the page reads
    only the rows it filters from it. `root_ids` are few (the teams one manager led)."""
    if not root_ids:
        return RawSQL("SELECT NULL WHERE 1 = 0", [])
    table = connection.ops.quote_name(CycleTeam._meta.db_table)
    anchors = ", ".join(["%s"] * len(root_ids))
    sql = f"""
        WITH RECURSIVE down(id) AS (
            SELECT id FROM {table} WHERE id IN ({anchors})
            UNION
            SELECT team.id FROM {table} team JOIN down ON team.parent_id = down.id
        )
        SELECT id FROM down
    """  # noqa: S608  (only the quoted table name and placeholders are put in)
    return RawSQL(sql, list(root_ids))  # noqa: S611  (every value is bound)
