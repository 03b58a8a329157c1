"""Inserting many rows of one model without holding them all."""

from typing import Generic, TypeVar

from django.db import models

# Rows per INSERT, and the most a writer holds before writing them.
WRITE_BATCH = 1000
Row = TypeVar("Row", bound=models.Model)


class BatchWriter(Generic[Row]):
    """Rows of one model, inserted a batch at a time as they come, never all held at once."""

    def __init__(self, model: type[Row], batch_size: int = WRITE_BATCH) -> None:
        self.model, self.batch_size = model, batch_size
        self.rows: list[Row] = []

    def add(self, row: Row) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        self.model._default_manager.bulk_create(self.rows, batch_size=self.batch_size)
        self.rows = []
