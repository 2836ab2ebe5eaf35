"""The child process that parses an XLSX sheet for `reading` (`python -m
tenant_apps.imports.xlsx_process`): the workbook's bytes on stdin, its first sheet's rows on
stdout, as pickles of up to BATCH_ROWS rows each, then END. Nothing but openpyxl and the
standard library is imported here: the process starts in a fraction of a second.

Every message is a tuple: (ROWS, [row, ...]), (FAILED, why) when the workbook cannot be
opened, or (END,). A row is a tuple of openpyxl's cell values (str, int, float, bool, None,
and the `datetime` types); the parent unpickles nothing else."""

import io
import pickle
import sys

BATCH_ROWS = 1000
ROWS, FAILED, END = "rows", "failed", "end"
NOT_XLSX = "file_not_xlsx"


def main() -> None:
    import openpyxl

    out = sys.stdout.buffer
    content = io.BytesIO(sys.stdin.buffer.read())
    try:
        workbook = openpyxl.load_workbook(content, read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever the broken part makes it raise
        pickle.dump((FAILED, NOT_XLSX), out)
        out.flush()
        return
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the stated size may lie; read what is there
        batch = []
        for row in sheet.iter_rows(values_only=True):
            batch.append(row)
            if len(batch) == BATCH_ROWS:
                pickle.dump((ROWS, batch), out)
                batch = []
        pickle.dump((ROWS, batch), out)
        pickle.dump((END,), out)
        out.flush()
    finally:
        workbook.close()


if __name__ == "__main__":
    main()
