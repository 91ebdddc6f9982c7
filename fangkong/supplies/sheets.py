"""The supplies reports as .xlsx, in the layout the office files: a merged title, the
period and who compiled it, a header, the rows, the totals in bold.

As in `reporting.report_sheets`, the fixed words of the forms come in both languages and
`chinese` picks one; names (items, units, stores, sources) come through the models'
display names in that language.
"""

import datetime
from decimal import Decimal

from django.utils import translation
from openpyxl.styles import Font

from fangkong.spreadsheets import (
    BOLD,
    TitledSheet,
    language_code,
    words,
)
from fangkong.supplies import selectors

REVERSED_FONT = Font(strike=True, color="808080")
TONNE_FORMAT = "0.000"


def _period(chinese: bool, start: datetime.date, end: datetime.date) -> str:
    return words(
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
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "防控物资库存表", "Prevention supplies on hand"),
            words(chinese, "库存", "Stock"),
            [
                (words(chinese, "物资", "Item"), 22),
                (words(chinese, "仓库", "Store"), 16),
                (words(chinese, "来源", "Source"), 18),
                (words(chinese, "库存数量", "On hand"), 12),
                (words(chinese, "单位", "Unit of measure"), 10),
            ],
        )
        sheet.line(words(chinese, f"截至：{on.isoformat()}", f"As of {on.isoformat()}"))
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
                    words(chinese, "合计", "Total"),
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
        (words(chinese, "物资", "Item"), 22),
        (words(chinese, "数量", "Quantity"), 12),
        (words(chinese, "单位", "Unit of measure"), 10),
        (words(chinese, "折合吨", "Tonnes"), 10),
    ]


def _weighed_lines(sheet: TitledSheet, chinese: bool, report) -> None:
    sheet.append(
        [
            words(chinese, "消毒物资合计（吨）", "Disinfecting supplies in tonnes"),
            "",
            report.disinfectant_tonnes.quantize(Decimal("0.001")),
            words(chinese, "吨", "t"),
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


def _compiled(sheet: TitledSheet, chinese: bool, start, end, compiler: str) -> None:
    """The period and who compiled it, under the title."""
    sheet.line(_period(chinese, start, end))
    sheet.line(words(chinese, "填报人：", "Compiled by: ") + compiler)


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
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(title, sheet_name, _total_headers(chinese, first))
        _compiled(sheet, chinese, report.start, report.end, compiler)
        sheet.header()
        for record, rows in groups:
            for row in rows:
                sheet.append(_item_row(record.display_name, row))
        for row in report.by_item:
            sheet.append(_item_row(words(chinese, "合计", "Total"), row), font=BOLD)
        _weighed_lines(sheet, chinese, report)
        return sheet.response(f"{name}-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def receipts_workbook(report: selectors.ReceiptsReport, *, chinese: bool, compiler: str):
    return _period_totals_workbook(
        report,
        [(group.source, group.rows) for group in report.by_source],
        chinese=chinese,
        compiler=compiler,
        title=words(chinese, "防控物资接收统计表（按来源）", "Supplies received, by source"),
        sheet_name=words(chinese, "接收", "Receipts"),
        first=words(chinese, "来源", "Source"),
        name="receipts",
    )


def issues_workbook(report: selectors.IssuesReport, *, chinese: bool, compiler: str):
    return _period_totals_workbook(
        report,
        [(group.unit, group.rows) for group in report.by_unit],
        chinese=chinese,
        compiler=compiler,
        title=words(chinese, "防控物资发放统计表（按单位）", "Supplies issued, by unit"),
        sheet_name=words(chinese, "发放", "Issues"),
        first=words(chinese, "单位", "Unit"),
        name="issues",
    )


# ---- the requisition register (物资领用登记表) ----------------------------------------------


def register_headers(chinese: bool) -> list[tuple[str, int]]:
    return [
        (words(chinese, "序号", "No."), 6),
        (words(chinese, "领用单位", "Unit"), 22),
        (words(chinese, "物资名称", "Item"), 18),
        (words(chinese, "数量", "Quantity"), 10),
        (words(chinese, "单位", "Unit of measure"), 8),
        (words(chinese, "领用人", "Received by"), 12),
        (words(chinese, "审批人", "Approved by"), 12),
        (words(chinese, "日期", "Date"), 12),
        (words(chinese, "申请单号", "Requisition"), 14),
        (words(chinese, "备注", "Note"), 26),
    ]


def reversal_note(row: selectors.RegisterRow, chinese: bool) -> str:
    if not row.is_reversed:
        return ""
    return words(
        chinese,
        f"已于 {row.reversed_on.isoformat()} 冲销：{row.reversal_reason}",
        f"Reversed on {row.reversed_on.isoformat()}: {row.reversal_reason}",
    )


def register_workbook(register: selectors.Register, *, chinese: bool, compiler: str):
    """The register in its customary layout: a numbered row per issue, a reversed issue
    struck through with when and why, the totals per item (reversed issues left out)."""
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "物资领用登记表", "Requisition register"),
            words(chinese, "领用登记", "Register"),
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
                    words(chinese, "合计", "Total"),
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
    with translation.override(language_code(chinese)):
        name = trace.supplier.display_name
        sheet = TitledSheet(
            words(chinese, f"捐赠物资去向：{name}", f"Where the donation went: {name}"),
            words(chinese, "捐赠去向", "Donation"),
            [
                (words(chinese, "物资", "Item"), 18),
                (words(chinese, "批次", "Lot"), 16),
                (words(chinese, "入库单", "Receipt"), 14),
                (words(chinese, "去向", "Went to"), 24),
                (words(chinese, "数量", "Quantity"), 10),
                (words(chinese, "单位", "Unit of measure"), 8),
                (words(chinese, "日期", "Date"), 12),
            ],
        )
        sheet.header()
        received, issued, left = (
            words(chinese, "接收", "Received"),
            words(chinese, "发放", "Issued"),
            words(chinese, "库存", "On hand"),
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
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "防控物资可用天数", "Days of supply"),
            words(chinese, "可用天数", "Days of supply"),
            [
                (words(chinese, "物资", "Item"), 22),
                (words(chinese, "库存", "On hand"), 12),
                (words(chinese, "单位", "Unit of measure"), 8),
                (words(chinese, "近7日日均发放", "Average daily issue, last 7 days"), 16),
                (words(chinese, "可用天数", "Days left"), 10),
                (words(chinese, "最低库存", "Minimum level"), 12),
            ],
        )
        sheet.line(words(chinese, f"截至：{on.isoformat()}", f"As of {on.isoformat()}"))
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
