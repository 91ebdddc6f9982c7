"""Workbooks for the upload tests besides openpyxl's .xlsx: .ods and .xls as LibreOffice and
old Excel save them, and hostile .xlsx files (zip bombs) built small and fast.

A zip bomb's sheet is written as a raw deflate stream stitched from one compressed
megabyte repeated: after a full flush a deflate stream starts afresh, so every repeat
of the same megabyte compresses to the same bytes. Building a 600 MiB sheet then costs
its CRC (under a second), not 600 MiB of compression, and the file is about 600 KB.
"""

import io
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

import xlwt

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
MEBIBYTE = 1 << 20


# ---- .ods and .xls ---------------------------------------------------------------------------

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">\
<office:body><office:spreadsheet><table:table table:name="{name}">{rows}</table:table>\
</office:spreadsheet></office:body></office:document-content>"""


def _ods_cell(value) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(value)}</text:p></table:table-cell>"
    )


def ods(rows: list[list], name: str = "人员") -> bytes:
    """An .ods as LibreOffice lays it out: a stored mimetype first, the manifest, content.xml
    with one table of `rows` (lists of cell values, None for an empty cell)."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(value) for value in row) + "</table:table-row>"
        for row in rows
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST.format(mimetype=ODS_MIMETYPE))
        archive.writestr("content.xml", ODS_CONTENT.format(name=escape(name), rows=body))
    return buffer.getvalue()


def xls(rows: list[list], name: str = "人员") -> bytes:
    """An .xls (Excel 97-2003, BIFF8) written by xlwt."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(name)
    for row_index, row in enumerate(rows):
        for column_index, value in enumerate(row):
            if value is not None:
                sheet.write(row_index, column_index, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- .xlsx by hand


def package(sheet_xml: str, shared_strings: str | None = None) -> bytes:
    """A minimal .xlsx around a hand-written sheet (and shared strings table)."""
    overrides = (
        f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{SHEET_TYPE}.worksheet+xml"/>'
    )
    relationships = (
        f'<Relationship Id="rId1" Type="{RELATIONSHIP}/worksheet" Target="worksheets/sheet1.xml"/>'
    )
    if shared_strings is not None:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{SHEET_TYPE}.sharedStrings+xml"/>'
        )
        relationships += (
            f'<Relationship Id="rId2" Type="{RELATIONSHIP}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIP}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIP}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}">{relationships}</Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


# ---- hostile .xlsx ---------------------------------------------------------------------------


def _deflated_repeat(prefix: bytes, unit: bytes, repeats: int, suffix: bytes):
    """(raw deflate stream, CRC-32, size) of prefix + unit * repeats + suffix."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH) == block
    tail = compressor.compress(suffix) + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(repeats + 1):  # the block was compressed twice: once more in the stream
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    stream = head + block * (repeats + 1) + tail
    return stream, crc, len(prefix) + len(unit) * (repeats + 1) + len(suffix)


def _with_entry(content: bytes, name: str, stream: bytes, crc: int, size: int) -> bytes:
    """`content` (a zip) with the entry `name` replaced by an already deflated one, the
    zip written by hand around it (zipfile cannot take compressed data)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    entries = [
        (info.filename.encode(), *_deflate(source.read(info)))
        for info in source.infolist()
        if info.filename != name
    ]
    entries.append((name.encode(), stream, crc, size))
    out = io.BytesIO()
    directory = b""
    for filename, data, entry_crc, entry_size in entries:
        offset = out.tell()
        local = (20, 0, 8, 0, 0, entry_crc, len(data), entry_size, len(filename), 0)
        out.write(b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *local) + filename + data)
        central = (20, 20, 0, 8, 0, 0, entry_crc, len(data), entry_size, len(filename), 0, 0)
        central += (0, 0, 0, offset)
        directory += b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", *central) + filename
    start = out.tell()
    out.write(directory)
    out.write(
        b"PK\x05\x06"
        + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), start, 0)
    )
    return out.getvalue()


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def inline_string_bomb(mebibytes: int) -> bytes:
    """An .xlsx whose sheet is one inline-string cell of `mebibytes` MiB of "A"."""
    prefix = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    ).encode()
    suffix = b"</t></is></c></row></sheetData></worksheet>"
    stream, crc, size = _deflated_repeat(prefix, b"A" * MEBIBYTE, mebibytes - 1, suffix)
    content = package(prefix.decode() + "x" + suffix.decode())
    return _with_entry(content, "xl/worksheets/sheet1.xml", stream, crc, size)


def many_entries(count: int) -> bytes:
    """An .xlsx that holds `count` empty files besides its own parts."""
    buffer = io.BytesIO(package(f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        for number in range(count):
            archive.writestr(f"xl/media/empty{number}.bin", b"")
    return buffer.getvalue()
