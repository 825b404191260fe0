from django.db import migrations


class Migration(migrations.Migration):
    """Seeing every plan (view_all_plans) and acting on every plan (act_on_all_plans) are two permissions."""

    dependencies = [
        ("tasks", "0016_export"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="plan",
            options={
                "ordering": ["region", "-first_year", "title"],
                "permissions": [("view_all_plans", "查看所有方案"), ("act_on_all_plans", "办理所有方案")],
                "verbose_name": "实施方案",
                "verbose_name_plural": "实施方案",
            },
        ),
    ]
