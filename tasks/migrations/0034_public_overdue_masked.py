"""The public 晾晒's overdue list, masked of every person the database knows, frozen at publication
(``Roundup.public_overdue``). Roundups published before it get theirs now, from the same rule
(``selectors.public.public_overdue_rows``, given this migration's models): the public page prints no item text
of a published roundup without it. Undoing drops the field (the page then withholds the texts)."""

from django.db import migrations, models


def mask_published(apps, schema_editor):
    # The rule and the list of persons are the app's one place (``rules.personal``, ``selectors.public``); this
    # migration reads the persons through its own historical models.
    from tasks.selectors.public import personal_terms_known, public_overdue_rows

    Roundup = apps.get_model("tasks", "Roundup")
    published = Roundup.objects.filter(status="published", public_overdue__isnull=True)
    if not published.exists():
        return
    terms = personal_terms_known(get_model=apps.get_model)
    for roundup in published.only("pk", "data").iterator(chunk_size=100):
        Roundup.objects.filter(pk=roundup.pk).update(public_overdue=public_overdue_rows(roundup.data, terms))


class Migration(migrations.Migration):

    dependencies = [
        ("tasks", "0033_invitation_tokens_forgotten"),
    ]

    operations = [
        migrations.AddField(
            model_name="roundup",
            name="public_overdue",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="公开的逾期事项"),
        ),
        migrations.RunPython(mask_published, migrations.RunPython.noop),
    ]
