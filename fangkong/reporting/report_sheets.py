"""The unit daily reports as .xlsx: the consolidated daily table (汇总表) in the layout the
office prints and files, the completeness table (上报情况), and the list of reports.

Each workbook is written in the language `chinese` asks for (translation.override): the
fixed words of the forms (title, headers, the total row) through gettext, everything else
(the office's name, statuses, units, the report's field labels) through gettext and the
models' display names too.

The two tables are written in openpyxl's normal mode (merged title, fills, borders): they
are a few hundred rows at most. The list of reports streams through `workbook_response`.
"""

import datetime
import io

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from fangkong.reporting.models import UnitReport
from fangkong.reporting.selectors import CompletenessCell, CompletenessTable, ConsolidatedTable
from fangkong.spreadsheets import (
    XLSX_CONTENT_TYPE,
    Column,
    _export_value,
    language_code,
    workbook_response,
)

ABNORMAL_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "light red fill"
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=16)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
PERCENT_FORMAT = "0.0"


def _put(sheet, row: int, column: int, value, *, font=None, alignment=None, fill=None):
    """Write one cell as an export writes it: text that looks like a formula stays text
    (the guard of spreadsheets._export_value)."""
    guarded = _export_value(sheet, value)
    cell = sheet.cell(row=row, column=column)
    if guarded is value:
        cell.value = value
    else:  # the guard's write-only cell: text, whatever it starts with
        cell.value = guarded if isinstance(guarded, str) else guarded.value
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if fill is not None:
        cell.fill = fill
    return cell


def _response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _local(moment: datetime.datetime | None):
    """An aware time as Excel holds one: local, without a zone, to the second."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _percent(value) -> float | None:
    return float(value) if value is not None else None


def _status_label(report: UnitReport | None) -> str:
    if report is None:
        return pgettext("daily report sheet", "Not reported")
    return str(report.get_status_display())


# ---- the consolidated daily table (汇总表) --------------------------------------------------


def consolidated_workbook(
    table: ConsolidatedTable, *, compiler: str, chinese: bool, school_name: str
) -> HttpResponse:
    """The school's daily table: a merged title, who compiled it and for which day, a
    header, one numbered row per unit (a row that needs the office's eye in light red),
    the total in bold."""
    with translation.override(language_code(chinese)):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = pgettext("sheet tab", "Daily table")
        _consolidated_sheet(sheet, table, compiler, (school_name or "").strip())
    return _response(workbook, f"consolidated-{table.day.isoformat()}.xlsx")


def _consolidated_sheet(sheet, table, compiler, school_name) -> None:
    headers = [
        (pgettext("daily report sheet", "No."), 6),
        (pgettext("daily report sheet", "Unit"), 24),
        *[
            (field.display_label, max(10, min(len(field.display_label) + 4, 18)))
            for field in table.fields
        ],
        (pgettext("daily report sheet", "Checked in / headcount"), 14),
        (pgettext("daily report sheet", "Flagged check-ins"), 10),
        (pgettext("daily report sheet", "Status"), 10),
        (pgettext("daily report sheet", "Problems"), 40),
    ]
    width = len(headers)
    last = get_column_letter(width)

    title = pgettext("daily report sheet", "%(school)s daily prevention & control table") % {
        "school": school_name
    }
    title = title.strip()
    title = title[:1].upper() + title[1:]
    sheet.merge_cells(f"A1:{last}1")
    _put(sheet, 1, 1, title, font=TITLE_FONT, alignment=CENTRE)
    sheet.row_dimensions[1].height = 30

    # Row 2: the reporting unit, the compiler and the day, a third of the width each.
    facts = [
        pgettext("daily report sheet", "Reporting unit: %(unit)s")
        % {"unit": _("Prevention & control office")},
        pgettext("daily report sheet", "Compiled by: %(name)s") % {"name": compiler or ""},
        pgettext("daily report sheet", "Date: %(day)s") % {"day": table.day.isoformat()},
    ]
    bounds = [0, width // 3, 2 * width // 3, width]
    for index, text in enumerate(facts):
        first, end = bounds[index] + 1, bounds[index + 1]
        if end > first:
            sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=end)
        _put(sheet, 2, first, text, alignment=LEFT)

    header_row = 3
    for column, (text, column_width) in enumerate(headers, start=1):
        _put(sheet, header_row, column, text, font=BOLD, alignment=CENTRE, fill=HEADER_FILL)
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    sheet.row_dimensions[header_row].height = 32

    row_number = header_row
    for row in table.rows:
        row_number += 1
        values = [
            row.number,
            row.unit.display_name,
            *row.values,
            f"{row.checked_in}/{row.headcount}",
            row.flagged,
            _status_label(row.report),
            "；".join(str(problem) for problem in row.problems),
        ]
        fill = ABNORMAL_FILL if row.abnormal else None
        for column, value in enumerate(values, start=1):
            alignment = LEFT if column in (2, width) else CENTRE
            _put(sheet, row_number, column, value, alignment=alignment, fill=fill)

    row_number += 1
    tally = table.tally
    totals = [
        pgettext("daily report sheet", "Total"),
        "",
        *table.totals,
        f"{table.checked_in}/{table.headcount}",
        table.flagged,
        pgettext("daily report sheet", "%(reported)s/%(expected)s reported")
        % {"reported": tally.reported, "expected": tally.expected},
        "",
    ]
    for column, value in enumerate(totals, start=1):
        _put(sheet, row_number, column, value, font=BOLD, alignment=CENTRE)
    sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=2)

    for cells in sheet.iter_rows(min_row=header_row, max_row=row_number, max_col=width):
        for cell in cells:
            cell.border = BORDER
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


# ---- completeness (上报情况) ----------------------------------------------------------------


def _cell_text(cell: CompletenessCell) -> str:
    if not cell.status:
        return ""
    text = cell.status_label
    if cell.reported:
        text += " ✓" if cell.on_time else pgettext("daily report sheet", " (late)")
    return text


def completeness_workbook(table: CompletenessTable, *, chinese: bool) -> HttpResponse:
    """Units × days: each day's report state (✓ on time, or late), the unit's reporting and
    timely rates; at the bottom each day's rates and the period's tally."""
    with translation.override(language_code(chinese)):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = pgettext("sheet tab", "Completeness")
        _completeness_sheet(sheet, table)
    return _response(
        workbook, f"completeness-{table.start.isoformat()}-{table.end.isoformat()}.xlsx"
    )


def _completeness_sheet(sheet, table: CompletenessTable) -> None:
    days = len(table.days)
    reported_column = days + 2
    rate_column = days + 3
    timely_column = days + 4
    width = timely_column
    last = get_column_letter(width)

    title = pgettext(
        "daily report sheet", "Unit daily reports: completeness, %(start)s to %(end)s"
    ) % {"start": table.start.isoformat(), "end": table.end.isoformat()}
    sheet.merge_cells(f"A1:{last}1")
    _put(sheet, 1, 1, title, font=TITLE_FONT, alignment=CENTRE)
    sheet.row_dimensions[1].height = 28

    header_row = 2
    headers = [
        pgettext("daily report sheet", "Unit"),
        *[f"{day:%m-%d}" for day in table.days],
        pgettext("daily report sheet", "Reported / expected"),
        pgettext("daily report sheet", "Reporting rate %"),
        pgettext("daily report sheet", "Timely rate %"),
    ]
    for column, text in enumerate(headers, start=1):
        _put(sheet, header_row, column, text, font=BOLD, alignment=CENTRE, fill=HEADER_FILL)
    sheet.column_dimensions["A"].width = 24
    for column in range(2, days + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    for column in (reported_column, rate_column, timely_column):
        sheet.column_dimensions[get_column_letter(column)].width = 12

    row_number = header_row
    for row in table.rows:
        row_number += 1
        _put(sheet, row_number, 1, row.unit.display_name, alignment=LEFT)
        for column, cell in enumerate(row.cells, start=2):
            _put(sheet, row_number, column, _cell_text(cell), alignment=CENTRE)
        _put(sheet, row_number, reported_column, f"{row.tally.reported}/{row.tally.expected}")
        _rate_cell(sheet, row_number, rate_column, row.tally.reporting_rate)
        _rate_cell(sheet, row_number, timely_column, row.tally.timely_rate)

    total = table.total
    row_number += 1
    rates_row = row_number
    _put(
        sheet,
        rates_row,
        1,
        # xgettext:no-python-format
        pgettext("daily report sheet", "Reporting rate % of the day"),
        font=BOLD,
    )
    row_number += 1
    timely_row = row_number
    _put(
        sheet,
        timely_row,
        1,
        # xgettext:no-python-format
        pgettext("daily report sheet", "Timely rate % of the day"),
        font=BOLD,
    )
    for column, tally in enumerate(table.day_tallies, start=2):
        _rate_cell(sheet, rates_row, column, tally.reporting_rate, bold=True)
        _rate_cell(sheet, timely_row, column, tally.timely_rate, bold=True)
    _put(sheet, rates_row, reported_column, f"{total.reported}/{total.expected}", font=BOLD)
    _rate_cell(sheet, rates_row, rate_column, total.reporting_rate, bold=True)
    _rate_cell(sheet, rates_row, timely_column, total.timely_rate, bold=True)

    row_number += 1
    summary = pgettext(
        "daily report sheet",
        "Total: %(expected)s expected, %(reported)s reported, %(on_time)s on time, "
        "%(approved)s approved",
    ) % {
        "expected": total.expected,
        "reported": total.reported,
        "on_time": total.on_time,
        "approved": total.approved,
    }
    sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=width)
    _put(sheet, row_number, 1, summary, font=BOLD, alignment=LEFT)

    for cells in sheet.iter_rows(min_row=header_row, max_row=row_number, max_col=width):
        for cell in cells:
            cell.border = BORDER
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)


def _rate_cell(sheet, row: int, column: int, value, *, bold: bool = False) -> None:
    cell = _put(sheet, row, column, _percent(value), alignment=CENTRE, font=BOLD if bold else None)
    cell.number_format = PERCENT_FORMAT


# ---- the list of reports --------------------------------------------------------------------

REPORT_COLUMNS = [
    Column("unit", "Unit", "单位", width=24),
    Column("date", "Date", "日期", width=12),
    Column("status", "Status", "状态", width=10),
    Column("is_nil", "Nothing to report", "无异常（零报告）", width=12),
    Column("first_submitted_at", "First submitted at", "首次提交时间", width=20),
    Column("on_time", "On time", "是否按时", width=10),
    Column("approved_by", "Approved by", "审核人", width=14),
    Column("approved_at", "Approved at", "审核时间", width=20),
]


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def reports_workbook(reports, *, chinese: bool) -> HttpResponse:
    """The reports (as `selectors.reports_for` gives them) one row each."""
    with translation.override(language_code(chinese)):
        yes, no = _("yes"), _("no")
        rows = [
            [
                report.unit.display_name,
                report.date,
                str(report.get_status_display()),
                yes if report.is_nil else no,
                _local(report.first_submitted_at),
                "" if report.on_time is None else (yes if report.on_time else no),
                _who(report.approved_by),
                _local(report.approved_at),
            ]
            for report in reports
        ]
        title = pgettext("daily report sheet", "Unit daily reports")
        return workbook_response(
            f"reports-{timezone.localdate().isoformat()}.xlsx",
            title,
            REPORT_COLUMNS,
            rows,
            chinese,
        )


# ---- one report's figures, and the report's definition ------------------------------------

FIGURE_COLUMNS = [
    Column("field", "Figure", "指标", width=26),
    Column("value", "Reported", "上报数", width=10),
    Column("ledger", "Records say", "台账数", width=10),
    Column("difference", "Difference", "差异", width=8),
    Column("kind", "Given as", "来源", width=14),
    Column("given_by", "Given by", "填报人", width=16),
    Column("given_at", "Given at", "填报时间", width=18),
    Column("reason", "Reason", "原因", width=30),
    Column("current", "Current", "是否现行", width=8),
]


def report_workbook(report: UnitReport, figures, *, chinese: bool) -> HttpResponse:
    """One report's figures (as `selectors.reconciliation` gives them): every version of
    each, who gave it, and what the records say."""
    with translation.override(language_code(chinese)):
        yes, no = _("yes"), _("no")
        rows = []
        for figure in figures:
            ledger = "" if figure.ledger is None else figure.ledger
            for version in figure.versions or [None]:
                current = version is not None and version.superseded_at is None
                rows.append(
                    [
                        figure.field.display_label,
                        "" if version is None else version.value,
                        ledger,
                        figure.difference if current and figure.difference else "",
                        "" if version is None else str(version.get_kind_display()),
                        "" if version is None else _who(version.given_by),
                        "" if version is None else _local(version.given_at),
                        "" if version is None else version.reason,
                        yes if current else no,
                    ]
                )
        title = f"{report.unit.display_name} {report.date.isoformat()}"
        return workbook_response(
            f"report-{report.unit.code}-{report.date.isoformat()}.xlsx",
            title,
            FIGURE_COLUMNS,
            rows,
            chinese,
        )


DEFINITION_COLUMNS = [
    Column("kind", "Kind", "类别", width=8),
    Column("code", "Code", "代码", width=16),
    Column("label", "Label (Chinese)", "名称（中文）", width=22),
    Column("label_en", "Label (English)", "名称（英文）", width=26),
    Column("order", "Order", "顺序", width=8),
    Column("source", "Computed from / priority", "计算来源／优先级", width=30),
    Column("active", "Active", "启用", width=8),
]


def definition_workbook(fields, rules, *, chinese: bool) -> HttpResponse:
    """The report's figures and the rules between them, as the office defined them."""
    with translation.override(language_code(chinese)):
        yes, no = _("yes"), _("no")
        figure, rule_word = (
            pgettext("daily report sheet", "Figure"),
            pgettext("daily report sheet", "Rule"),
        )
        rows = [
            [
                figure,
                field.code,
                field.label,
                field.label_en,
                field.order,
                str(field.get_source_display()),
                yes if field.is_active else no,
            ]
            for field in fields
        ] + [
            [
                rule_word,
                "",
                rule.message or rule.describe(),
                rule.message_en or rule.describe(),
                "",
                str(rule.get_priority_display()),
                yes if rule.is_active else no,
            ]
            for rule in rules
        ]
        return workbook_response(
            "report-definition.xlsx",
            pgettext("daily report sheet", "Report fields and rules"),
            DEFINITION_COLUMNS,
            rows,
            chinese,
        )
