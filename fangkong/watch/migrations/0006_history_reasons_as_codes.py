"""History reasons the code wrote as English sentences ("Listed", "Being handled") become codes
with parameters, which the pages translate when they show them (fangkong.core.history). A
reason a user typed is left as typed."""

import json

from django.db import migrations

MODELS = ["HistoricalRegionOfConcern", "HistoricalKeyPerson", "HistoricalIsolationPolicy", "HistoricalIsolationRoom", "HistoricalIsolationCase", "HistoricalIncident"]
SENTENCES = {"Created": "created", "Edited": "edited", "Ended": "ended", "Listed": "listed", "Verified": "verified", "Started": "started", "Opened": "opened", "Being handled": "being_handled", "CDC notified": "cdc_notified", "Closed": "closed"}


def stored(code: str, **params) -> str:
    return json.dumps({"reason": code, **params}, ensure_ascii=False)


def to_codes(apps, schema_editor):
    for name in MODELS:
        history = apps.get_model("watch", name).objects
        for sentence, code in SENTENCES.items():
            history.filter(history_change_reason=sentence).update(
                history_change_reason=stored(code)
            )


def to_sentences(apps, schema_editor):
    for name in MODELS:
        history = apps.get_model("watch", name).objects
        for sentence, code in SENTENCES.items():
            history.filter(history_change_reason=stored(code)).update(
                history_change_reason=sentence
            )


class Migration(migrations.Migration):
    dependencies = [("watch", "0005_incident_action_events_from_text")]

    operations = [migrations.RunPython(to_codes, to_sentences)]
