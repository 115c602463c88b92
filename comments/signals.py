"""Signals of the comments app, all declared here.

comments_changed(sender=Comment, post_ids: set[int])
    Sent after a transaction that added, approved, hid or edited comments commits, with
    the ids of the posts whose visible comments may have changed. Caches listen to it.
"""

from django.dispatch import Signal

comments_changed = Signal()
