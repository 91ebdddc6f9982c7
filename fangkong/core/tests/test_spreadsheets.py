"""fangkong.spreadsheets reads an uploaded sheet (with calamine) as openpyxl reads it."""

import datetime
import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from fangkong import spreadsheets
from fangkong.core.tests.workbook_files import MAIN, package
from fangkong.spreadsheets import Column, SheetError, iter_records, open_sheet


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever language an earlier test's request left active."""
    with translation.override("en"):
        yield


ROWS = [
    ["text", "数字", None, "skipped B-C", None, "last"],
    ["张三", 42, -7, 3.25, 12345678901234567, True],
    [],  # a blank row between
    [None, None, "only C", None, None, None],
    ["  padded  ", 0, 1e-05, 6.10113198505051e17, False, "a & b < c > d \"e\" 'f'"],
    ["=1+2", "中文，标点。", None, None, None, None],
    [None, None, None, None, None, "only F"],
]


def openpyxl_grid(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), data_only=True).worksheets[0]
    return [
        tuple(None if value == "" else value for value in row)
        for row in sheet.iter_rows(values_only=True)
    ]


def sheet_rows(content: bytes) -> list[tuple[int, list]]:
    """(row number, values) of every row the reader gives."""
    return list(open_sheet(io.BytesIO(content)).numbered_rows())


def reader_grid(content: bytes, height: int, width: int) -> list[tuple]:
    """The reader's rows laid out as openpyxl lays out a sheet: every row, every column,
    None where a cell is empty."""
    grid = [[None] * width for _ in range(height)]
    for number, values in sheet_rows(content):
        for index, value in enumerate(values):
            grid[number - 1][index] = None if value == "" else value
    return [tuple(row) for row in grid]


def assert_reads_as_openpyxl(content: bytes) -> None:
    expected = openpyxl_grid(content)
    assert reader_grid(content, len(expected), len(expected[0])) == expected


def workbook_bytes(rows, write_only: bool = False) -> bytes:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Sheet") if write_only else book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_shared_strings_numbers_booleans_empty_and_skipped_cells_read_as_openpyxl():
    assert_reads_as_openpyxl(workbook_bytes(ROWS))


def test_inline_strings_read_as_openpyxl():
    content = workbook_bytes(ROWS, write_only=True)  # openpyxl writes text inline this way
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b'<c r="A1" t="inlineStr"><is><t>text</t></is></c>' in sheet
    assert_reads_as_openpyxl(content)


def test_hand_written_xml_in_other_shapes_reads_as_openpyxl():
    """Rich text and phonetic runs, entities, attributes in another order, cells and rows
    without references, formulas' cached values, pretty-printing, a CDATA section."""
    shared = (
        f'<sst xmlns="{MAIN}" count="4" uniqueCount="4">'
        "<si><t>plain</t></si>"
        '<si><r><rPr><b/><color rgb="FFFF0000"/></rPr><t>rich</t></r><r><t xml:space="preserve">'
        ' text </t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>'
        "<si><t>&lt;tag&gt; &amp; &#x4E2D;&#25991;</t></si>"
        "<si><t/></si>"
        "</sst>"
    )
    sheet = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}">
  <dimension ref="A1"/>
  <sheetData>
    <row r="1" spans="1:5">
      <c r="A1" t="s"><v>0</v></c>
      <c t="s" s="0" r="B1"><v>1</v></c>
      <c r="C1" t="s"><v>2</v></c>
      <c r="D1" t="s"><v>3</v></c>
      <c r="E1" t="s"/>
    </row>
    <row r="3">
      <c r="B3" t="inlineStr"><is><t><![CDATA[<cdata> & more]]></t></is></c>
      <c t="b"><v>1</v></c>
      <c t="n"><v>-2</v></c>
      <c r="F3" t="str"><f>UPPER("x")</f><v>X</v></c>
      <c r="G3"><f>1+2</f><v>3</v></c>
    </row>
    <row>
      <c r='A4' t='inlineStr'><is><r><t>in</t></r><r><t>line</t></r></is></c>
      <c r="B4"><v>1.5E3</v></c>
    </row>
    <row r="5"><c r="A5" t="s"><v>0</v></c><c r="B5" t="s"/><c r="C5" t="s"><v>2</v></c></row>
  </sheetData>
</worksheet>"""
    assert_reads_as_openpyxl(package(sheet, shared))


def test_elements_with_a_namespace_prefix_read_as_openpyxl():
    sheet = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c>'
        '<x:c r="C1"><x:v>7</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    shared = f'<x:sst xmlns:x="{MAIN}"><x:si><x:t>shared</x:t></x:si></x:sst>'
    assert_reads_as_openpyxl(package(sheet, shared))


def test_rows_past_the_declared_dimension_are_read():
    content = package(
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:B2"/><sheetData>'
        + "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>row {n}</t></is></c>'
            f'<c r="B{n}"><v>{n}</v></c></row>'
            for n in range(1, 7)
        )
        + "</sheetData></worksheet>"
    )

    rows_read = sheet_rows(content)

    assert rows_read == [(n, [f"row {n}", n]) for n in range(1, 7)]


def test_a_date_formatted_cell_reads_as_a_date():
    """From the cell's style, as openpyxl does (the check-in import reads the day of it)."""
    content = workbook_bytes([[datetime.datetime(2020, 1, 23)]])

    [(number, values)] = sheet_rows(content)

    assert (number, values) == (1, [datetime.date(2020, 1, 23)])


def test_an_error_cell_reads_as_empty():
    """#N/A and the like are no one's data (openpyxl gives the error's text)."""
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="e"><v>#N/A</v></c>'
        '<c r="B1"><v>5</v></c></row></sheetData></worksheet>'
    )

    assert sheet_rows(package(sheet)) == [(1, ["", 5.0])]


COLUMNS = [
    Column("number", "Number", "编号", required=True),
    Column("name", "Name", "姓名", required=True),
    Column("note", "Note", "备注"),
]


def records(content: bytes) -> list:
    return list(iter_records(open_sheet(io.BytesIO(content)), COLUMNS))


def test_records_carry_row_numbers_text_and_numeric_keys():
    content = workbook_bytes(
        [
            ["姓名", "编号", "Other"],
            ["  张三 ", "P1", "x"],
            [],
            ["李四", 1002.0, None],
            [None, None, "only an unknown column"],
        ]
    )

    assert records(content) == [
        (2, {"name": "张三", "number": "P1"}, set()),
        (4, {"name": "李四", "number": "1002"}, {"number"}),
        (5, {"name": "", "number": ""}, set()),
    ]


def test_the_header_row_is_found_below_a_title():
    content = workbook_bytes([["人员名单"], [], ["Number", "Name", "Note"], ["P1", "王五", "n"]])

    assert records(content) == [(4, {"number": "P1", "name": "王五", "note": "n"}, set())]


def test_a_header_without_a_required_column_is_refused():
    with pytest.raises(SheetError, match="编号 / Number"):
        records(workbook_bytes([["Name", "Note"], ["王五", "n"]]))


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"PK\x03\x04 not really a zip",
        bytes(range(256)),
        workbook_bytes([["x"]])[:200],  # truncated
    ],
    ids=["empty", "zip-signature", "random", "truncated"],
)
def test_what_is_not_an_xlsx_is_a_sheet_error(content):
    with pytest.raises(SheetError, match="not a spreadsheet that can be read"):
        open_sheet(io.BytesIO(content))


def test_a_sheet_pointing_at_a_missing_shared_string_is_a_sheet_error():
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>5</v></c>'
    content = package(sheet + "</row></sheetData></worksheet>", f'<sst xmlns="{MAIN}"/>')

    with pytest.raises(SheetError, match="not a spreadsheet that can be read"):
        sheet_rows(content)


def test_numbered_rows_give_every_row_from_the_first_blank_ones_too():
    content = workbook_bytes([[], ["a"], [], [None, "b"]])

    assert sheet_rows(content) == [(1, ["", ""]), (2, ["a", ""]), (3, ["", ""]), (4, ["", "b"])]


# ---- the fast paths: what Excel writes, read whole rows and whole runs of strings at a time


def test_excels_layout_with_gaps_styled_empty_cells_and_other_types_reads_as_openpyxl():
    """Rows as Excel saves them: shared strings, skipped columns, styled empty cells,
    numbers and booleans among the text, a row of text alone and one out of column order.
    (Style 0 alone: the package has no styles part for openpyxl to look others up in.)"""
    shared = (
        f'<sst xmlns="{MAIN}" count="6" uniqueCount="6">'
        '<si><t>plain</t></si><si><t xml:space="preserve">  padded  </t></si>'
        "<si><t>a &amp; b &lt; c</t></si><si><t>two\r\nlines</t></si>"
        "<si><t>张三</t></si><si><t>last</t></si></sst>"
    )
    rows = [
        '<row r="1" spans="1:6">'
        + "".join(f'<c r="{c}1" s="0" t="s"><v>{n}</v></c>' for n, c in enumerate("ABCDEF"))
        + "</row>",
        '<row r="2" spans="1:6"><c r="A2" s="0" t="s"><v>4</v></c><c r="C2" s="0"/>'
        '<c r="D2" s="0"><v>42</v></c><c r="E2" s="0"><v>1.5</v></c><c r="F2" t="b"><v>1</v>'
        "</c></row>",
        '<row r="3"><c r="B3" t="s"><v>5</v></c><c r="E3" t="s"><v>0</v></c></row>',
        '<row r="4"><c r="B4" t="s"><v>1</v></c><c r="A4" t="s"><v>2</v></c></row>',
        '<row r="6" spans="1:6"><c r="A6" s="0" t="s"><v>3</v></c><c r="B6" s="0"/></row>',
    ]
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    content = package(sheet, shared)

    assert_reads_as_openpyxl(content)
    grid = reader_grid(content, 6, 6)
    assert grid[1] == ("张三", None, None, 42, 1.5, True)
    assert grid[0][1:4] == ("  padded  ", "a & b < c", "two\nlines")


def test_rows_as_wide_as_and_wider_than_the_row_patterns_read_as_openpyxl():
    """usual_row reads rows of up to 64 columns; wider ones are read cell by cell."""
    shared = f'<sst xmlns="{MAIN}">' + "<si><t>x</t></si><si><t>y</t></si></sst>"
    rows = "".join(
        f'<row r="{number}">'
        + "".join(
            f'<c r="{get_column_letter(column)}{number}" t="s"><v>{column % 2}</v></c>'
            for column in range(1, width + 1)
            if column != 30
        )
        + "</row>"
        for number, width in ((1, 64), (2, 64), (3, 65), (4, 80))
    )
    content = package(
        f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>', shared
    )

    assert_reads_as_openpyxl(content)
    assert reader_grid(content, 4, 80)[3][:3] == ("y", "x", "y")


def test_rows_of_many_chunks_with_dates_and_times_come_back_whole_and_in_order():
    """The child sends rows in chunks (marshal), dates and times tagged: a sheet of several
    chunks, some with dates, reads back exactly as openpyxl reads it."""
    rows = [["编号", "日期", "时间", "体温"]]
    for n in range(1, spreadsheets._ROWS_A_CHUNK * 2 + 50):
        if n % 1500 == 0:
            rows.append([f"P{n}", datetime.datetime(2020, 2, 1, 8, 30), datetime.time(7, 5), 36.6])
        else:
            rows.append([f"P{n}", "", "", n])
    content = workbook_bytes(rows)

    read = sheet_rows(content)

    assert [number for number, _values in read] == list(range(1, len(rows) + 1))
    assert read[1500][1] == [
        "P1500",
        datetime.datetime(2020, 2, 1, 8, 30),
        datetime.time(7, 5),
        36.6,
    ]
    assert read[1499][1] == ["P1499", "", "", 1499]
    assert read[-1][1] == [f"P{len(rows) - 1}", "", "", len(rows) - 1]
