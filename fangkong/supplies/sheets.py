"""The supplies reports as .xlsx, in the layout the office files: a merged title, the
period and who compiled it, a header, the rows, the totals in bold.

Each workbook is written in the language `chinese` asks for (translation.override): the
fixed words of the forms through gettext, names (items, units, stores, sources) through
the models' display names.
"""

import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import pgettext
from openpyxl.styles import Font

from fangkong.spreadsheets import BOLD, TitledSheet, language_code
from fangkong.supplies import selectors

REVERSED_FONT = Font(strike=True, color="808080")
TONNE_FORMAT = "0.000"


def _period(start: datetime.date, end: datetime.date) -> str:
    return pgettext("supplies report", "Period: %(start)s to %(end)s") % {
        "start": start.isoformat(),
        "end": end.isoformat(),
    }


def _unit_of(item) -> str:
    return str(item.get_unit_display())


def _tonnes_cell(item, quantity):
    value = selectors.tonnes(item, quantity)
    return round(float(value), 3) if value is not None else ""


# ---- stock on hand --------------------------------------------------------------------------


def stock_workbook(report: selectors.StockOnHand, *, chinese: bool, on: datetime.date):
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            pgettext("supplies report", "Prevention supplies on hand"),
            pgettext("sheet tab", "Stock"),
            [
                (pgettext("supplies report", "Item"), 22),
                (pgettext("supplies report", "Store"), 16),
                (pgettext("supplies report", "Source"), 18),
                (pgettext("stock on hand", "On hand"), 12),
                (pgettext("supplies report", "Unit of measure"), 10),
            ],
        )
        sheet.line(pgettext("supplies report", "As of %(day)s") % {"day": on.isoformat()})
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
                    pgettext("supplies report", "Total"),
                    "",
                    total.quantity,
                    _unit_of(total.item),
                ],
                font=BOLD,
            )
        return sheet.response(f"stock-{on.isoformat()}.xlsx")


# ---- receipts and issues ----------------------------------------------------------------------


def _total_headers(first: str) -> list[tuple[str, int]]:
    return [
        (first, 20),
        (pgettext("supplies report", "Item"), 22),
        (pgettext("supplies report", "Quantity"), 12),
        (pgettext("supplies report", "Unit of measure"), 10),
        (pgettext("supplies report", "Tonnes"), 10),
    ]


def _weighed_lines(sheet: TitledSheet, report) -> None:
    sheet.append(
        [
            pgettext("supplies report", "Disinfecting supplies in tonnes"),
            "",
            report.disinfectant_tonnes.quantize(Decimal("0.001")),
            pgettext("supplies report", "t"),
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


def _compiled(sheet: TitledSheet, start, end, compiler: str) -> None:
    """The period and who compiled it, under the title."""
    sheet.line(_period(start, end))
    sheet.line(pgettext("supplies report", "Compiled by: %(name)s") % {"name": compiler})


def _period_totals_workbook(
    report,
    groups,
    *,
    compiler: str,
    title: str,
    sheet_name: str,
    first: str,
    name: str,
):
    """Receipts by source and issues by unit are filed in one layout: a row per group and
    item, the totals per item in bold, the disinfecting supplies in tonnes. `groups` is
    (the group's record, its rows) in order; the caller has chosen the language."""
    sheet = TitledSheet(title, sheet_name, _total_headers(first))
    _compiled(sheet, report.start, report.end, compiler)
    sheet.header()
    for record, rows in groups:
        for row in rows:
            sheet.append(_item_row(record.display_name, row))
    for row in report.by_item:
        sheet.append(_item_row(pgettext("supplies report", "Total"), row), font=BOLD)
    _weighed_lines(sheet, report)
    return sheet.response(f"{name}-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def receipts_workbook(report: selectors.ReceiptsReport, *, chinese: bool, compiler: str):
    with translation.override(language_code(chinese)):
        return _period_totals_workbook(
            report,
            [(group.source, group.rows) for group in report.by_source],
            compiler=compiler,
            title=pgettext("supplies report", "Supplies received, by source"),
            sheet_name=pgettext("sheet tab", "Receipts"),
            first=pgettext("supplies report", "Source"),
            name="receipts",
        )


def issues_workbook(report: selectors.IssuesReport, *, chinese: bool, compiler: str):
    with translation.override(language_code(chinese)):
        return _period_totals_workbook(
            report,
            [(group.unit, group.rows) for group in report.by_unit],
            compiler=compiler,
            title=pgettext("supplies report", "Supplies issued, by unit"),
            sheet_name=pgettext("sheet tab", "Issues"),
            first=pgettext("supplies report", "Unit"),
            name="issues",
        )


# ---- the requisition register (物资领用登记表) ----------------------------------------------


def register_headers() -> list[tuple[str, int]]:
    return [
        (pgettext("requisition register", "No."), 6),
        (pgettext("requisition register", "Unit"), 22),
        (pgettext("requisition register", "Item"), 18),
        (pgettext("requisition register", "Quantity"), 10),
        (pgettext("requisition register", "Unit of measure"), 8),
        (pgettext("requisition register", "Received by"), 12),
        (pgettext("requisition register", "Approved by"), 12),
        (pgettext("requisition register", "Date"), 12),
        (pgettext("requisition register", "Requisition"), 14),
        (pgettext("requisition register", "Note"), 26),
    ]


def reversal_note(row: selectors.RegisterRow) -> str:
    if not row.is_reversed:
        return ""
    return pgettext("requisition register", "Reversed on %(day)s: %(reason)s") % {
        "day": row.reversed_on.isoformat(),
        "reason": row.reversal_reason,
    }


def register_workbook(register: selectors.Register, *, chinese: bool, compiler: str):
    """The register in its customary layout: a numbered row per issue, a reversed issue
    struck through with when and why, the totals per item (reversed issues left out)."""
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            pgettext("requisition register", "Requisition register"),
            pgettext("sheet tab", "Register"),
            register_headers(),
        )
        _compiled(sheet, register.start, register.end, compiler)
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
                    reversal_note(row),
                ],
                font=REVERSED_FONT if row.is_reversed else None,
            )
            sheet.sheet.cell(row=sheet.row, column=8).number_format = "yyyy-mm-dd"
        for total in register.totals:
            sheet.append(
                [
                    pgettext("requisition register", "Total"),
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
            pgettext("supplies report", "Where the donation went: %(supplier)s")
            % {"supplier": name},
            pgettext("sheet tab", "Donation"),
            [
                (pgettext("supplies report", "Item"), 18),
                (pgettext("supplies report", "Lot"), 16),
                (pgettext("supplies report", "Receipt"), 14),
                (pgettext("supplies report", "Went to"), 24),
                (pgettext("supplies report", "Quantity"), 10),
                (pgettext("supplies report", "Unit of measure"), 8),
                (pgettext("supplies report", "Date"), 12),
            ],
        )
        sheet.header()
        received = pgettext("supplies report", "Received")
        for lot in trace.lots:
            item, unit = lot.lot.item, _unit_of(lot.lot.item)
            base = [item.display_name, lot.lot.lot_number, lot.receipt_number]
            sheet.append([*base, received, lot.received, unit, lot.lot.received_on])
            for entry in lot.issued:
                sheet.append(
                    [
                        *base,
                        pgettext("supplies report", "Issued: %(unit)s (%(requisition)s)")
                        % {
                            "unit": entry.unit.display_name,
                            "requisition": entry.requisition.number,
                        },
                        entry.quantity,
                        unit,
                        entry.last_issued_on,
                    ]
                )
            for store, quantity in lot.on_hand:
                sheet.append(
                    [
                        *base,
                        pgettext("supplies report", "On hand: %(store)s")
                        % {"store": store.display_name},
                        quantity,
                        unit,
                        "",
                    ]
                )
        return sheet.response(f"donation-{trace.supplier.pk}.xlsx")


def days_workbook(rows: list[selectors.SupplyDays], *, chinese: bool, on: datetime.date):
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            pgettext("supplies report", "Days of supply"),
            pgettext("sheet tab", "Days of supply"),
            [
                (pgettext("supplies report", "Item"), 22),
                (pgettext("supplies report", "On hand"), 12),
                (pgettext("supplies report", "Unit of measure"), 8),
                (pgettext("supplies report", "Average daily issue, last 7 days"), 16),
                (pgettext("supplies report", "Days left"), 10),
                (pgettext("supplies report", "Minimum level"), 12),
            ],
        )
        sheet.line(pgettext("supplies report", "As of %(day)s") % {"day": on.isoformat()})
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
