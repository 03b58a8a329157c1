"""The launched survey of tests/anonymity, shared with the operations tests."""

from tests.anonymity.conftest import company, survey

__all__ = ["company", "survey"]
