"""Signals of the comments app, all declared here.

comments_changed(sender=Comment, post_ids: set[int])
    Sent inside the transaction that adds, approves, hides, edits or deletes visible
    comments, with the ids of the posts concerned, so that caches keyed on content
    change in the same commit as the comments themselves.
"""

from django.dispatch import Signal

comments_changed = Signal()
