"""Real .xlsx files for the spreadsheet tests, made with openpyxl as a user's Excel would."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from fangkong.core.people_import import COLUMNS
from fangkong.spreadsheets import XLSX_CONTENT_TYPE
from fangkong.testing.factories import valid_national_id

ENGLISH_HEADER = [column.en for column in COLUMNS]
CHINESE_HEADER = [column.zh for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]
# Born on another day than the factories' people, so that no test ID number clashes.
BORN = datetime.date(1985, 5, 5)


def national_id(sequence: int) -> str:
    return valid_national_id(sequence, born=BORN)


def person(sequence: int, **values) -> dict:
    """One valid row, as {column key: cell value}, of someone of the `unit` fixture."""
    row = {
        "person_number": f"T{sequence:05d}",
        "name": f"导入{sequence}",
        "sex": "女",
        "category": "staff",
        "unit": "arch",
        "national_id": national_id(sequence),
        "phone": f"139{sequence:08d}",
        "native_province": "陕西省",
        "native_place": "西安市",
        "current_province": "陕西省",
        "current_city": "西安市",
    }
    row.update(values)
    return row


def workbook(rows: list[dict], header: list[str] | None = None) -> bytes:
    """An .xlsx whose first sheet is `header` then `rows` (dicts by column key; a key left
    out is an empty cell)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "People"
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in KEYS])
    return save(book)


def save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "people.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


def read(content: bytes) -> list[tuple]:
    """Every row of the first sheet of an .xlsx, as openpyxl reads it."""
    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
