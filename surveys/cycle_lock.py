"""The lock rule between a cycle and what is written while it is open.

Answering (surveys.redemption) and sending (surveys.sending) each hold the cycle row with
`hold_cycle_open` in the transaction that writes (an answered invitation, new link digests);
close takes the row FOR UPDATE (surveys.closing). So either the write commits before the close
and the close sees it (counts the answer, wipes the digests), or the close came first and the
write sees the cycle closed and writes nothing.
"""

from django.db import connection

from surveys.models import Cycle, CycleState


def hold_cycle_open(cycle_id: int) -> bool:
    """Inside a transaction: is the cycle open? On PostgreSQL the row stays held FOR SHARE until
    commit, which Django's select_for_update cannot say (it takes FOR UPDATE, which would make
    every answer wait for every other). SQLite transactions here take the write lock at BEGIN,
    which serialises them with close already.

    This is the answer path's one raw statement (the other raw SQL, the snapshot walks of
    surveys.snapshot_tree, is recursive, which the ORM cannot say either): only the model's own
    table name is interpolated; the id and the state are parameters."""
    table = connection.ops.quote_name(Cycle._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE id = %s AND state = %s{lock}",  # noqa: S608
            [cycle_id, CycleState.OPEN.value],
        )
        return cursor.fetchone() is not None
