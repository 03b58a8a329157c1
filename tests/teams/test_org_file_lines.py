"""The org file is read line by line from the decoded text, not through a StringIO (which would
hold the whole file a second time, four bytes a character): the csv module must see exactly
the lines, endings and all, that a file opened with newline="" gives it."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from teams.org_csv import lines_of


@given(st.text(alphabet='a,"\r\n\x0c\u2028é', max_size=60))
def test_the_csv_module_reads_the_same_rows_and_line_numbers_as_from_a_file(text) -> None:
    from_lines = csv.reader(lines_of(text))
    from_file = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            expected = next(from_file, None)
        except csv.Error as error:
            try:
                next(from_lines, None)
            except csv.Error as same:
                assert str(same) == str(error)
                return
            raise AssertionError(f"only the file failed: {error}") from None
        assert next(from_lines, None) == expected
        assert from_lines.line_num == from_file.line_num
        if expected is None:
            return
