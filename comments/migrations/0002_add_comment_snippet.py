from django.db import migrations, models

BATCH = 2000


def fill_snippets(apps, schema_editor):
    # The current snippet maker, on purpose: the stored text is what the sidebar would show.
    from comments.snippets import snippet_of

    Comment = apps.get_model("comments", "Comment")
    last_id = 0
    while True:
        batch = list(
            Comment.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "body_html")[:BATCH]
        )
        if not batch:
            return
        for comment in batch:
            comment.snippet = snippet_of(comment.body_html)
        Comment.objects.bulk_update(batch, ["snippet"])
        last_id = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="snippet",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="摘要"),
        ),
        migrations.RunPython(fill_snippets, migrations.RunPython.noop, elidable=True),
    ]
