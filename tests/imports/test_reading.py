"""Reading an XLSX in a child process (`reading._xlsx_rows`): the very values openpyxl gives in
this one, the child gone when reading stops early, and nothing but cell values unpickled from
it."""

import datetime as dt
import io
import pickle
from decimal import Decimal

import openpyxl
import pytest

from tenant_apps.imports import reading

from .test_imports import xlsx_bytes

ROWS = [
    ["Number plate", "Month", "Liters", "When", "Done", None],
    ["01KG100AAA", "2026-03", 40.5, dt.datetime(2026, 3, 15, 10, 30), True, None],
    ["01KG100AAA", dt.date(2026, 4, 1), 12, dt.time(8, 15), False, "x"],
]


def in_process(content: bytes) -> list[tuple]:
    """The rows as reading them in this process gave them."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    return list(sheet.iter_rows(values_only=True))


def test_the_child_gives_the_values_openpyxl_gives_here():
    content = xlsx_bytes(ROWS)

    rows = list(reading.sheet_rows(io.BytesIO(content), file_format="xlsx"))

    assert rows == in_process(content)
    assert rows == [
        ("Number plate", "Month", "Liters", "When", "Done"),
        ("01KG100AAA", "2026-03", 40.5, dt.datetime(2026, 3, 15, 10, 30), True),
        ("01KG100AAA", dt.datetime(2026, 4, 1), 12, dt.time(8, 15), False, "x"),
    ]


def test_more_rows_than_a_batch_come_back_in_order():
    content = xlsx_bytes([["n"], *([n] for n in range(2500))])

    rows = list(reading.sheet_rows(io.BytesIO(content), file_format="xlsx"))

    assert rows == [("n",), *((n,) for n in range(2500))]


def test_reading_stopped_early_ends_the_child(monkeypatch):
    started = []
    popen = reading.subprocess.Popen

    def recording_popen(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(reading.subprocess, "Popen", recording_popen)
    rows = reading.sheet_rows(
        io.BytesIO(xlsx_bytes([["n"], *([n] for n in range(2500))])), file_format="xlsx"
    )

    assert next(rows) == ("n",)
    rows.close()

    assert len(started) == 1
    assert started[0].returncode is not None  # killed and waited for: no process left behind


def test_a_workbook_the_child_cannot_open_is_refused_with_the_reason():
    with pytest.raises(reading.UnreadableFileError) as caught:
        list(reading.sheet_rows(io.BytesIO(b"PK\x03\x04 not a workbook"), file_format="xlsx"))

    assert (caught.value.code, str(caught.value)) == (
        "file_not_xlsx",
        "The file is not an Excel workbook (.xlsx).",
    )


@pytest.mark.parametrize("value", [Decimal("1.5"), io.BytesIO(b""), print])
def test_nothing_but_cell_values_is_unpickled_from_the_child(value):
    message = pickle.dumps(("rows", [(value,)]))

    with pytest.raises(pickle.UnpicklingError, match="is no cell value"):
        reading._CellUnpickler(io.BytesIO(message)).load()
