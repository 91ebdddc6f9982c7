"""The gate reports as .xlsx, in the layout the office files (as supplies/sheets.py): a
merged title, the period and who compiled it, a header, the rows, the totals in bold.

Each workbook is written in the language `chinese` asks for (translation.override): the
fixed words of the forms through gettext, names (gates, areas, pass types) through the
models' display names.
"""

import datetime

from django.utils import timezone, translation
from django.utils.translation import npgettext, pgettext
from openpyxl.styles import Font

from fangkong.access import selectors
from fangkong.spreadsheets import BOLD, TitledSheet, language_code

OVERDUE_FONT = Font(bold=True, color="C00000")


def _local(at: datetime.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _period(sheet: TitledSheet, start, end, compiler: str) -> None:
    sheet.line(
        pgettext("gate report", "Period: %(start)s to %(end)s")
        % {"start": start.isoformat(), "end": end.isoformat()}
    )
    sheet.line(pgettext("gate report", "Compiled by: %(name)s") % {"name": compiler})


def _on_day(sheet: TitledSheet, day, compiler: str) -> None:
    sheet.line(pgettext("gate report", "Day: %(day)s") % {"day": day.isoformat()})
    sheet.line(pgettext("gate report", "Compiled by: %(name)s") % {"name": compiler})


def passes_workbook(report: selectors.PassesReport, *, chinese: bool, compiler: str):
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            pgettext("gate report", "Passes issued, by type"),
            pgettext("sheet tab", "Passes"),
            [
                (pgettext("gate report", "Pass type"), 30),
                (pgettext("gate report", "Issued"), 12),
                (pgettext("gate report", "Of which at the pass desk"), 16),
            ],
        )
        _period(sheet, report.start, report.end, compiler)
        sheet.header()
        for row in report.rows:
            sheet.append([row.pass_type.display_name, row.issued, row.at_desk])
        sheet.append([pgettext("gate report", "Total"), report.total, report.at_desk], font=BOLD)
        return sheet.response(f"passes-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def crossings_workbook(report: selectors.CrossingsReport, *, chinese: bool, compiler: str):
    """A row per gate and decision (let through, refused), a column per hour."""
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            pgettext("gate report", "Crossings per gate per hour"),
            pgettext("sheet tab", "Crossings"),
            [
                (pgettext("gate report", "Gate"), 24),
                (pgettext("gate report", "Decision"), 10),
                *[(f"{hour:02d}", 5) for hour in selectors.HOURS],
                (pgettext("gate report", "Total"), 8),
            ],
        )
        _on_day(sheet, report.day, compiler)
        sheet.header()
        allowed, refused = (
            pgettext("gate report", "Let through"),
            pgettext("gate report", "Refused"),
        )
        for row in report.rows:
            name = row.gate.display_name
            sheet.append([name, allowed, *[c.allowed for c in row.hours], row.total.allowed])
            sheet.append([name, refused, *[c.refused for c in row.hours], row.total.refused])
        total = pgettext("gate report", "Total")
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
            pgettext("gate report", "Refusals by reason"),
            pgettext("sheet tab", "Refusals"),
            [
                (pgettext("gate report", "Reason"), 40),
                (pgettext("gate report", "Count"), 12),
            ],
        )
        _period(sheet, report.start, report.end, compiler)
        sheet.header()
        for row in report.rows:
            sheet.append([row.label, row.count])
        sheet.append([pgettext("gate report", "Total"), report.total], font=BOLD)
        return sheet.response(f"refusals-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")


def out_workbook(areas: list[selectors.OutArea], *, chinese: bool, compiler: str, at):
    with translation.override(language_code(chinese)):
        sheet = TitledSheet(
            pgettext("gate report", "Out of the family area now"),
            pgettext("sheet tab", "Out now"),
            [
                (pgettext("gate report", "Area"), 20),
                (pgettext("gate report", "Name"), 12),
                (pgettext("gate report", "Person number"), 14),
                (pgettext("gate report", "Household"), 22),
                (pgettext("gate report", "Out since"), 18),
                (pgettext("gate report", "Gate"), 20),
                (pgettext("gate report", "Back by"), 18),
                (pgettext("gate report", "Overdue"), 10),
            ],
        )
        sheet.line(pgettext("gate report", "As of %(time)s") % {"time": _local(at)})
        sheet.line(pgettext("gate report", "Compiled by: %(name)s") % {"name": compiler})
        sheet.header()
        yes = pgettext("gate report", "yes")
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
            pgettext("gate report", "Households that used their exit quota"),
            pgettext("sheet tab", "Quota"),
            [
                (pgettext("gate report", "Household"), 24),
                (pgettext("gate report", "Area"), 18),
                (pgettext("gate report", "Went out"), 14),
                (pgettext("gate report", "Person number"), 14),
                (pgettext("gate report", "Time"), 18),
                (pgettext("gate report", "Gate"), 20),
            ],
        )
        _on_day(sheet, report.day, compiler)
        sheet.header()
        households = len(report.households)
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
                pgettext("gate report", "Total"),
                npgettext("gate report", "%(count)d household", "%(count)d households", households)
                % {"count": households},
                npgettext("gate report", "%(count)d exit", "%(count)d exits", report.exits)
                % {"count": report.exits},
                "",
                "",
                "",
            ],
            font=BOLD,
        )
        return sheet.response(f"quota-{report.day.isoformat()}.xlsx")
