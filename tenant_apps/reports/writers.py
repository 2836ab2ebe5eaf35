"""Writers that turn a `tables.Table` into a file: CSV streamed chunk by chunk, XLSX written by
xlsxwriter in constant-memory mode. Both write the same values the JSON shows.

Text that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) gets a leading apostrophe in both formats (OWASP "CSV injection")."""

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

import xlsxwriter

from .tables import DATE, DECIMAL, INTEGER, MONEY, TEXT, Table

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"
XLSX_MAX_ROWS = 1_048_576


class TooManyRowsError(ValueError):
    pass


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # int, or Decimal with its 2 places


class _Line:
    """csv.writer's file: hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(table: Table, *, chunk_rows: int = 2000) -> Iterator[bytes]:
    """The table as UTF-8 CSV (with a BOM so that Excel reads Cyrillic), RFC 4180 quoting and
    CRLF line ends, in chunks of `chunk_rows` lines."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield (CSV_BOM + writer.writerow([c.title for c in table.columns])).encode()
    lines = []
    for row in table.rows:
        lines.append(writer.writerow([_csv_text(v) for v in row]))
        if len(lines) == chunk_rows:
            yield "".join(lines).encode()
            lines = []
    if table.totals is not None:
        lines.append(writer.writerow([_csv_text(v) for v in table.totals]))
    if lines:
        yield "".join(lines).encode()


def xlsx_write(table: Table, target: str | IO[bytes]) -> int:
    """Write the table as XLSX to a path or a binary file: a bold, frozen header row, typed
    number and date cells, column widths, and a bold totals row. Rows are flushed to disk as
    they are written (`constant_memory`), so memory does not grow with the table. Returns the
    number of data rows."""
    if table.row_count is not None and table.row_count + 2 > XLSX_MAX_ROWS:
        raise TooManyRowsError(
            f"{table.row_count} rows do not fit in one XLSX sheet; export CSV instead."
        )
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False}
    )
    sheet = workbook.add_worksheet(table.name[:31])
    header = workbook.add_format({"bold": True, "bottom": 1})
    formats = {
        TEXT: None,
        INTEGER: workbook.add_format({"num_format": "#,##0"}),
        DECIMAL: workbook.add_format({"num_format": "#,##0.00"}),
        MONEY: workbook.add_format({"num_format": "#,##0.00"}),
        DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    bold = {kind: workbook.add_format({"bold": True}) for kind in formats}
    for kind, fmt in formats.items():
        if fmt is not None:
            bold[kind].set_num_format(fmt.num_format)

    for index, column in enumerate(table.columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.title, header)
    sheet.freeze_panes(1, 0)

    writers = [_cell_writer(sheet, column.kind) for column in table.columns]
    kinds = [column.kind for column in table.columns]
    row_number = 0
    for row_number, row in enumerate(table.rows, start=1):
        for index, value in enumerate(row):
            if value is not None:
                writers[index](row_number, index, value, formats[kinds[index]])
        if row_number + 1 >= XLSX_MAX_ROWS:
            workbook.close()
            raise TooManyRowsError("The rows do not fit in one XLSX sheet; export CSV instead.")
    if table.totals is not None:
        for index, value in enumerate(table.totals):
            if value is not None:
                writers[index](row_number + 1, index, value, bold[kinds[index]])
    workbook.close()
    return row_number


def _cell_writer(sheet, kind: str):
    if kind == TEXT:
        return lambda r, c, value, fmt: sheet.write_string(r, c, neutralise(str(value)), fmt)
    if kind == DATE:
        return lambda r, c, value, fmt: sheet.write_datetime(
            r, c, dt.datetime(value.year, value.month, value.day), fmt
        )
    # Decimal → float: XLSX stores IEEE doubles; money of up to 12 digits is exact to the cent.
    return lambda r, c, value, fmt: sheet.write_number(
        r, c, float(value) if isinstance(value, Decimal) else value, fmt
    )
