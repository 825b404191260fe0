"""Invitation messages already final (sent, delivered, failed, given up, uncertain, skipped) keep
``[链接已隐去]`` in place of their token, as the outbox now does when a message's fate is final
(``tasks.notifications.services._forget_tokens``). The pattern is copied here: a migration does not follow
later code. Nothing to undo (a token cannot be recovered; only its digest was ever needed)."""

import re

from django.db import migrations

TOKEN_GONE = "[链接已隐去]"
_TOKEN = re.compile(r"(/invitation/)(?!" + re.escape(TOKEN_GONE) + r")[^/\s\"'<>]+")


def _blank(value):
    if isinstance(value, str):
        return _TOKEN.sub(lambda m: m.group(1) + TOKEN_GONE, value)
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value


def forget(apps, schema_editor):
    Message = apps.get_model("tasks", "Message")
    rows = Message.objects.filter(purpose="invite").exclude(state__in=["queued", "sending"])
    for m in rows.only("pk", "body", "html", "payload").iterator(chunk_size=500):
        fields = {"body": _blank(m.body), "html": _blank(m.html), "payload": _blank(m.payload)}
        if any(getattr(m, k) != v for k, v in fields.items()):
            Message.objects.filter(pk=m.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0032_evidence_demanded_recorded")]
    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
