"""The API's CSV: nested figures become dotted columns, hidden ones empty cells, and a name that
a spreadsheet would run as a formula stays text."""

import csv
import io

from common.csv_export import table


def test_nested_figures_become_dotted_columns_and_missing_ones_empty_cells() -> None:
    rows = [
        {"name": "Hidden", "domains": {}, "teams": []},
        {"name": "Platform", "domains": {"inclusivity": {"score": 71}}, "teams": ["A", "B"]},
    ]
    read = list(csv.DictReader(io.StringIO(table(rows, ["name", "domains.inclusivity.score"]))))
    assert read == [
        {"name": "Hidden", "domains.inclusivity.score": "", "teams": ""},
        {"name": "Platform", "domains.inclusivity.score": "71", "teams": "A; B"},
    ]


def test_a_name_starting_like_a_formula_stays_text_and_a_negative_number_stays_a_number() -> None:
    read = list(csv.reader(io.StringIO(table([{"name": "=HYPERLINK(1)", "enps": -20}]))))
    assert read == [["name", "enps"], ["'=HYPERLINK(1)", "-20"]]
