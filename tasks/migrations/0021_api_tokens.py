"""API tokens stored as digests (django-rest-knox's model, swapped for tasks.ApiToken).

DRF's tokens (rest_framework.authtoken, no longer installed) were stored as they are, in authtoken_token.
Each one is hashed into the new table (the same SHA-512 knox computes of a presented token, and its first 15
characters as knox's lookup prefix), so clients keep working with the key they have; it expires
API_TOKEN_DAYS from now (DRF's never did). Then the old table, the last copy of the keys, is dropped, and
DRF's migration records with it (re-installing that app would then create its table afresh).
"""

import hashlib
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

OLD_TABLE = "authtoken_token"
KEY_PREFIX_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("tasks", "ApiToken")
    days = getattr(settings, "API_TOKEN_DAYS", 90)
    expiry = timezone.now() + timedelta(days=days) if days > 0 else None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('key')}, {quote('created')}, {quote('user_id')} FROM {quote(OLD_TABLE)}")
        rows = cursor.fetchall()
    for key, created, user_id in rows:
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        if created is not None and timezone.is_naive(created):
            created = timezone.make_aware(created, dt_timezone.utc)  # stored in UTC (SQLite has no zone)
        token = ApiToken(
            digest=hashlib.sha512(key.encode()).hexdigest(), token_key=key[:KEY_PREFIX_LENGTH], user_id=user_id,
            expiry=expiry, name="DRF token",
        )
        token.save(force_insert=True)
        if created is not None:
            ApiToken._default_manager.filter(pk=token.pk).update(created=created)  # auto_now_add set it to now
    schema_editor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0020_outbox_messages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('digest', models.CharField(max_length=128, primary_key=True, serialize=False)),
                ('token_key', models.CharField(db_index=True, max_length=25)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('expiry', models.DateTimeField(blank=True, null=True)),
                ('name', models.CharField(blank=True, max_length=100, verbose_name='用途')),
                ('last_used', models.DateTimeField(blank=True, null=True, verbose_name='最近使用')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='auth_token_set', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API 令牌',
                'verbose_name_plural': 'API 令牌',
                'ordering': ['-created'],
            },
        ),
        migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop),
    ]
