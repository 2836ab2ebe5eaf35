"""Writers that turn a `tables.Table` into a file: CSV streamed chunk by chunk, XLSX written by
xlsxwriter in constant-memory mode. Both write the same values the JSON shows.

Text that people typed and that a spreadsheet would read as a formula (starting with `=`, `+`,
`-`, `@`, a tab or a carriage return) gets a leading apostrophe in both formats (OWASP "CSV
injection"). The hot loops stay thin: rows go to the C csv writer in chunks, and each XLSX cell
is one call of xlsxwriter's typed writer.

Titles, the totals label and the names of codes are written in the table's language, worked
out once before the first row (`_Wording`): a CSV streams after the request that built it."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO

import xlsxwriter
from django.utils import translation
from django.utils.functional import Promise

from .tables import CODE, DATE, DECIMAL, INTEGER, MONEY, TEXT, Table

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
CSV_BOM = "\ufeff"
XLSX_MAX_ROWS = 1_048_576
CSV_CHUNK_ROWS = 5000


class TooManyRowsError(ValueError):
    pass


def neutralise(text: str) -> str:
    return f"'{text}" if text[:1] in FORMULA_TRIGGERS else text


@dataclass(frozen=True)
class _Wording:
    """A table's own words as text of its language: the titles, each code column's names
    (by column index) and the totals row."""

    titles: list[str]
    names: dict[int, dict[str, str]]
    totals: tuple | None

    @classmethod
    def of(cls, table: Table) -> "_Wording":
        with translation.override(table.language):
            return cls(
                titles=[str(column.title) for column in table.columns],
                names={
                    index: {code: str(name) for code, name in column.names().items()}
                    for index, column in enumerate(table.columns)
                    if column.names is not None
                },
                totals=None
                if table.totals is None
                else tuple(str(v) if isinstance(v, Promise) else v for v in table.totals),
            )


def _written(
    rows: Iterable[tuple], names: dict[int, dict[str, str]], text_columns: list[int]
) -> Iterator[tuple]:
    for row in rows:
        row = list(row)
        for index, by_code in names.items():
            row[index] = by_code.get(row[index], row[index])
        for index in text_columns:
            if isinstance(row[index], str):
                row[index] = neutralise(row[index])
        yield row


def _safe_rows(
    table: Table, rows: Iterable[tuple], names: dict[int, dict[str, str]]
) -> Iterable[tuple]:
    """The rows as they are written: codes by their names, typed text neutralised."""
    text_columns = [i for i, column in enumerate(table.columns) if column.kind == TEXT]
    return _written(rows, names, text_columns) if text_columns or names else rows


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a BOM (so that Excel reads Cyrillic), RFC 4180 quoting and
    CRLF line ends, a chunk of lines at a time. None is an empty cell, a Decimal keeps its two
    places, a date is ISO."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode()

    wording = _Wording.of(table)
    buffer.write(CSV_BOM)
    writer.writerow(wording.titles)
    rows = iter(_safe_rows(table, table.rows, wording.names))
    while chunk := list(islice(rows, CSV_CHUNK_ROWS)):
        writer.writerows(chunk)
        yield flush()
    if wording.totals is not None:
        writer.writerows(_safe_rows(table, [wording.totals], {}))
    if text := flush():
        yield text


def xlsx_write(table: Table, target: str | IO[bytes]) -> int:
    """Write the table as XLSX to a path or a binary file: a bold, frozen header row, typed
    number and date cells, column widths, and a bold totals row. Rows are flushed to disk as they
    are written (`constant_memory`), so memory does not grow with the table. Returns the number
    of data rows."""
    if table.row_count is not None and table.row_count + 2 > XLSX_MAX_ROWS:
        raise TooManyRowsError(
            f"{table.row_count:,} rows do not fit in one XLSX sheet; export CSV instead."
        )
    wording = _Wording.of(table)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(table.name[:31])
    number_formats = {INTEGER: "#,##0", DECIMAL: "#,##0.00", MONEY: "#,##0.00", DATE: "yyyy-mm-dd"}
    header = workbook.add_format({"bold": True, "bottom": 1})
    cell_formats, total_formats = [], []
    for column in table.columns:
        number_format = number_formats.get(column.kind)
        cell_formats.append(
            workbook.add_format({"num_format": number_format}) if number_format else None
        )
        total_formats.append(
            workbook.add_format({"bold": True, "num_format": number_format or "General"})
        )

    # One typed writer per column. Decimals go in as they are: xlsxwriter writes their digits.
    writers = {
        TEXT: sheet.write_string,
        CODE: sheet.write_string,
        DATE: sheet.write_datetime,
        INTEGER: sheet.write_number,
        DECIMAL: sheet.write_number,
        MONEY: sheet.write_number,
    }
    plan = [
        (index, writers[column.kind], cell_formats[index])
        for index, column in enumerate(table.columns)
    ]
    for index, column in enumerate(table.columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, wording.titles[index], header)
    sheet.freeze_panes(1, 0)

    row_number = 0
    for row_number, row in enumerate(_safe_rows(table, table.rows, wording.names), start=1):
        if row_number >= XLSX_MAX_ROWS - 1:
            workbook.close()
            raise TooManyRowsError("The rows do not fit in one XLSX sheet; export CSV instead.")
        for index, write, cell_format in plan:
            value = row[index]
            if value is not None:
                write(row_number, index, value, cell_format)
    if wording.totals is not None:
        for (index, write, _), value in zip(
            plan, next(iter(_safe_rows(table, [wording.totals], {}))), strict=True
        ):
            if value is not None:
                write(row_number + 1, index, value, total_formats[index])
    workbook.close()
    return row_number
