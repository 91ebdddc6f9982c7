"""History reasons the code wrote as English sentences ("Created", "Imported from people.xlsx")
become codes with parameters, which the pages translate when they show them
(fangkong.core.history). A reason a user typed is left as typed."""

import json

from django.db import migrations

MODELS = ["HistoricalPerson", "HistoricalHousehold"]
SENTENCES = {"Created": "created", "Edited": "edited", "Reactivated": "reactivated"}
# The import's reason, written in the importing user's language.
IMPORTED = (("Imported from ", ""), ("从 ", " 导入"))


def stored(code: str, **params) -> str:
    return json.dumps({"reason": code, **params}, ensure_ascii=False)


def to_codes(apps, schema_editor):
    for name in MODELS:
        history = apps.get_model("core", name).objects
        for sentence, code in SENTENCES.items():
            history.filter(history_change_reason=sentence).update(
                history_change_reason=stored(code)
            )
        for before, after in IMPORTED:
            found = history.filter(
                history_change_reason__startswith=before, history_change_reason__endswith=after
            )
            for sentence in set(found.values_list("history_change_reason", flat=True)):
                source = sentence[len(before) : len(sentence) - len(after)]
                if source:
                    found.filter(history_change_reason=sentence).update(
                        history_change_reason=stored("imported", file=source)
                    )


def to_sentences(apps, schema_editor):
    for name in MODELS:
        history = apps.get_model("core", name).objects
        for sentence, code in SENTENCES.items():
            history.filter(history_change_reason=stored(code)).update(
                history_change_reason=sentence
            )
        for row in history.filter(history_change_reason__startswith='{"reason": "imported"'):
            source = json.loads(row.history_change_reason).get("file", "")
            history.filter(pk=row.pk).update(history_change_reason=f"Imported from {source}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_unit_reports_daily")]

    operations = [migrations.RunPython(to_codes, to_sentences)]
