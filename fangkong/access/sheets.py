"""The gate reports as .xlsx, in the layout the office files (as supplies/sheets.py): a
merged title, the period and who compiled it, a header, the rows, the totals in bold.

The fixed words of the forms come in both languages and `chinese` picks one; names (gates,
areas, pass types) come through the models' display names in that language.
"""

import datetime
import io

from django.http import HttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from fangkong.access import selectors
from fangkong.spreadsheets import XLSX_CONTENT_TYPE, _export_value

HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
OVERDUE_FONT = Font(bold=True, color="C00000")
TITLE_FONT = Font(bold=True, size=16)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _words(chinese: bool, zh: str, en: str) -> str:
    return zh if chinese else en


def _language(chinese: bool) -> str:
    return "zh-hans" if chinese else "en"


def _local(at: datetime.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


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

    def _put(self, column: int, value, *, font=None, alignment=None):
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
        return cell

    def line(self, text: str) -> None:
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
            self._put(column, value, font=font, alignment=LEFT if column == 1 else CENTRE)

    def response(self, filename: str) -> HttpResponse:
        if self.header_row:
            for cells in self.sheet.iter_rows(
                min_row=self.header_row, max_row=self.row, max_col=self.width
            ):
                for cell in cells:
                    cell.border = BORDER
            self.sheet.freeze_panes = self.sheet.cell(row=self.header_row + 1, column=2)
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _period(sheet: _Sheet, chinese: bool, start, end, compiler: str) -> None:
    sheet.line(
        _words(
            chinese,
            f"统计期间：{start.isoformat()} 至 {end.isoformat()}",
            f"Period: {start.isoformat()} to {end.isoformat()}",
        )
    )
    sheet.line(_words(chinese, "填报人：", "Compiled by: ") + compiler)


def _on_day(sheet: _Sheet, chinese: bool, day, compiler: str) -> None:
    sheet.line(_words(chinese, f"日期：{day.isoformat()}", f"Day: {day.isoformat()}"))
    sheet.line(_words(chinese, "填报人：", "Compiled by: ") + compiler)


def passes_workbook(report: selectors.PassesReport, *, chinese: bool, compiler: str):
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "临时通行证发放统计表（按类别）", "Passes issued, by type"),
            _words(chinese, "通行证", "Passes"),
            [
                (_words(chinese, "通行证类别", "Pass type"), 30),
                (_words(chinese, "发放数", "Issued"), 12),
                (_words(chinese, "其中窗口办理", "Of which at the pass desk"), 16),
            ],
        )
        _period(sheet, chinese, report.start, report.end, compiler)
        sheet.header()
        for row in report.rows:
            sheet.append([row.pass_type.display_name, row.issued, row.at_desk])
        sheet.append([_words(chinese, "合计", "Total"), report.total, report.at_desk], font=BOLD)
        return sheet.response(f"passes-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def crossings_workbook(report: selectors.CrossingsReport, *, chinese: bool, compiler: str):
    """A row per gate and decision (let through, refused), a column per hour."""
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "各出入口分时段通行统计表", "Crossings per gate per hour"),
            _words(chinese, "分时段通行", "Crossings"),
            [
                (_words(chinese, "出入口", "Gate"), 24),
                (_words(chinese, "结果", "Decision"), 10),
                *[(f"{hour:02d}", 5) for hour in selectors.HOURS],
                (_words(chinese, "合计", "Total"), 8),
            ],
        )
        _on_day(sheet, chinese, report.day, compiler)
        sheet.header()
        allowed, refused = (
            _words(chinese, "放行", "Let through"),
            _words(chinese, "拒绝", "Refused"),
        )
        for row in report.rows:
            name = row.gate.display_name
            sheet.append([name, allowed, *[c.allowed for c in row.hours], row.total.allowed])
            sheet.append([name, refused, *[c.refused for c in row.hours], row.total.refused])
        total = _words(chinese, "合计", "Total")
        sheet.append(
            [total, allowed, *[c.allowed for c in report.hours], report.total.allowed], font=BOLD
        )
        sheet.append(
            [total, refused, *[c.refused for c in report.hours], report.total.refused], font=BOLD
        )
        return sheet.response(f"crossings-{report.day.isoformat()}.xlsx")


def refusals_workbook(report: selectors.RefusalsReport, *, chinese: bool, compiler: str):
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "拒绝通行原因统计表", "Refusals by reason"),
            _words(chinese, "拒绝原因", "Refusals"),
            [
                (_words(chinese, "原因", "Reason"), 40),
                (_words(chinese, "次数", "Count"), 12),
            ],
        )
        _period(sheet, chinese, report.start, report.end, compiler)
        sheet.header()
        for row in report.rows:
            sheet.append([row.label, row.count])
        sheet.append([_words(chinese, "合计", "Total"), report.total], font=BOLD)
        return sheet.response(f"refusals-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def out_workbook(areas: list[selectors.OutArea], *, chinese: bool, compiler: str, at):
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "家属区外出未归人员", "Out of the family area now"),
            _words(chinese, "外出未归", "Out now"),
            [
                (_words(chinese, "区域", "Area"), 20),
                (_words(chinese, "姓名", "Name"), 12),
                (_words(chinese, "人员编号", "Person number"), 14),
                (_words(chinese, "住户", "Household"), 22),
                (_words(chinese, "外出时间", "Out since"), 18),
                (_words(chinese, "出入口", "Gate"), 20),
                (_words(chinese, "应返回时间", "Back by"), 18),
                (_words(chinese, "逾期未归", "Overdue"), 10),
            ],
        )
        sheet.line(_words(chinese, f"截至：{_local(at)}", f"As of {_local(at)}"))
        sheet.line(_words(chinese, "填报人：", "Compiled by: ") + compiler)
        sheet.header()
        yes = _words(chinese, "是", "yes")
        for entry in areas:
            for row in entry.people:
                sheet.append(
                    [
                        entry.area.display_name,
                        row.person.name,
                        row.person.person_number,
                        str(row.household),
                        _local(row.since),
                        row.gate.display_name,
                        _local(row.back_by),
                        yes if row.overdue else "",
                    ],
                    font=OVERDUE_FONT if row.overdue else None,
                )
        return sheet.response(f"out-now-{timezone.localtime(at):%Y-%m-%d-%H%M}.xlsx")


def quota_workbook(report: selectors.QuotaReport, *, chinese: bool, compiler: str):
    with translation.override(_language(chinese)):
        sheet = _Sheet(
            _words(chinese, "住户外出限额使用情况", "Households that used their exit quota"),
            _words(chinese, "外出限额", "Quota"),
            [
                (_words(chinese, "住户", "Household"), 24),
                (_words(chinese, "区域", "Area"), 18),
                (_words(chinese, "外出人员", "Went out"), 14),
                (_words(chinese, "人员编号", "Person number"), 14),
                (_words(chinese, "时间", "Time"), 18),
                (_words(chinese, "出入口", "Gate"), 20),
            ],
        )
        _on_day(sheet, chinese, report.day, compiler)
        sheet.header()
        for entry in report.households:
            for row in entry.exits:
                sheet.append(
                    [
                        str(entry.household),
                        entry.area.display_name,
                        row.person.name if row.person else "",
                        row.person.person_number if row.person else "",
                        _local(row.at),
                        row.gate.display_name,
                    ]
                )
        sheet.append(
            [
                _words(chinese, "合计", "Total"),
                _words(
                    chinese,
                    f"{len(report.households)} 户",
                    f"{len(report.households)} households",
                ),
                _words(chinese, f"{report.exits} 人次", f"{report.exits} exits"),
                "",
                "",
                "",
            ],
            font=BOLD,
        )
        return sheet.response(f"quota-{report.day.isoformat()}.xlsx")
