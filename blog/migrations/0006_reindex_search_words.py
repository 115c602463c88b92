"""Store every post's search words again: formulas became terms such as `e^{-x^2}`."""

from django.db import migrations

BATCH = 500


def reindex(apps, schema_editor):
    # The current indexer, on purpose: the stored words must be what queries now look for.
    from blog import search

    Post = apps.get_model("blog", "Post")
    last_id = 0
    while True:
        batch = list(
            Post.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "title", "body")[:BATCH]
        )
        if not batch:
            return
        for post in batch:
            post.search_title = search.index_text(post.title)
            post.search_body = search.index_text(post.body)
        Post.objects.bulk_update(batch, ["search_title", "search_body"])
        search.refresh_search_vectors(Post.objects.filter(pk__in=[post.pk for post in batch]))
        last_id = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_move_content_version_to_core"),
    ]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
