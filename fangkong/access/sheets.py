"""The gate reports as .xlsx, in the layout the office files (as supplies/sheets.py): a
merged title, the period and who compiled it, a header, the rows, the totals in bold.

The fixed words of the forms come in both languages and `chinese` picks one; names (gates,
areas, pass types) come through the models' display names in that language.
"""

import datetime

from django.utils import timezone, translation
from openpyxl.styles import Font

from fangkong.access import selectors
from fangkong.spreadsheets import BOLD, TitledSheet, language_code, words

OVERDUE_FONT = Font(bold=True, color="C00000")


def _local(at: datetime.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _period(sheet: TitledSheet, chinese: bool, start, end, compiler: str) -> None:
    sheet.line(
        words(
            chinese,
            f"统计期间：{start.isoformat()} 至 {end.isoformat()}",
            f"Period: {start.isoformat()} to {end.isoformat()}",
        )
    )
    sheet.line(words(chinese, "填报人：", "Compiled by: ") + compiler)


def _on_day(sheet: TitledSheet, chinese: bool, day, compiler: str) -> None:
    sheet.line(words(chinese, f"日期：{day.isoformat()}", f"Day: {day.isoformat()}"))
    sheet.line(words(chinese, "填报人：", "Compiled by: ") + compiler)


def passes_workbook(report: selectors.PassesReport, *, chinese: bool, compiler: str):
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "临时通行证发放统计表（按类别）", "Passes issued, by type"),
            words(chinese, "通行证", "Passes"),
            [
                (words(chinese, "通行证类别", "Pass type"), 30),
                (words(chinese, "发放数", "Issued"), 12),
                (words(chinese, "其中窗口办理", "Of which at the pass desk"), 16),
            ],
        )
        _period(sheet, chinese, report.start, report.end, compiler)
        sheet.header()
        for row in report.rows:
            sheet.append([row.pass_type.display_name, row.issued, row.at_desk])
        sheet.append([words(chinese, "合计", "Total"), report.total, report.at_desk], font=BOLD)
        return sheet.response(f"passes-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def crossings_workbook(report: selectors.CrossingsReport, *, chinese: bool, compiler: str):
    """A row per gate and decision (let through, refused), a column per hour."""
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "各出入口分时段通行统计表", "Crossings per gate per hour"),
            words(chinese, "分时段通行", "Crossings"),
            [
                (words(chinese, "出入口", "Gate"), 24),
                (words(chinese, "结果", "Decision"), 10),
                *[(f"{hour:02d}", 5) for hour in selectors.HOURS],
                (words(chinese, "合计", "Total"), 8),
            ],
        )
        _on_day(sheet, chinese, report.day, compiler)
        sheet.header()
        allowed, refused = (
            words(chinese, "放行", "Let through"),
            words(chinese, "拒绝", "Refused"),
        )
        for row in report.rows:
            name = row.gate.display_name
            sheet.append([name, allowed, *[c.allowed for c in row.hours], row.total.allowed])
            sheet.append([name, refused, *[c.refused for c in row.hours], row.total.refused])
        total = words(chinese, "合计", "Total")
        sheet.append(
            [total, allowed, *[c.allowed for c in report.hours], report.total.allowed], font=BOLD
        )
        sheet.append(
            [total, refused, *[c.refused for c in report.hours], report.total.refused], font=BOLD
        )
        return sheet.response(f"crossings-{report.day.isoformat()}.xlsx")


def refusals_workbook(report: selectors.RefusalsReport, *, chinese: bool, compiler: str):
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "拒绝通行原因统计表", "Refusals by reason"),
            words(chinese, "拒绝原因", "Refusals"),
            [
                (words(chinese, "原因", "Reason"), 40),
                (words(chinese, "次数", "Count"), 12),
            ],
        )
        _period(sheet, chinese, report.start, report.end, compiler)
        sheet.header()
        for row in report.rows:
            sheet.append([row.label, row.count])
        sheet.append([words(chinese, "合计", "Total"), report.total], font=BOLD)
        return sheet.response(f"refusals-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def out_workbook(areas: list[selectors.OutArea], *, chinese: bool, compiler: str, at):
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "家属区外出未归人员", "Out of the family area now"),
            words(chinese, "外出未归", "Out now"),
            [
                (words(chinese, "区域", "Area"), 20),
                (words(chinese, "姓名", "Name"), 12),
                (words(chinese, "人员编号", "Person number"), 14),
                (words(chinese, "住户", "Household"), 22),
                (words(chinese, "外出时间", "Out since"), 18),
                (words(chinese, "出入口", "Gate"), 20),
                (words(chinese, "应返回时间", "Back by"), 18),
                (words(chinese, "逾期未归", "Overdue"), 10),
            ],
        )
        sheet.line(words(chinese, f"截至：{_local(at)}", f"As of {_local(at)}"))
        sheet.line(words(chinese, "填报人：", "Compiled by: ") + compiler)
        sheet.header()
        yes = words(chinese, "是", "yes")
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
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            words(chinese, "住户外出限额使用情况", "Households that used their exit quota"),
            words(chinese, "外出限额", "Quota"),
            [
                (words(chinese, "住户", "Household"), 24),
                (words(chinese, "区域", "Area"), 18),
                (words(chinese, "外出人员", "Went out"), 14),
                (words(chinese, "人员编号", "Person number"), 14),
                (words(chinese, "时间", "Time"), 18),
                (words(chinese, "出入口", "Gate"), 20),
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
                words(chinese, "合计", "Total"),
                words(
                    chinese,
                    f"{len(report.households)} 户",
                    f"{len(report.households)} households",
                ),
                words(chinese, f"{report.exits} 人次", f"{report.exits} exits"),
                "",
                "",
                "",
            ],
            font=BOLD,
        )
        return sheet.response(f"quota-{report.day.isoformat()}.xlsx")
