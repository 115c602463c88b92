from django.db import migrations

INDEX_NAME = "blog_post_search_vector_gin"


def create_search_index(apps, schema_editor):
    # Only Postgres has GIN indexes; SQLite (development) searches the word lists directly.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON blog_post USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
