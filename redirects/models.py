"""Redirects: an old address of the site that answers 301 with where its content lives now.

Old addresses come in two kinds. A path (`/2019/03/gradient/`, `/archives/slug.html`) is
looked up only when nothing here answers it (a 404), so a redirect can never hide a page.
An address whose query names content (`/?p=123`, `/?page_id=7`, `/?cat=4`) is looked up
before any page, because `/` itself answers 200; only the query parameters in
CONTENT_QUERY_KEYS count, any others (`utm_source=...`) are ignored.

A redirect points inside the site, never elsewhere, and never at an address that leads back
to itself: both are checked when one is saved (`clean`) and again when one is followed.
"""

from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Query parameters that name a piece of content on WordPress sites, in the order they are read.
CONTENT_QUERY_KEYS = ("p", "page_id", "attachment_id", "cat", "tag")
MAX_CHAIN = 10


def normalize_old(address):
    """Reduce an old address (a full URL or a path) to the form redirects are stored under.

    The path is percent-decoded (Django hands views decoded paths); of the query only the
    first parameter of CONTENT_QUERY_KEYS stays. Return "" for an address that cannot be one.
    """
    address = (address or "").strip()
    if not address:
        return ""
    parts = urlsplit(address)
    path = unquote(parts.path or "/")
    if not path.startswith("/"):
        path = "/" + path
    if any(ord(char) < 32 for char in path):
        return ""
    query = dict(parse_qsl(parts.query, keep_blank_values=False))
    for key in CONTENT_QUERY_KEYS:
        if query.get(key):
            return f"{path}?{key}={query[key]}"
    return path


def query_candidates(path, query):
    """The stored forms a request with this path and (parsed) query could match, or []."""
    for key in CONTENT_QUERY_KEYS:
        value = query.get(key)
        if value:
            return [f"{path}?{key}={value}"]
    return []


def path_candidates(path):
    """The stored forms a path could match: as it is and with its trailing slash toggled."""
    toggled = path[:-1] if path.endswith("/") and len(path) > 1 else path + "/"
    return [path, toggled]


def is_local_target(target):
    """Whether `target` is a path on this site (never another host, scheme or protocol)."""
    return (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not any(ord(char) < 32 or char == "\\" for char in target)
    )


class RedirectQuerySet(models.QuerySet):
    def target_of(self, candidates):
        """The new address for the first of these old addresses that has one, or None."""
        found = dict(self.filter(old_path__in=candidates).values_list("old_path", "new_path"))
        for candidate in candidates:
            if candidate in found and is_local_target(found[candidate]):
                return found[candidate]
        return None


class Redirect(models.Model):
    old_path = models.CharField(
        _("旧地址"),
        max_length=500,
        unique=True,
        help_text=_("站内的旧路径，如 /2019/03/gradient/、/archives/gradient.html 或 /?p=123。"),
    )
    new_path = models.CharField(
        _("新地址"),
        max_length=500,
        help_text=_("跳转到的站内路径，如 /archives/123。只能是本站地址。"),
    )
    note = models.CharField(
        _("说明"), max_length=200, blank=True, help_text=_("这条跳转从哪里来，如导入的来源。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RedirectQuerySet.as_manager()

    class Meta:
        verbose_name = _("跳转")
        verbose_name_plural = _("跳转")
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def clean(self):
        self.old_path = normalize_old(self.old_path)
        if not self.old_path:
            raise ValidationError({"old_path": _("请填写站内路径，如 /2019/03/gradient/。")})
        self.new_path = (self.new_path or "").strip()
        problem = target_problem(self.old_path, self.new_path, exclude_pk=self.pk)
        if problem:
            raise ValidationError({"new_path": problem})


def target_problem(old_path, new_path, *, exclude_pk=None):
    """Why `old_path` may not redirect to `new_path` (off-site, a loop), or None if it may."""
    if not is_local_target(new_path):
        return _("只能跳转到本站的路径（以 / 开头），不能跳到其他网站。")
    seen = {old_path}
    current = new_path
    others = Redirect.objects.exclude(pk=exclude_pk) if exclude_pk else Redirect.objects.all()
    for _step in range(MAX_CHAIN):
        normalized = normalize_old(current)
        if normalized in seen or normalized == old_path:
            return _("这条跳转会形成循环：%(path)s 最终又跳回 %(old)s。") % {
                "path": new_path,
                "old": old_path,
            }
        seen.add(normalized)
        parts = urlsplit(current)
        query = dict(parse_qsl(parts.query))
        candidates = query_candidates(parts.path, query) + path_candidates(parts.path)
        following = others.target_of(candidates)
        if following is None:
            return None
        current = following
    return _("跳转链太长（超过 %(n)d 步）。") % {"n": MAX_CHAIN}
