from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("blog", "ContentVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_add_content_version")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
