"""The timeline rows written before events had codes held a sentence in the language of
whoever wrote it ("Open → Being handled: …", "已报告疾控中心"). This reads those sentences, in
English or Chinese, back into an event and its particulars, keeping the note typed with a
step as typed. A sentence it does not recognise stays as it is, a note (nothing is lost).

The labels are the ones the application wrote until now, copied here: a migration never
imports the application's code or its catalogue.
"""

import re

from django.db import migrations

KINDS = {
    "fever": ("Fever found", "发现发热"),
    "suspected": ("Suspected case", "疑似病例"),
    "confirmed": ("Confirmed case", "确诊病例"),
    "close_contact": ("Close contact found", "发现密切接触者"),
    "gathering": ("Gathering or rule breach", "聚集或违规"),
    "other": ("Other", "其他"),
}
STATUSES = {
    "open": ("Open", "待处置"),
    "handling": ("Being handled", "处置中"),
    "closed": ("Closed", "已结案"),
}
CDC = ("CDC notified", "已报告疾控中心")
PEOPLE = ("People involved: ", "涉及人员：")
CASES = ("Isolation: ", "医学隔离：")
NOTE_SEPARATOR = ": "  # between a step and its note, in both languages

PERSON = re.compile(r"(?P<name>.+) \((?P<number>[^()]*)\)")
CASE = re.compile(r"(?P<name>.+) (?P<start>\d{4}-\d{2}-\d{2})")


def _code(labels: dict, text: str) -> str | None:
    for code, names in labels.items():
        if text in names:
            return code
    return None


def _step_and_note(text: str, steps) -> tuple[str, str] | None:
    """(step, note) when `text` is one of `steps`, alone or followed by ': note'."""
    for step in steps:
        if text == step:
            return step, ""
        if text.startswith(step + NOTE_SEPARATOR):
            return step, text[len(step) + len(NOTE_SEPARATOR) :].strip()
    return None


def _items(text: str, prefixes, pattern) -> list[dict] | None:
    for prefix in prefixes:
        if text.startswith(prefix):
            found = [pattern.fullmatch(item) for item in text[len(prefix) :].split("、")]
            if found and all(found):
                return [match.groupdict() for match in found]
    return None


def _opened(action, text: str):
    label, _dot, where = text.partition(" · ")
    kind = _code(KINDS, label)
    if kind is None:
        return None
    params = {"kind": kind}
    where = where.strip()
    incident = action.incident
    area = incident.area
    if where and where != incident.place and area is not None and where in (area.name, area.name_en):
        params["area"] = area.pk
    elif where:
        params["place"] = where
    return "opened", params, ""


def _status(text: str):
    head, _arrow, rest = text.partition(" → ")
    before = _code(STATUSES, head)
    if before is None:
        return None
    for code, names in STATUSES.items():
        found = _step_and_note(rest, names)
        if found:
            return "status_changed", {"from": before, "to": code}, found[1]
    return None


def _cdc(text: str):
    found = _step_and_note(text, CDC)
    return ("cdc_notified", {}, found[1]) if found else None


def _link(text: str):
    people = _items(text, PEOPLE, PERSON)
    if people is not None:
        return "people_linked", {"people": people}, ""
    cases = _items(text, CASES, CASE)
    if cases is not None:
        return "cases_linked", {"cases": cases}, ""
    return None


def read_sentences(apps, schema_editor):
    IncidentAction = apps.get_model("watch", "IncidentAction")
    readers = {
        "opened": _opened,
        "status": lambda action, text: _status(text),
        "cdc": lambda action, text: _cdc(text),
        "link": lambda action, text: _link(text),
    }
    rows = IncidentAction.objects.filter(event="note").exclude(kind="note")
    for action in rows.select_related("incident__area").iterator():
        found = readers.get(action.kind, lambda action, text: None)(action, action.text.strip())
        if found is None:
            continue
        event, params, note = found
        # The timeline is append-only for the application; this rewrites what a row says,
        # not what happened.
        IncidentAction.objects.filter(pk=action.pk).update(event=event, params=params, text=note)


def write_sentences(apps, schema_editor):
    """Back to English sentences, for the migration before this one."""
    IncidentAction = apps.get_model("watch", "IncidentAction")
    for action in IncidentAction.objects.exclude(event="note").select_related("incident__area"):
        params = action.params or {}
        if action.event == "opened":
            kind = KINDS.get(params.get("kind"), (params.get("kind", ""),))[0]
            area = action.incident.area
            where = params.get("place") or (
                (area.name_en or area.name) if area and area.pk == params.get("area") else ""
            )
            text = f"{kind} · {where}" if where else kind
        elif action.event == "status_changed":
            before = STATUSES.get(params.get("from"), ("",))[0]
            after = STATUSES.get(params.get("to"), ("",))[0]
            text = f"{before} → {after}"
        elif action.event == "cdc_notified":
            text = CDC[0]
        elif action.event == "people_linked":
            names = "、".join(f"{p['name']} ({p['number']})" for p in params.get("people", []))
            text = PEOPLE[0] + names
        else:
            names = "、".join(f"{c['name']} {c['start']}" for c in params.get("cases", []))
            text = CASES[0] + names
        if action.text:
            text = f"{text}{NOTE_SEPARATOR}{action.text}"
        IncidentAction.objects.filter(pk=action.pk).update(
            event="note", params={}, text=text[:500]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("watch", "0004_incident_action_events"),
    ]

    operations = [
        migrations.RunPython(read_sentences, write_sentences),
    ]
