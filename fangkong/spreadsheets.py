"""Reading and writing .xlsx the way every module does: streamed, both languages' headers,
errors that name the row and the column.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """A spreadsheet column: its key in code and the headers it is known by."""

    key: str
    en: str
    zh: str
    required: bool = False
    width: int = 14


@dataclass
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    column: str
    message: str


class SheetError(Exception):
    """The file as a whole cannot be read (wrong type, empty, missing columns)."""


def open_sheet(upload):
    """The first worksheet of an uploaded .xlsx, opened for streaming."""
    name = getattr(upload, "name", "") or ""
    if name and not name.lower().endswith((".xlsx", ".xlsm")):
        raise SheetError(_("This is not an .xlsx file: save it from Excel or WPS as .xlsx."))
    try:
        upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SheetError(
            _("This is not an .xlsx file: save it from Excel or WPS as .xlsx.")
        ) from None
    return workbook, workbook.worksheets[0]


def header_map(header: Iterable, columns: list[Column]) -> dict[str, int]:
    """Which cell of a row holds each column, from a header row in English or Chinese."""
    known = {}
    for column in columns:
        known[column.en.strip().lower()] = column.key
        known[column.zh.strip()] = column.key
    positions = {}
    for index, cell in enumerate(header):
        label = str(cell).strip() if cell is not None else ""
        key = known.get(label) or known.get(label.lower())
        if key and key not in positions:
            positions[key] = index
    missing = [c for c in columns if c.required and c.key not in positions]
    if missing:
        names = "、".join(f"{c.zh} / {c.en}" for c in missing)
        raise SheetError(_("The header row lacks the column(s): %(names)s.") % {"names": names})
    return positions


def cell_text(value) -> str:
    """A cell as text. Whole numbers typed into a numeric cell lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def iter_records(sheet, columns: list[Column]) -> Iterator[tuple[int, dict[str, str], set[str]]]:
    """(row number, {key: text}, keys whose cell was a number) for each non-blank data row,
    streamed from the sheet. A caller that needs digits kept exactly (ID numbers) refuses
    numeric cells: Excel keeps only 15 significant digits of a number."""
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise SheetError(_("The file is empty: it has no header row."))
    positions = header_map(header, columns)
    for number, row in enumerate(rows, start=2):
        if row is None or all(value is None or str(value).strip() == "" for value in row):
            continue
        record, numeric = {}, set()
        for key, index in positions.items():
            value = row[index] if index < len(row) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                numeric.add(key)
            record[key] = cell_text(value)
        yield number, record, numeric


def workbook_response(
    filename: str, title: str, columns: list[Column], rows: Iterable[Iterable], chinese: bool
) -> HttpResponse:
    """An .xlsx download: a bold header row in the user's language, then `rows`.

    Written in write-only mode so a long export streams through memory row by row.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns):
        letter = chr(ord("A") + index) if index < 26 else "A" + chr(ord("A") + index - 26)
        sheet.column_dimensions[letter].width = column.width
    from openpyxl.cell import WriteOnlyCell

    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.zh if chinese else column.en)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
