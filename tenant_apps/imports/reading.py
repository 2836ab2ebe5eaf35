"""Rows out of an uploaded XLSX or CSV file, streamed: openpyxl's read-only mode for XLSX (cells
as their cached values: a formula is never run), the `csv` module for CSV (delimiter sniffed;
UTF-8 with or without a BOM, or Windows-1251, which Russian Excel writes).

`file_check` runs at upload and refuses what cannot be a sheet to import (a clear 400); the
worker's `sheet_rows` then fails the job with a reason for what only reading finds."""

import codecs
import csv
import io
import pickle
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import xlsx_process

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
# An XLSX is a zip: its parts may unpack to at most this much, or it is a decompression bomb
# (100,000 full rows of a sheet unpack to some 30 MB).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # password-protected XLSX, or an old XLS
CSV_SAMPLE_BYTES = 64 * 1024
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # where `python -m tenant_apps...` runs


class UnreadableFileError(Exception):
    """The file cannot be imported; the message says why, in the user's language."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


FILE_ERRORS = {
    "file_too_large": gettext_lazy("The file is larger than 20 MB."),
    "file_encrypted": gettext_lazy(
        "The file is password-protected or an old .xls workbook: save it as .xlsx without a "
        "password, or as CSV."
    ),
    "file_not_xlsx": gettext_lazy("The file is not an Excel workbook (.xlsx)."),
    "file_too_big_unpacked": gettext_lazy(
        "The workbook unpacks to more than 400 MB; it cannot be a fleet sheet."
    ),
    "file_not_csv": gettext_lazy("The file is not text in UTF-8 or Windows-1251."),
    "file_empty": gettext_lazy("The file has no header row."),
    "too_many_rows": gettext_lazy("The file has more than 200,000 rows; split it."),
}


def _refuse(code: str) -> UnreadableFileError:
    return UnreadableFileError(str(FILE_ERRORS[code]), code)


def file_format(name: str) -> str | None:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension if extension in ("xlsx", "csv") else None


def file_check(file: IO[bytes], *, size: int, file_format: str) -> None:
    """Refuse at upload what cannot be read: too big, encrypted, not a zip, a zip bomb, text in
    no encoding we read."""
    if size > MAX_BYTES:
        raise _refuse("file_too_large")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head == OLE2_MAGIC:
        raise _refuse("file_encrypted")
    if file_format == "xlsx":
        try:
            with zipfile.ZipFile(file) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _refuse("file_not_xlsx") from exc
        finally:
            file.seek(0)
        if "[Content_Types].xml" not in names:
            raise _refuse("file_not_xlsx")
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refuse("file_too_big_unpacked")
    else:
        _csv_encoding(file.read(CSV_SAMPLE_BYTES))
        file.seek(0)


def _csv_encoding(sample: bytes) -> str:
    if b"\x00" in sample:  # binary, or UTF-16: no spreadsheet's CSV
        raise _refuse("file_not_csv")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A cut in the middle of a character at the sample's end is no reason to refuse.
        sample.decode("utf-8", errors="strict")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) == CSV_SAMPLE_BYTES:
            return "utf-8"
    return "cp1251"  # every byte decodes; Russian Excel's "CSV" is in it


def _limited(rows: Iterator[tuple]) -> Iterator[tuple]:
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:  # the header is row 1
            raise _refuse("too_many_rows")
        yield row


def rows_estimate(file: IO[bytes], *, file_format: str) -> int | None:
    """The file's rows, header included, as far as can be told without parsing it: the lines
    of a CSV (a line break inside a quoted cell counts too), the stated size of an XLSX sheet
    (None when it states none). A file over the limit is refused before its first row is
    checked."""
    if file_format == "csv":
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
        file.seek(0)
        estimate = lines
    else:
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:
            raise _refuse("file_not_xlsx") from exc
        try:
            estimate = workbook.worksheets[0].max_row if workbook.worksheets else None
        finally:
            workbook.close()
            file.seek(0)
    if estimate is not None and estimate > MAX_ROWS + 1:
        raise _refuse("too_many_rows")
    return estimate


def sheet_rows(file: IO[bytes], *, file_format: str) -> Iterator[tuple]:
    """The rows of the file's first sheet, the header first, each a tuple of cell values
    (None for an empty cell); trailing empty rows are skipped by the caller."""
    if file_format == "xlsx":
        return _limited(_xlsx_rows(file))
    return _limited(_csv_rows(file))


def _xlsx_rows(file: IO[bytes]) -> Iterator[tuple]:
    """The sheet parsed by a child process (`xlsx_process`) while this one checks and writes
    the rows already parsed: openpyxl's read-only parse is a fifth of an XLSX import's time
    (~30 µs a row), and a process of its own is the only way to run it beside the checks (a
    thread would hold the GIL; a Celery prefork child may not start `multiprocessing` ones).
    Its rows come back in batches through a pipe, a few at a time: the memory stays that of
    one batch. Its output is unpickled by `_CellUnpickler`, which builds nothing but cell
    values: a process that parsed a hostile file is not trusted with more."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tenant_apps.imports.xlsx_process"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    try:
        # The child reads the whole workbook before it writes a row: no deadlock.
        with process.stdin:
            shutil.copyfileobj(file, process.stdin)
        messages = _CellUnpickler(process.stdout)
        while True:
            try:
                message = messages.load()
            except EOFError:
                raise RuntimeError(
                    f"The XLSX reader stopped without finishing (exit code {process.wait()})."
                ) from None
            if message[0] == xlsx_process.ROWS:
                yield from message[1]
            elif message[0] == xlsx_process.FAILED:
                raise _refuse(message[1])
            else:
                break
    finally:
        if process.poll() is None:
            process.kill()  # the caller stopped early (too many rows, a failure)
        process.stdout.close()
        process.wait()


class _CellUnpickler(pickle.Unpickler):
    """Unpickles the child's messages: tuples, lists and plain values, and of classes only the
    `datetime` ones openpyxl gives cells."""

    ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is no cell value")


def _csv_rows(file: IO[bytes]) -> Iterator[tuple]:
    sample = file.read(CSV_SAMPLE_BYTES)
    file.seek(0)
    encoding = _csv_encoding(sample)
    text = io.TextIOWrapper(file, encoding=encoding, newline="", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(sample.decode(encoding, errors="ignore"), ";,\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        for row in csv.reader(text, delimiter=delimiter):
            yield tuple([cell or None for cell in row])  # an empty cell is None, as in XLSX
    except csv.Error as exc:
        raise UnreadableFileError(
            _("The CSV file is malformed: %(reason)s") % {"reason": exc}, "file_not_csv"
        ) from exc
    finally:
        text.detach()
