"""The supplies reports as .xlsx, in the layout the office files: a merged title, the
period and who compiled it, a header, the rows, the totals in bold.

As in `reporting.report_sheets`, the fixed words of the forms come in both languages and
`chinese` picks one; names (items, units, stores, sources) come through the models'
display names in that language.
"""

import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from fangkong.spreadsheets import XLSX_CONTENT_TYPE, _export_value
from fangkong.supplies import selectors

HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
REVERSED_FONT = Font(strike=True, color="808080")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=16)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
QUANTITY_FORMAT = "#,##0.###"
TONNE_FORMAT = "0.000"


def _words(chinese: bool, zh: str, en: str) -> str:
    return zh if chinese else en


def _number(value):
    """A Decimal as Excel holds a number (whole numbers stay whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class _Sheet:
    """A titled table written row by row, bordered from the header down."""

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
                self._put(column, _number(value), font=font, number_format=QUANTITY_FORMAT)
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


def _language(chinese: bool) -> str:
    return "zh-hans" if chinese else "en"


def _period(chinese: bool, start: datetime.date, end: datetime.date) -> str:
    return _words(
        chinese,
        f"统计期间：{start.isoformat()} 至 {end.isoformat()}",
        f"Period: {start.isoformat()} to {end.isoformat()}",
    )


def _unit_of(item) -> str:
    return str(item.get_unit_display())


def _tonnes_cell(item, quantity):
    value = selectors.tonnes(item, quantity)
    return round(float(value), 3) if value is not None else ""


# ---- stock on hand --------------------------------------------------------------------------


def stock_workbook(report: selectors.StockOnHand, *, chinese: bool, on: datetime.date):
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "防控物资库存表", "Prevention supplies on hand"),
            _words(chinese, "库存", "Stock"),
            [
                (_words(chinese, "物资", "Item"), 22),
                (_words(chinese, "仓库", "Store"), 16),
                (_words(chinese, "来源", "Source"), 18),
                (_words(chinese, "库存数量", "On hand"), 12),
                (_words(chinese, "单位", "Unit of measure"), 10),
            ],
        )
        sheet.line(_words(chinese, f"截至：{on.isoformat()}", f"As of {on.isoformat()}"))
        sheet.header()
        for row in report.rows:
            sheet.append(
                [
                    row.item.display_name,
                    row.store.display_name,
                    row.source.display_name,
                    row.quantity,
                    _unit_of(row.item),
                ]
            )
        for total in report.totals:
            sheet.append(
                [
                    total.item.display_name,
                    _words(chinese, "合计", "Total"),
                    "",
                    total.quantity,
                    _unit_of(total.item),
                ],
                font=BOLD,
            )
        return sheet.response(f"stock-{on.isoformat()}.xlsx")


# ---- receipts and issues ----------------------------------------------------------------------


def _total_headers(chinese: bool, first: str) -> list[tuple[str, int]]:
    return [
        (first, 20),
        (_words(chinese, "物资", "Item"), 22),
        (_words(chinese, "数量", "Quantity"), 12),
        (_words(chinese, "单位", "Unit of measure"), 10),
        (_words(chinese, "折合吨", "Tonnes"), 10),
    ]


def _weighed_lines(sheet: _Sheet, chinese: bool, report) -> None:
    sheet.append(
        [
            _words(chinese, "消毒物资合计（吨）", "Disinfecting supplies in tonnes"),
            "",
            report.disinfectant_tonnes.quantize(Decimal("0.001")),
            _words(chinese, "吨", "t"),
            "",
        ],
        font=BOLD,
    )


def _item_row(first: str, row) -> list:
    return [
        first,
        row.item.display_name,
        row.quantity,
        _unit_of(row.item),
        _tonnes_cell(row.item, row.quantity),
    ]


def _compiled(sheet: _Sheet, chinese: bool, start, end, compiler: str) -> None:
    """The period and who compiled it, under the title."""
    sheet.line(_period(chinese, start, end))
    sheet.line(_words(chinese, "填报人：", "Compiled by: ") + compiler)


def _period_totals_workbook(
    report,
    groups,
    *,
    chinese: bool,
    compiler: str,
    title: str,
    sheet_name: str,
    first: str,
    name: str,
):
    """Receipts by source and issues by unit are filed in one layout: a row per group and
    item, the totals per item in bold, the disinfecting supplies in tonnes. `groups` is
    (the group's record, its rows) in order."""
    with translation.override(_language(chinese)):
        sheet = _Sheet(title, sheet_name, _total_headers(chinese, first))
        _compiled(sheet, chinese, report.start, report.end, compiler)
        sheet.header()
        for record, rows in groups:
            for row in rows:
                sheet.append(_item_row(record.display_name, row))
        for row in report.by_item:
            sheet.append(_item_row(_words(chinese, "合计", "Total"), row), font=BOLD)
        _weighed_lines(sheet, chinese, report)
        return sheet.response(f"{name}-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def receipts_workbook(report: selectors.ReceiptsReport, *, chinese: bool, compiler: str):
    return _period_totals_workbook(
        report,
        [(group.source, group.rows) for group in report.by_source],
        chinese=chinese,
        compiler=compiler,
        title=_words(chinese, "防控物资接收统计表（按来源）", "Supplies received, by source"),
        sheet_name=_words(chinese, "接收", "Receipts"),
        first=_words(chinese, "来源", "Source"),
        name="receipts",
    )


def issues_workbook(report: selectors.IssuesReport, *, chinese: bool, compiler: str):
    return _period_totals_workbook(
        report,
        [(group.unit, group.rows) for group in report.by_unit],
        chinese=chinese,
        compiler=compiler,
        title=_words(chinese, "防控物资发放统计表（按单位）", "Supplies issued, by unit"),
        sheet_name=_words(chinese, "发放", "Issues"),
        first=_words(chinese, "单位", "Unit"),
        name="issues",
    )


# ---- the requisition register (物资领用登记表) ----------------------------------------------


def register_headers(chinese: bool) -> list[tuple[str, int]]:
    return [
        (_words(chinese, "序号", "No."), 6),
        (_words(chinese, "领用单位", "Unit"), 22),
        (_words(chinese, "物资名称", "Item"), 18),
        (_words(chinese, "数量", "Quantity"), 10),
        (_words(chinese, "单位", "Unit of measure"), 8),
        (_words(chinese, "领用人", "Received by"), 12),
        (_words(chinese, "审批人", "Approved by"), 12),
        (_words(chinese, "日期", "Date"), 12),
        (_words(chinese, "申请单号", "Requisition"), 14),
        (_words(chinese, "备注", "Note"), 26),
    ]


def reversal_note(row: selectors.RegisterRow, chinese: bool) -> str:
    if not row.is_reversed:
        return ""
    return _words(
        chinese,
        f"已于 {row.reversed_on.isoformat()} 冲销：{row.reversal_reason}",
        f"Reversed on {row.reversed_on.isoformat()}: {row.reversal_reason}",
    )


def register_workbook(register: selectors.Register, *, chinese: bool, compiler: str):
    """The register in its customary layout: a numbered row per issue, a reversed issue
    struck through with when and why, the totals per item (reversed issues left out)."""
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "物资领用登记表", "Requisition register"),
            _words(chinese, "领用登记", "Register"),
            register_headers(chinese),
        )
        _compiled(sheet, chinese, register.start, register.end, compiler)
        sheet.header()
        for row in register.rows:
            sheet.append(
                [
                    row.number,
                    row.unit.display_name,
                    row.item.display_name,
                    row.quantity,
                    _unit_of(row.item),
                    row.recipient,
                    row.approver,
                    row.day,
                    row.requisition_number,
                    reversal_note(row, chinese),
                ],
                font=REVERSED_FONT if row.is_reversed else None,
            )
            sheet.sheet.cell(row=sheet.row, column=8).number_format = "yyyy-mm-dd"
        for total in register.totals:
            sheet.append(
                [
                    _words(chinese, "合计", "Total"),
                    "",
                    total.item.display_name,
                    total.quantity,
                    _unit_of(total.item),
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                font=BOLD,
            )
        return sheet.response(
            f"register-{register.start.isoformat()}-{register.end.isoformat()}.xlsx"
        )


# ---- where a donation went, days of supply --------------------------------------------------


def donation_workbook(trace: selectors.DonationTrace, *, chinese: bool):
    with translation.override(_language(chinese)):
        name = trace.supplier.display_name
        sheet = _Sheet(
            _words(chinese, f"捐赠物资去向：{name}", f"Where the donation went: {name}"),
            _words(chinese, "捐赠去向", "Donation"),
            [
                (_words(chinese, "物资", "Item"), 18),
                (_words(chinese, "批次", "Lot"), 16),
                (_words(chinese, "入库单", "Receipt"), 14),
                (_words(chinese, "去向", "Went to"), 24),
                (_words(chinese, "数量", "Quantity"), 10),
                (_words(chinese, "单位", "Unit of measure"), 8),
                (_words(chinese, "日期", "Date"), 12),
            ],
        )
        sheet.header()
        received, issued, left = (
            _words(chinese, "接收", "Received"),
            _words(chinese, "发放", "Issued"),
            _words(chinese, "库存", "On hand"),
        )
        for lot in trace.lots:
            item, unit = lot.lot.item, _unit_of(lot.lot.item)
            base = [item.display_name, lot.lot.lot_number, lot.receipt_number]
            sheet.append([*base, received, lot.received, unit, lot.lot.received_on])
            for entry in lot.issued:
                sheet.append(
                    [
                        *base,
                        f"{issued}：{entry.unit.display_name}（{entry.requisition.number}）"
                        if chinese
                        else f"{issued}: {entry.unit.display_name} ({entry.requisition.number})",
                        entry.quantity,
                        unit,
                        entry.last_issued_on,
                    ]
                )
            for store, quantity in lot.on_hand:
                sheet.append(
                    [
                        *base,
                        f"{left}：{store.display_name}"
                        if chinese
                        else f"{left}: {store.display_name}",
                        quantity,
                        unit,
                        "",
                    ]
                )
        return sheet.response(f"donation-{trace.supplier.pk}.xlsx")


def days_workbook(rows: list[selectors.SupplyDays], *, chinese: bool, on: datetime.date):
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "防控物资可用天数", "Days of supply"),
            _words(chinese, "可用天数", "Days of supply"),
            [
                (_words(chinese, "物资", "Item"), 22),
                (_words(chinese, "库存", "On hand"), 12),
                (_words(chinese, "单位", "Unit of measure"), 8),
                (_words(chinese, "近7日日均发放", "Average daily issue, last 7 days"), 16),
                (_words(chinese, "可用天数", "Days left"), 10),
                (_words(chinese, "最低库存", "Minimum level"), 12),
            ],
        )
        sheet.line(_words(chinese, f"截至：{on.isoformat()}", f"As of {on.isoformat()}"))
        sheet.header()
        for row in rows:
            sheet.append(
                [
                    row.item.display_name,
                    row.on_hand,
                    _unit_of(row.item),
                    row.daily_issue,
                    row.days if row.days is not None else "—",
                    row.item.minimum_level,
                ]
            )
        return sheet.response(f"days-of-supply-{on.isoformat()}.xlsx")
