"""How counts read in the reader's language: `58632位读者`, `58,632 readers`."""

from django.utils.formats import number_format
from django.utils.translation import ngettext


def readers(count: int) -> str:
    """The reader count of a post, grouped as the language groups digits."""
    return ngettext("%(count)s位读者", "%(count)s位读者", count) % {
        "count": number_format(count, force_grouping=True)
    }
