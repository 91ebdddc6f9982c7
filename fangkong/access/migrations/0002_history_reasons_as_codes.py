"""History reasons the code wrote as English sentences ("Approved", "Used at a gate") become
codes with parameters, which the pages translate when they show them
(fangkong.core.history). A reason a user typed is left as typed."""

import json

from django.db import migrations

MODELS = ["HistoricalPass"]
SENTENCES = {"Applied": "applied", "Approved": "approved", "Rejected": "rejected", "Revoked": "revoked", "Used at a gate": "used_at_gate"}


def stored(code: str, **params) -> str:
    return json.dumps({"reason": code, **params}, ensure_ascii=False)


def to_codes(apps, schema_editor):
    for name in MODELS:
        history = apps.get_model("access", name).objects
        for sentence, code in SENTENCES.items():
            history.filter(history_change_reason=sentence).update(
                history_change_reason=stored(code)
            )


def to_sentences(apps, schema_editor):
    for name in MODELS:
        history = apps.get_model("access", name).objects
        for sentence, code in SENTENCES.items():
            history.filter(history_change_reason=stored(code)).update(
                history_change_reason=sentence
            )


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [migrations.RunPython(to_codes, to_sentences)]
