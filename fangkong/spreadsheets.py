"""Reading and writing spreadsheets the way every module does: uploads of .xlsx, .xls or .ods
read with python-calamine after checks of what they unpack to, both languages' headers,
errors that name the row and the column; .xlsx written with openpyxl.
"""

import datetime
import faulthandler
import io
import itertools
import marshal
import os
import re
import resource
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

import xlsxwriter
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetTypeEnum

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
    """The file as a whole cannot be read (wrong type, too large, empty, missing columns).

    `row` is the sheet row the problem lies on (the header row that lacks a column), 0
    where it is the file as a whole."""

    def __init__(self, message: str, row: int = 0):
        super().__init__(message)
        self.row = row


# ---- reading an uploaded workbook ----------------------------------------------------------
#
# python-calamine (Rust) reads .xlsx, .xlsm, .xls and .ods. It holds the first worksheet in
# memory as it reads it, so what a file unpacks to is checked before anything is unpacked:
# an .xlsx or .ods is a zip, and its directory states every entry's size. (calamine's zip
# reader stops at an entry that unpacks to more than its stated size, so the directory
# cannot understate it.) The limits are far above any office's table: 50,000 people are a
# 3 MB file that unpacks to 30 MB.

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
UPLOAD_ACCEPT = ",".join(SPREADSHEET_SUFFIXES)  # the file input's accept attribute
MAX_UNPACKED_MB = 100  # what all the entries of a workbook's zip may unpack to together
MAX_COMPRESSION_RATIO = 100  # unpacked size over packed size of one entry…
RATIO_CHECKED_FROM_MB = 1  # …of at least this size: small parts (styles) pack very well
MAX_ARCHIVE_ENTRIES = 10_000
MAX_SHEET_CELLS = 5_000_000  # rows × columns of the sheet read: 50,000 people are 750,000
MEGABYTE = 1000 * 1000
_DIMENSION = re.compile(
    rb"""<(?:[\w.-]+:)?dimension\s+ref\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"""
    rb"""(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?["']"""
)
_DIMENSION_HEAD = 4096  # bytes of a worksheet's XML in which its <dimension> is looked for


def not_a_spreadsheet() -> SheetError:
    return SheetError(
        _(
            "This is not a spreadsheet that can be read: save it from Excel, WPS or "
            "LibreOffice as .xlsx, .xls or .ods."
        )
    )


def check_file_name(name: str) -> None:
    """Refuse a file whose name says it is not a workbook (people.csv, report.docx)."""
    if name and not name.lower().endswith(SPREADSHEET_SUFFIXES):
        raise not_a_spreadsheet()


def check_archive(upload) -> None:
    """Refuse an .xlsx or .ods that would unpack to too much, from its zip directory alone.
    A file that is not a zip (.xls, or no workbook at all) is left to calamine."""
    upload.seek(0)
    try:
        if not zipfile.is_zipfile(upload):
            return
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            _check_entries(entries)
            _check_declared_dimensions(archive, entries)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        raise not_a_spreadsheet() from None
    finally:
        upload.seek(0)


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise SheetError(
            _(
                "The workbook is made of %(count)s files packed together; at most %(limit)s "
                "are accepted. Save it again from Excel, WPS or LibreOffice."
            )
            % {"count": f"{len(entries):,}", "limit": f"{MAX_ARCHIVE_ENTRIES:,}"}
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_MB * MEGABYTE:
        raise SheetError(
            _(
                "The workbook unpacks to %(size)s MB; at most %(limit)s MB can be imported. "
                "Split it into smaller files."
            )
            % {"size": f"{unpacked / MEGABYTE:,.0f}", "limit": MAX_UNPACKED_MB}
        )
    for entry in entries:
        if entry.file_size < RATIO_CHECKED_FROM_MB * MEGABYTE:
            continue
        if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise SheetError(
                _(
                    "A part of the workbook (%(part)s) unpacks to more than %(limit)s times "
                    "its packed size: that is no ordinary spreadsheet, and it is refused."
                )
                % {"part": entry.filename[:80], "limit": MAX_COMPRESSION_RATIO}
            )


def _check_declared_dimensions(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]):
    """The <dimension> each worksheet of an .xlsx declares, read from its first bytes."""
    for entry in entries:
        name = entry.filename.lower()
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(entry) as part:
            found = _DIMENSION.search(part.read(_DIMENSION_HEAD))
        if found is None:
            continue
        first_column, first_row, last_column, last_row = found.groups()
        rows = abs(int(last_row or first_row) - int(first_row)) + 1
        columns = abs(_column_number(last_column or first_column) - _column_number(first_column))
        _check_cells(rows, columns + 1)


def _column_number(letters: bytes) -> int:
    """1 for A, 26 for Z, 27 for AA."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _check_cells(rows: int, columns: int) -> None:
    if rows * columns > MAX_SHEET_CELLS:
        raise SheetError(
            _(
                "The sheet spans %(rows)s rows by %(columns)s columns, %(cells)s cells; at most "
                "%(limit)s cells can be imported. Delete the empty rows and columns around "
                "the table, or split it into smaller files."
            )
            % {
                "rows": f"{rows:,}",
                "columns": f"{columns:,}",
                "cells": f"{rows * columns:,}",
                "limit": f"{MAX_SHEET_CELLS:,}",
            }
        )


class Sheet:
    """The first worksheet of an uploaded workbook, as a child process reads it with
    calamine (see `open_sheet`): `numbered_rows` gives its rows as they arrive."""

    def __init__(self, child: "_ReadingChild"):
        self.child = child

    def numbered_rows(self) -> Iterator[tuple[int, list]]:
        """(row number, [value of each column]) for every row from row 1, in order. Values
        are str ("" where empty), float, int, bool, or a date, time or datetime."""
        # calamine gives every row from the first, and the columns from the first that
        # holds anything: a table starting in column B is read from B.
        number = 0
        try:
            while (message := self.child.receive()) != _END:
                kind, rows = message
                if kind == "tagged":
                    rows = [_decoded(row) for row in rows]
                for row in rows:
                    number += 1
                    yield number, row
        finally:
            self.child.close()


# calamine lays a sheet out as one block from its first used cell to its last, and a file of
# a few hundred bytes can name a cell billions of cells away from A1; the Rust code then
# aborts the whole process when the allocation fails. So the sheet is read in a child process
# with its memory and processor time capped: a file that breaks a cap costs the child, the
# user is told, and the worker serving the page goes on. The child sends the rows over a pipe
# in chunks as it reads them (marshal: the fastest form for lists of texts and numbers), so
# the caller checks the first rows while the child reads the rest.
READ_MEMORY_MB = 1024  # what reading one sheet may add to the worker's address space
READ_SECONDS = 60  # processor seconds reading one sheet may take
_ROWS_A_CHUNK = 2000
_END = ("end",)
_TEMPORAL = {datetime.datetime: "datetime", datetime.date: "date", datetime.time: "time"}
_FROM_ISO = {
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "time": datetime.time.fromisoformat,
}


def _encoded(row: list) -> list:
    """A row as marshal can send it: dates and times as (kind, ISO text)."""
    return [
        (_TEMPORAL[type(value)], value.isoformat()) if type(value) in _TEMPORAL else value
        for value in row
    ]


def _decoded(row: list) -> list:
    return [_FROM_ISO[value[0]](value[1]) if type(value) is tuple else value for value in row]


def _too_large() -> SheetError:
    return SheetError(
        _(
            "This workbook would need more than %(memory)s MB of memory or %(seconds)s "
            "seconds to read: its sheet spans far more rows and columns than its table "
            "(a cell typed far below or to the right of it). Delete the empty rows and "
            "columns around the table, or copy the table into a new workbook."
        )
        % {"memory": READ_MEMORY_MB, "seconds": READ_SECONDS}
    )


def _panic(exc: BaseException) -> bool:
    """Whether `exc` is a Rust panic inside calamine (pyo3's PanicException, which is not
    an Exception) on a malformed file."""
    return type(exc).__name__ == "PanicException"


def open_sheet(upload) -> Sheet:
    """The first worksheet of an uploaded .xlsx, .xlsm, .xls or .ods, after the checks of
    what it unpacks to, read in a child process with capped memory (see READ_MEMORY_MB).
    Raises SheetError if the file cannot be read; iterate `numbered_rows` to the end (or
    close the generator) so that the child is waited for."""
    check_file_name(getattr(upload, "name", "") or "")
    check_archive(upload)
    upload.seek(0)
    child = _ReadingChild(upload.read())
    first = child.receive()
    if first[0] == "error":
        child.close()
        raise SheetError(first[1], first[2])
    return Sheet(child)


class _ReadingChild:
    """A forked child reading a workbook's bytes with calamine and sending what it read."""

    def __init__(self, data: bytes):
        reader, writer = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into the caller's code
            status = 1
            try:
                os.close(reader)
                faulthandler.disable()  # an abort here is expected and told by the parent
                _cap_resources()
                with os.fdopen(writer, "wb") as out:
                    _send_rows(data, out)
                status = 0
            except BaseException:  # a MemoryError, a closed pipe: the parent sees no end
                status = 1
            finally:
                os._exit(status)
        os.close(writer)
        self.source = os.fdopen(reader, "rb")

    def receive(self):
        """The next message; SheetError if the child died before sending it."""
        head = self.source.read(8)
        if len(head) < 8:
            self.close()
            raise _too_large()
        size = int.from_bytes(head, "little")
        body = self.source.read(size)
        if len(body) < size:
            self.close()
            raise _too_large()
        return marshal.loads(body)

    def close(self) -> None:
        if self.pid is None:
            return
        self.source.close()  # a child still sending stops on the closed pipe
        os.waitpid(self.pid, 0)
        self.pid = None


def _cap_resources() -> None:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + READ_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    used = resource.getrusage(resource.RUSAGE_SELF)
    seconds = int(used.ru_utime + used.ru_stime) + READ_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))


def _send(out, message) -> None:
    body = marshal.dumps(message)
    out.write(len(body).to_bytes(8, "little"))
    out.write(body)


def _send_rows(data: bytes, out) -> None:
    """In the child: ("ok",), the rows in chunks, then _END; or ("error", message, row)."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError, UnicodeError):
        return _send(out, ("error", str(not_a_spreadsheet()), 0))
    except BaseException as exc:
        if _panic(exc):
            return _send(out, ("error", str(not_a_spreadsheet()), 0))
        raise
    try:
        worksheet = _first_worksheet(book)
        end = worksheet.end
        if end is not None:
            _check_cells(end[0] + 1, worksheet.width)
    except SheetError as exc:
        book.close()
        return _send(out, ("error", str(exc), exc.row))
    _send(out, ("ok",))
    rows = worksheet.iter_rows()
    while chunk := list(itertools.islice(rows, _ROWS_A_CHUNK)):
        try:  # texts and numbers, the usual chunk
            _send(out, ("rows", chunk))
        except ValueError:  # dates or times among them, which marshal cannot send
            _send(out, ("tagged", [_encoded(row) for row in chunk]))
    _send(out, _END)
    book.close()


def _first_worksheet(book: CalamineWorkbook) -> CalamineSheet:
    index = next(
        (
            number
            for number, sheet in enumerate(book.sheets_metadata)
            if sheet.typ == SheetTypeEnum.WorkSheet
        ),
        None,
    )
    if index is None:
        raise not_a_spreadsheet()  # a workbook of chart sheets only
    try:
        return book.get_sheet_by_index(index)
    except (CalamineError, ValueError, OSError, UnicodeError):
        raise not_a_spreadsheet() from None
    except BaseException as exc:
        if _panic(exc):
            raise not_a_spreadsheet() from None
        raise


def iter_sheet_rows(upload) -> Iterator[tuple[int, list]]:
    """(row number, values) of each row of the first worksheet of an uploaded workbook."""
    yield from open_sheet(upload).numbered_rows()


def cell_text(value) -> str:
    """A cell as text. Whole numbers typed into a numeric cell lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _blank(values) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


NO_NUMBERS: frozenset[str] = frozenset()
HEADER_SEARCH_ROWS = 10  # the header row is looked for in the first rows of the sheet


def _header_positions(values, known: dict[str, str]) -> dict[str, int]:
    """Which cell of a row holds each column whose header (English or Chinese) it holds."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(values):
        label = str(cell).strip() if cell is not None else ""
        key = known.get(label) or known.get(label.lower())
        if key and key not in positions:
            positions[key] = index
    return positions


def find_header(rows: Iterator[tuple[int, list]], columns: list[Column]):
    """(row number, {key: cell index}) of the header row: the first of the first
    HEADER_SEARCH_ROWS rows with every required column. A title above it (某某学院人员台账,
    merged across the table) is passed over. If no row has them all, the row holding the
    most of the columns is taken as the header, and the error names it and what it lacks."""
    known = {}
    for column in columns:
        known[column.en.strip().lower()] = column.key
        known[column.zh.strip()] = column.key
    required = [column for column in columns if column.required]
    best = None  # (row number, positions) of the row with the most columns so far
    anything = False
    for row_number, values in rows:
        positions = _header_positions(values, known)
        if all(column.key in positions for column in required):
            return row_number, positions
        anything = anything or not _blank(values)
        if best is None or len(positions) > len(best[1]):
            best = row_number, positions
        if row_number >= HEADER_SEARCH_ROWS:
            break
    if not anything:
        raise SheetError(_("The file is empty: it has no header row."))
    names = "、".join(f"{c.zh} / {c.en}" for c in required if c.key not in best[1])
    if not best[1]:
        raise SheetError(
            _(
                "No header row was found: none of the first %(count)d rows names a column. "
                "The header row needs the column(s): %(names)s."
            )
            % {"count": HEADER_SEARCH_ROWS, "names": names}
        )
    raise SheetError(
        _("The header row lacks the column(s): %(names)s.") % {"names": names}, row=best[0]
    )


def iter_records(sheet, columns: list[Column]) -> Iterator[tuple[int, dict[str, str], set[str]]]:
    """(row number, {key: text}, keys whose cell was a number) for each non-blank data row
    after the header row. A caller that needs digits kept exactly (ID numbers) refuses
    numeric cells: Excel keeps only 15 significant digits of a number."""
    rows = iter(sheet.numbered_rows())
    _header_row, positions = find_header(rows, columns)
    keys = list(positions)
    width = max(positions.values()) + 1
    pick = itemgetter(*positions.values()) if len(keys) > 1 else lambda row: (row[width - 1],)
    padding = [None] * width
    for number, row in rows:
        if len(row) < width:
            row = [*row, *padding[len(row) :]]
        picked = pick(row)
        try:  # text or empty cells, the usual row
            texts = [value.strip() if value is not None else "" for value in picked]
            numeric = NO_NUMBERS
        except AttributeError:  # a number, a date or a boolean among them
            texts = [cell_text(value) for value in picked]
            numeric = {key for key, value in zip(keys, picked, strict=True) if _is_number(value)}
        if not any(texts) and _blank(row):
            continue
        yield number, dict(zip(keys, texts, strict=True)), numeric


def _export_value(sheet, value):
    """A value as an export writes it: text is text, even when it starts with '=' (which
    openpyxl would write as a formula for Excel to run); characters XML cannot hold go."""
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


# xlsxwriter's formats for the plain exports' cells that are not text, as openpyxl writes
# them (and reads them back).
_NUMBER_FORMATS = {
    datetime.datetime: "yyyy-mm-dd h:mm:ss",
    datetime.date: "yyyy-mm-dd",
    datetime.time: "h:mm:ss",
}
# Characters a sheet's name cannot hold (Excel refuses the workbook otherwise).
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def workbook_response(
    filename: str, title: str, columns: list[Column], rows: Iterable[Iterable], chinese: bool
) -> HttpResponse:
    """An .xlsx download: a bold header row in the user's language, then `rows`.

    Written with xlsxwriter, not openpyxl: an export of the whole registry is tens of
    thousands of cells, and openpyxl's writer (a cell object and an XML element per cell,
    even in write-only mode) took most of the request's time; xlsxwriter writes the same
    sheet three times as fast, every text in the shared strings table as Excel saves it.
    Text is always written as text, even when it starts with '=' (nothing a user typed
    becomes a formula), without the characters XML cannot hold.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_SHEET_NAME_BAD.sub(" ", title)[:31] or "Sheet1")
    bold = workbook.add_format({"bold": True})
    formats = {
        kind: workbook.add_format({"num_format": code}) for kind, code in _NUMBER_FORMATS.items()
    }
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.zh if chinese else column.en, bold)
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            _write_cell(sheet, number, index, value, formats)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _write_cell(sheet, row: int, column: int, value, formats: dict) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        sheet.write_string(row, column, value)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(row, column, value, formats[datetime.datetime])
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, column, value, formats[datetime.date])
    elif isinstance(value, datetime.time):
        sheet.write_datetime(row, column, value, formats[datetime.time])
    else:
        raise TypeError(f"cannot write a {type(value).__name__} to a sheet")


# ---- report workbooks ------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=16)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
QUANTITY_FORMAT = "#,##0.###"


def excel_number(value):
    """A Decimal as Excel holds a number (whole numbers stay whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class TitledSheet:
    """A titled report table written row by row (the office's forms: a merged title, lines
    of facts, a grey header, the rows, bold totals), bordered from the header down, printed
    landscape one page wide with the header repeated."""

    def __init__(self, title: str, sheet_name: str, headers: list[tuple[str, int]]):
        self.workbook = Workbook()
        self.sheet = self.workbook.active
        self.sheet.title = sheet_name[:31]
        self.width = len(headers)
        self.headers = headers
        self.row = 1
        self.sheet.merge_cells(f"A1:{get_column_letter(self.width)}1")
        self._put(1, title, font=TITLE_FONT, alignment=CENTRE)
        self.sheet.row_dimensions[1].height = 28
        self.header_row = None

    def _put(self, column: int, value, *, font=None, alignment=None, number_format=None):
        guarded = _export_value(self.sheet, value)
        cell = self.sheet.cell(row=self.row, column=column)
        if guarded is value:
            cell.value = value
        else:
            cell.value = guarded if isinstance(guarded, str) else guarded.value
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def line(self, text: str) -> None:
        """A line of facts under the title (period, compiler), across the whole width."""
        self.row += 1
        self.sheet.merge_cells(
            start_row=self.row, start_column=1, end_row=self.row, end_column=self.width
        )
        self._put(1, text, alignment=LEFT)

    def header(self) -> None:
        self.row += 1
        self.header_row = self.row
        for column, (text, width) in enumerate(self.headers, start=1):
            cell = self._put(column, text, font=BOLD, alignment=CENTRE)
            cell.fill = HEADER_FILL
            self.sheet.column_dimensions[get_column_letter(column)].width = width

    def append(self, values: list, *, font=None) -> None:
        self.row += 1
        for column, value in enumerate(values, start=1):
            if hasattr(value, "is_finite"):  # a Decimal
                self._put(column, excel_number(value), font=font, number_format=QUANTITY_FORMAT)
            else:
                self._put(column, value, font=font, alignment=LEFT if column > 1 else CENTRE)

    def response(self, filename: str) -> HttpResponse:
        if self.header_row:
            for cells in self.sheet.iter_rows(
                min_row=self.header_row, max_row=self.row, max_col=self.width
            ):
                for cell in cells:
                    cell.border = BORDER
            self.sheet.freeze_panes = self.sheet.cell(row=self.header_row + 1, column=1)
            self.sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def language_code(chinese: bool) -> str:
    return "zh-hans" if chinese else "en"
