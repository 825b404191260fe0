"""housing.db: timestamptz values read by psycopg's compiled loader are the ones Django's own loader reads."""

import datetime

import pytest
from django.db import connection
from psycopg.types.datetime import TimestamptzLoader

LITERALS = [
    "2026-12-02 09:00:00+08",
    "2024-03-10 01:02:03.456789+08",
    "2024-03-31 02:30:00+02",  # a DST change elsewhere
    "2025-10-26 01:30:00-05:30",
    "1900-01-01 00:00:00+00",
    "0099-06-30 23:59:59.999999+00",
    "9999-12-31 23:59:59.999999+00",
]


def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (its pass of the suite runs it)")


@pytest.mark.django_db
def test_timestamptz_values_are_read_by_the_compiled_loader():
    _postgresql()
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    assert loader.__name__ == "CompiledUtcLoader"
    with connection.cursor() as cursor:  # Django's create_cursor keeps it (same zone), no per-cursor loader
        assert cursor.cursor.adapters.get_loader(1184, 0) is loader
    instance = loader(1184, connection.connection)
    compiled = connection.connection.adapters._get_optimised(TimestamptzLoader)
    assert compiled is not TimestamptzLoader  # psycopg[binary] is installed (requirements.txt)
    assert type(instance.load.__self__) is compiled  # its method itself: no Python frame a value


@pytest.mark.django_db
def test_compiled_loader_reads_what_djangos_loader_reads():
    _postgresql()
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    select = "SELECT " + ", ".join(f"'{v}'::timestamptz" for v in LITERALS) + ", NULL::timestamptz"
    with connection.cursor() as cursor:
        cursor.execute(select)
        ours = cursor.fetchone()
    raw = connection.connection
    with raw.cursor() as stock:
        register_tzloader(datetime.UTC, stock)  # Django's own loader, as it registers it
        stock.execute(select)
        theirs = stock.fetchone()
    assert ours == theirs
    assert ours[-1] is None
    assert all(v.tzinfo is datetime.UTC for v in ours[:-1])
    assert ours[1] == datetime.datetime(2024, 3, 9, 17, 2, 3, 456789, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_model_datetimes_round_trip():
    _postgresql()
    from django.contrib.auth import get_user_model

    moment = datetime.datetime(2026, 6, 30, 23, 59, 59, 123456, tzinfo=datetime.UTC)
    user = get_user_model().objects.create(username="loader", last_login=moment)
    user.refresh_from_db()
    assert user.last_login == moment and user.last_login.tzinfo is datetime.UTC
