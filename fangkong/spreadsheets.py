"""Reading and writing .xlsx the way every module does: streamed, both languages' headers,
errors that name the row and the column.
"""

import codecs
import datetime
import functools
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from xml.etree import ElementTree

import xlsxwriter
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

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


def not_xlsx() -> SheetError:
    return SheetError(_("This is not an .xlsx file: save it from Excel or WPS as .xlsx."))


# ---- a streaming reader of the first worksheet ------------------------------------------
#
# openpyxl's read-only mode reads a 50,000-row sheet at a few thousand rows a second, and it
# trusts the <dimension> a file declares (a file that understates it loses rows silently).
# This reader streams the sheet's XML out of the zip and picks the rows and cells out of it
# with regular expressions, which is what makes a large import fast. It reads what Excel, WPS,
# LibreOffice and openpyxl write: shared strings, inline strings, numbers, booleans, errors,
# ISO dates and formulas' cached values; a namespace prefix on the elements (<x:row>) too.
# Numbers formatted as dates stay numbers (no people column holds a date).

# What reading a damaged or truncated file raises.
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,  # a compression method zipfile does not know
    UnicodeDecodeError,
    IndexError,  # a shared string that is not there
    ValueError,  # a number that is not one
)
_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_CHUNK = 1 << 20  # characters of sheet XML parsed at a time
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_ROW_NUMBER = re.compile(r"""\sr\s*=\s*["']([0-9]+)["']""")
_CELL_REF = re.compile(r"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?[0-9]*["']""")
_CELL_TYPE = re.compile(r"""\st\s*=\s*["'](\w+)["']""")


def _entity(match) -> str:
    hexadecimal, decimal, name = match.groups()
    if name:
        return _NAMED_ENTITIES[name]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


def xml_text(raw: str) -> str:
    """The text of XML character data as a parser would give it."""
    if "<" in raw:  # CDATA sections (or a stray comment) inside a text element
        parts = _CDATA.split(raw)
        return "".join(
            part if index % 2 else xml_text(re.sub(r"<!--.*?-->", "", part, flags=re.S))
            for index, part in enumerate(parts)
        )
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        raw = _ENTITY.sub(_entity, raw)
    return raw


def _column_index(letters: str) -> int:
    """0 for A, 25 for Z, 26 for AA."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


_LETTERS = [chr(65 + n) for n in range(26)]
_COLUMN_INDEX = {a + b: _column_index(a + b) for a in ["", *_LETTERS] for b in _LETTERS}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_part(archive: zipfile.ZipFile, name: str):
    try:
        return ElementTree.fromstring(archive.read(name))
    except (KeyError, ElementTree.ParseError, *DAMAGED):
        raise not_xlsx() from None


def _relationships(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, archive path of the target) of each relationship of `part`."""
    folder, _slash, base = part.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels_name not in archive.NameToInfo:
        return []
    found = []
    for element in _parse_part(archive, rels_name):
        if _local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
            continue
        target = element.get("Target", "")
        if target.startswith("/"):
            path = target[1:]
        else:
            path = posixpath.normpath(posixpath.join(folder, target))
        found.append((element.get("Id", ""), element.get("Type", ""), path))
    return found


def _prefix(head: str, root: str) -> str:
    """The namespace prefix the part's elements carry ('' or e.g. 'x:')."""
    match = re.search(rf"<(?:([A-Za-z_][\w.-]*):)?{root}\b", head)
    return f"{match.group(1)}:" if match and match.group(1) else ""


def _stream(archive: zipfile.ZipFile, name: str) -> Iterator[str]:
    """The text of a zip member, decoded chunk by chunk."""
    with archive.open(name) as source:
        data = source.read(_CHUNK)
        encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        decoder = codecs.getincrementaldecoder(encoding)()
        while data:
            yield decoder.decode(data)
            data = source.read(_CHUNK)
        yield decoder.decode(b"", final=True)


def _elements(archive: zipfile.ZipFile, name: str, root: str, element: str):
    """(namespace prefix, text) for a big part, streamed: each text holds whole `element`s
    only (and whatever lies between them)."""
    prefix = None
    close = ""
    buffer = ""
    for chunk in _stream(archive, name):
        buffer += chunk
        if prefix is None:
            prefix = _prefix(buffer[:4096], root)
            close = f"</{prefix}{element}>"
        end = buffer.rfind(close)
        if end < 0:
            continue
        end += len(close)
        yield prefix, buffer[:end]
        buffer = buffer[end:]
    if buffer:
        yield prefix or "", buffer


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    strings: list[str] = []
    patterns = None
    for prefix, text in _elements(archive, name, "sst", "si"):
        if patterns is None:
            p = re.escape(prefix)
            patterns = (
                # <si><t>plain text</t></si> in the first group, anything else in the second.
                re.compile(
                    rf"""<{p}si><{p}t(?: xml:space="preserve"|)>([^<]*)</{p}t></{p}si>"""
                    rf"|<{p}si\b[^>]*?(?:/>|>(.*?)</{p}si>)",
                    re.S,
                ),
                re.compile(rf"<{p}rPh\b.*?</{p}rPh>|<{p}rPh\b[^>]*/>", re.S),
                re.compile(rf"<{p}t(?:\s[^>]*?)?(?:/>|>(.*?)</{p}t>)", re.S),
            )
        plain_texts = _plain_strings(text, prefix)
        if plain_texts is not None:
            strings += plain_texts
            continue
        item, phonetic, any_text = patterns
        for plain, other in item.findall(text):
            if plain or not other:
                strings.append(xml_text(plain) if "&" in plain or "\r" in plain else plain)
            else:
                # Rich text: the runs' texts joined; phonetic guides (rPh) are not text.
                other = phonetic.sub("", other)
                strings.append("".join(xml_text(part) for part in any_text.findall(other)))
    return strings


def _plain_strings(text: str, prefix: str) -> list[str] | None:
    """The strings of a run of shared strings that are all plain text, one after the other
    (<si><t>a</t></si><si><t>b</t></si>…), as Excel writes most tables: split out in C.
    None if any item of `text` is anything else (it is then read item by item)."""
    start, close = f"<{prefix}si><{prefix}t>", f"</{prefix}t></{prefix}si>"
    text = text.replace(f'<{prefix}t xml:space="preserve">', f"<{prefix}t>")
    first, last = text.find(start), text.rfind(close)
    if first < 0 or last < first:
        return None
    inner = text[first + len(start) : last]
    items = inner.split(close + start)
    # Every item of the text is one of these, and the separators hold every "<" there is:
    # so no item holds markup (rich text, phonetic guides, CDATA).
    if text.count(f"<{prefix}si") != len(items) or inner.count("<") != 4 * (len(items) - 1):
        return None
    if "&" in inner or "\r" in inner:
        return [xml_text(item) if "&" in item or "\r" in item else item for item in items]
    return items


class XlsxSheet:
    """The first worksheet of an .xlsx, read as a stream: see `numbered_rows`."""

    def __init__(self, upload):
        try:
            upload.seek(0)
            self.archive = zipfile.ZipFile(upload)
        except DAMAGED:
            raise not_xlsx() from None
        try:
            self._find_parts()
        except SheetError:
            self.archive.close()
            raise

    def _find_parts(self) -> None:
        archive = self.archive
        workbook = "xl/workbook.xml"
        for _id, kind, path in _relationships(archive, ""):
            if kind.endswith("/officeDocument") and path in archive.NameToInfo:
                workbook = path
        if workbook not in archive.NameToInfo:
            raise not_xlsx()
        root = _parse_part(archive, workbook)
        if _local(root.tag) != "workbook" or root.tag[1:].split("}")[0] not in _MAIN_NAMESPACES:
            raise not_xlsx()
        relationships = {rid: (kind, path) for rid, kind, path in _relationships(archive, workbook)}
        self.sheet_path = None
        for element in root.iter():
            if _local(element.tag) != "sheet":
                continue
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            kind, path = relationships.get(rid, ("", ""))
            if kind.endswith("/worksheet") and path in archive.NameToInfo:
                self.sheet_path = path
                break
        if self.sheet_path is None:
            raise not_xlsx()  # a workbook of chart sheets only
        self.strings_path = next(
            (
                path
                for _kind, path in relationships.values()
                if _kind.endswith("/sharedStrings") and path in archive.NameToInfo
            ),
            None,
        )

    def close(self) -> None:
        self.archive.close()

    def numbered_rows(self) -> Iterator[tuple[int, list]]:
        """(row number, [value of each column, None where empty]) for each row the file has,
        in order. Values are str, int, float, bool or datetime, as openpyxl gives them."""
        try:
            strings = _shared_strings(self.archive, self.strings_path) if self.strings_path else []
            yield from self._rows(strings)
        except DAMAGED:  # truncated or damaged: saving it again is the cure too
            raise not_xlsx() from None

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple]:
        """Every row from row 1 as a tuple of values, as openpyxl's `iter_rows` gives them."""
        if not values_only:
            raise ValueError("XlsxSheet gives values only")
        expected = 1
        for number, values in self.numbered_rows():
            while expected < number:
                expected += 1
                yield ()
            expected = number + 1
            yield tuple(values)

    def _rows(self, strings: list[str]) -> Iterator[tuple[int, list]]:
        patterns = None
        number = 0
        for prefix, text in _elements(self.archive, self.sheet_path, "worksheet", "row"):
            if patterns is None:
                patterns = _SheetPatterns(prefix)
                fast = patterns.fast_cell
                row_open, cell_open = patterns.row_open, patterns.cell_open
                after_open, usual_start = len(row_open), row_open + " "
                usual_row = patterns.usual_row
            pieces = text.split(patterns.row_close)
            # Every piece but the last ends where a row closed; the last holds what follows
            # the last row (empty rows written <row r="9"/> have no cells: nothing to read).
            for index in range(len(pieces) - 1):
                piece = pieces[index]
                # The row is the last <row in the piece; usually its first and only one (which
                # usual_row makes sure of, reading everything after it as cells), else look.
                start = 0 if piece.startswith(usual_start) else -1
                head_end = piece.find(">") if start == 0 else -1
                values = usual_row(piece, head_end + 1, strings) if start == 0 else None
                if values is None:
                    start = piece.rfind(row_open)
                    while start >= 0 and piece[start + after_open : start + after_open + 1] not in (
                        " \t\r\n>"
                    ):
                        start = piece.rfind(row_open, 0, start)  # <rowBreaks>, say
                    if start < 0:
                        continue
                    head_end = piece.find(">", start)
                attributes = piece[start + after_open : head_end]
                found = None
                if attributes.startswith(' r="'):  # <row r="7" …>, as every program writes it
                    digits = attributes[4 : max(attributes.find('"', 4), 4)]
                    if digits.isascii() and digits.isdigit():
                        found = digits
                if found is None:
                    match = _ROW_NUMBER.search(attributes)
                    found = match.group(1) if match else None
                if found:
                    number = int(found)
                else:  # rows without a number follow the one before, empty ones included
                    number += 1 + len(patterns.empty_row.findall(piece, 0, start))
                if values is not None:  # cells in column order, each in the common shape
                    yield number, values
                    continue
                body = piece[head_end + 1 :]
                count = body.count(cell_open)
                # The fast patterns read a row only if they matched each of its cells.
                cells = fast.findall(body)
                if len(cells) != count:
                    fast = (
                        patterns.fast_inline if fast is patterns.fast_cell else patterns.fast_cell
                    )
                    cells = fast.findall(body)
                if len(cells) == count:
                    if fast is patterns.fast_cell:
                        yield number, _fast_values(cells, strings)
                    else:
                        yield number, _inline_values(cells, strings)
                else:
                    yield number, self._values(body, strings, patterns)

    @staticmethod
    def _values(body: str, strings: list[str], patterns: "_SheetPatterns") -> list:
        """A row's values, whatever its cells look like."""
        values: list = []
        column = -1
        for letters, kind, rest, raw, other in patterns.cell.findall(body):
            if rest:
                if not letters:
                    found = _CELL_REF.search(rest)
                    letters = found.group(1).upper() if found else ""
                if not kind:
                    found = _CELL_TYPE.search(rest)
                    kind = found.group(1) if found else ""
            if letters:
                column = _COLUMN_INDEX.get(letters)
                if column is None:
                    column = _column_index(letters)
            else:
                column += 1
            if other:
                if kind == "inlineStr":
                    inline = patterns.phonetic.sub("", other)
                    value = "".join(xml_text(t) for t in patterns.text.findall(inline))
                    _put(values, column, value)
                    continue
                found = patterns.value.search(other)
                raw = found.group(1) if found else ""
            if raw:
                _put(values, column, _value(kind, raw, strings))
        return values


class _SheetPatterns:
    """The regular expressions for a sheet whose elements carry `prefix`."""

    def __init__(self, prefix: str):
        p = self.prefix = re.escape(prefix)
        self.row_open, self.row_close = f"<{prefix}row", f"</{prefix}row>"
        self.cell_open = f"<{prefix}c"
        self.empty_row = re.compile(rf"<{p}row\b[^>]*/>")
        # The common cell, <c r="B7" s="3" t="s"><v>12</v></c> or <c r="B7" s="3"/>: what
        # follows its column letters (its type and value in two groups). Optional parts are
        # written (?:…|), not (?:…)?, which Python's re runs as a repeat that saves the
        # groups matched so far each time: on a row pattern (usual_row) that cost grows as
        # the square of the row's width. (The likelier branch first; types are letters.)
        self.cell_rest = (
            rf"""[0-9]+"(?: s="[0-9]+"|)(?: t="([A-Za-z]+)"|)"""
            rf"(?:><{p}v>([^<]*)</{p}v></{p}c>| ?/>)"
        )
        self.fast_cell = re.compile(rf"""<{p}c r="([A-Z]{{1,3}})""" + self.cell_rest)
        # The same, or an inline string (as openpyxl's write-only mode writes text); the
        # fourth group holds the string's <t> tag and text.
        self.fast_inline = re.compile(
            rf"""<{p}c r="([A-Z]{{1,3}})[0-9]+"(?: s="[0-9]+"|)(?: t="(\w+)"|)"""
            rf"(?: ?/>|><{p}v>([^<]*)</{p}v></{p}c>"
            rf"""|><{p}is>(<{p}t(?: xml:space="preserve"|)>[^<]*)</{p}t></{p}is></{p}c>)"""
        )
        # Any cell: attributes in another order or quoted otherwise, no reference, inline
        # strings, formulas (whose cached value is read).
        self.cell = re.compile(
            rf"""<{p}c(?:\s+r="([A-Z]{{1,3}})[0-9]+")?(?:\s+s="[0-9]+")?"""
            rf"""(?:\s+t="(\w+)")?(\s[^>]*?)?\s*"""
            rf"(?:/>|><{p}v>([^<]*)</{p}v></{p}c>|>(.*?)</{p}c>)",
            re.S,
        )
        # The last cell reference of a row, and the patterns of whole rows (see usual_row).
        self.last_cell = f'<{prefix}c r="'
        self.letters = re.compile(r"([A-Z]{1,3})[0-9]")
        self.row_patterns: dict[int, re.Pattern] = {}
        self.value = re.compile(rf"<{p}v(?:\s[^>]*)?>(.*?)</{p}v>", re.S)
        self.text = re.compile(rf"<{p}t(?:\s[^>]*?)?(?:/>|>(.*?)</{p}t>)", re.S)
        self.phonetic = re.compile(rf"<{p}rPh\b.*?</{p}rPh>|<{p}rPh\b[^>]*/>", re.S)

    def usual_row(self, piece: str, start: int, strings: list[str]) -> list | None:
        """The values of a row whose cells (`piece` from `start`) are nothing but cells in the
        common shape, in column order (any of them may be missing); else None.

        One match of a pattern made for the row's width reads the whole row, each column's
        type and value in groups of their own: the common row costs no Python per cell."""
        last = piece.rfind(self.last_cell, start)
        if last < 0:
            return None
        found = self.letters.match(piece, last + len(self.last_cell))
        width = _COLUMN_INDEX.get(found.group(1), USUAL_ROW_WIDTH) + 1 if found else 0
        if not 0 < width <= USUAL_ROW_WIDTH:
            return None
        pattern = self.row_patterns.get(width)
        if pattern is None:
            pattern = self.row_patterns[width] = self._row_pattern(width)
        match = pattern.fullmatch(piece, start)
        if match is None:
            return None
        groups = match.groups()
        kinds, raws = groups[0::2], groups[1::2]
        if kinds.count("s") == width and None not in raws and "" not in raws:
            # Every column a shared string: the usual row of a sheet of text.
            return list(map(strings.__getitem__, map(int, raws)))
        return [
            (strings[int(raw)] if kind == "s" else _value(kind or "", raw, strings))
            if raw
            else None
            for kind, raw in zip(kinds, raws, strict=True)
        ]

    def _row_pattern(self, width: int) -> re.Pattern:
        """Cells A, B, C… up to `width` columns, each optional, in fast_cell's shape: the
        type and the value of each column in groups 2n+1 and 2n+2 (None where it has none)."""
        return re.compile(
            "".join(
                rf"""(?:<{self.prefix}c r="{_column_letters(index)}{self.cell_rest}|)"""
                for index in range(width)
            )
        )


USUAL_ROW_WIDTH = 64  # wider rows are read cell by cell


def _fast_values(cells: list[tuple[str, str, str]], strings: list[str]) -> list:
    """Values from fast_cell's (letters, type, value) of each cell of a row."""
    if "|".join(map(_first, cells)) == _run_of_letters(len(cells)):
        # Cells A, B, C… with none left out (empty ones included): the usual row.
        return [
            (strings[int(raw)] if kind == "s" else _value(kind, raw, strings)) if raw else None
            for _letters, kind, raw in cells
        ]
    values: list = []
    for letters, kind, raw in cells:
        if raw:
            _put(values, _column(letters), _value(kind, raw, strings))
    return values


def _inline_values(cells: list[tuple[str, str, str, str]], strings: list[str]) -> list:
    """Values from fast_inline's (letters, type, value, "<t>text") of each cell of a row."""
    values: list = []
    for letters, kind, raw, inline in cells:
        if raw:
            _put(values, _column(letters), _value(kind, raw, strings))
        elif inline:
            _put(values, _column(letters), xml_text(inline[inline.index(">") + 1 :]))
    return values


_first = itemgetter(0)


@functools.lru_cache(maxsize=256)
def _run_of_letters(count: int) -> str:
    """'A|B|C' for 3: the references of a row's first `count` cells."""
    return "|".join(_column_letters(index) for index in range(count))


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column(letters: str) -> int:
    column = _COLUMN_INDEX.get(letters)
    return _column_index(letters) if column is None else column


def _value(kind: str, raw: str, strings: list[str]):
    """A cell's value from its type (t) and the text of its <v>."""
    if kind == "s":
        return strings[int(raw)]
    if not kind or kind == "n":
        return float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
    if kind == "b":
        return raw.strip() not in ("0", "false")
    if kind == "d":
        return _iso_datetime(raw)
    return xml_text(raw)  # str (a formula's text), e (an error such as #N/A), or unknown


def _put(values: list, column: int, value) -> None:
    if column == len(values):
        values.append(value)
    elif column > len(values):
        values.extend([None] * (column - len(values)))
        values.append(value)
    else:
        values[column] = value


def _iso_datetime(raw: str):
    try:
        return datetime.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return raw


class _Book:
    """What open_sheet returns besides the sheet: something to close."""

    def __init__(self, sheet: XlsxSheet):
        self.worksheets = [sheet]

    def close(self) -> None:
        self.worksheets[0].close()


def open_sheet(upload):
    """(book, sheet): the first worksheet of an uploaded .xlsx, opened for streaming.
    Close the book when done."""
    name = getattr(upload, "name", "") or ""
    if name and not name.lower().endswith((".xlsx", ".xlsm")):
        raise not_xlsx()
    sheet = XlsxSheet(upload)
    return _Book(sheet), sheet


def iter_sheet_rows(upload) -> Iterator[tuple[int, list]]:
    """(row number, values) of each row of the first worksheet of an .xlsx, streamed."""
    book, sheet = open_sheet(upload)
    try:
        yield from sheet.numbered_rows()
    finally:
        book.close()


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


def iter_records(sheet, columns: list[Column]) -> Iterator[tuple[int, dict[str, str], set[str]]]:
    """(row number, {key: text}, keys whose cell was a number) for each non-blank data row,
    streamed from the sheet, after the header row. A caller that needs
    digits kept exactly (ID numbers) refuses numeric cells: Excel keeps only 15 significant
    digits of a number."""
    if isinstance(sheet, XlsxSheet):
        rows = sheet.numbered_rows()
    else:  # an openpyxl worksheet
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    positions = None
    problem = None
    for row_number, values in rows:
        if _blank(values):
            continue
        # The header row is the first row with all the required columns: a title above it
        # (人员信息表, say) is passed over.
        try:
            positions = header_map(values, columns)
            break
        except SheetError as exc:
            problem = problem or exc
            if row_number >= HEADER_SEARCH_ROWS:
                break
    if positions is None:
        raise problem or SheetError(_("The file is empty: it has no header row."))
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
