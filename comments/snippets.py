"""The short plain text that stands for a comment in the 最近评论 sidebar and the admin's list.

Made once, when the comment is saved, from its sanitized HTML, by core/plaintext.py (shared
with the posts' descriptions).
"""

from core.plaintext import SNIPPET_LENGTH, readable_formula, snippet_of

__all__ = ["SNIPPET_LENGTH", "readable_formula", "snippet_of"]
