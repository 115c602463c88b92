"""Every route, walked from the resolver, answers hostile URL values without a 5xx.

Each placeholder of each URL pattern (path converters and regex groups, the admin's
included) gets every value of the catalogue in turn, the others a harmless value; the
same values also go in the query string and in a POSTed form. GET, HEAD and POST, as an
anonymous reader and, for the admin, as a logged-in superuser. Runs on whichever database
the suite runs on (CI: SQLite and PostgreSQL, which rejects NUL in text).
"""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.factories import make_comment, make_post, make_tag

# Written as they appear in a URL: percent escapes stay escaped.
HOSTILE_VALUES = {
    "percent-NUL": "%00",
    "raw NUL": "\x00",
    "digit then NUL": "1%00",
    "2^63": str(2**63),
    "2^64": str(2**64),
    "-1": "-1",
    "10^40": "1" + "0" * 40,
    "5,000 characters": "a" * 5000,
    "5,000 digits": "9" * 5000,
    "lone continuation byte": "%ff",
    "truncated UTF-8": "%c3%28",
    "UTF-16 surrogate as UTF-8": "%ed%a0%80",
    "dot dot": "..",
    "encoded slash": "%2F",
    "non-ASCII": "数学%F0%9F%98%80",
    "markup": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "quote and SQL": "'%20OR%201=1--",
    "newline": "%0d%0a",
}

QUERY_PARAMETERS = ["q", "page", "p", "next", "o", "e", "_changelist_filters"]
FORM_FIELDS = [
    "body",
    "author_name",
    "author_email",
    "author_url",
    "parent",
    "timestamp",
    "notify_on_reply",
    "preview",
    "username",
    "password",
    "q",
    "action",
    "_selected_action",
]
HARMLESS = {"int": "1", "path": "x", "slug": "x", "str": "x", "uuid": "x"}
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern flattened: literal pieces and placeholders, from the site's root."""

    pieces: tuple  # str for literal text, ("slot", converter) for a placeholder
    name: str
    admin: bool

    @property
    def converters(self):
        return [piece[1] for piece in self.pieces if isinstance(piece, tuple)]

    def url(self, values):
        """The URL with its placeholders replaced by these values, in order."""
        values = iter(values)
        return "/" + "".join(
            piece if isinstance(piece, str) else next(values) for piece in self.pieces
        )


def _route_pieces(pattern):
    if isinstance(pattern, RoutePattern):
        route, pieces, end = str(pattern._route), [], 0
        for match in PLACEHOLDER.finditer(route):
            pieces += [route[end : match.start()], ("slot", match["converter"] or "str")]
            end = match.end()
        return [*pieces, route[end:]]
    if isinstance(pattern, RegexPattern):
        return _regex_pieces(str(pattern._regex))
    raise TypeError(f"unknown pattern type {type(pattern)!r}")


def _regex_pieces(regex):
    """Literal text and groups of a simple regex (what Django and its admin use)."""
    regex = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    pieces, text, i = [], "", 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            text += regex[i + 1]
            i += 2
        elif char == "(":
            depth, j = 1, i + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1 + (regex[j] == "\\")
            pieces += [text, ("slot", "regex")]
            text, i = "", j
        elif char in "?*+":
            i += 1  # an optional or repeated literal: keep one copy
        else:
            text += char
            i += 1
    return [*pieces, text]


def all_routes():
    """Every URL pattern the project serves, with the includes flattened."""
    routes = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            pieces = [*prefix, *_route_pieces(entry.pattern)]
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, pieces, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
                routes.append(
                    Route(tuple(p for p in pieces if p != ""), name, namespace == "admin")
                )

    walk(get_resolver().url_patterns, [], None)
    return routes


def requests_for(route, *, query=True):
    """(description, URL) pairs: each hostile value in each placeholder, then in the query."""
    harmless = [HARMLESS.get(converter, "1") for converter in route.converters]
    for label, value in HOSTILE_VALUES.items():
        for slot in range(len(harmless)):
            values = [value if i == slot else fill for i, fill in enumerate(harmless)]
            yield f"{label} in placeholder {slot + 1}", route.url(values)
        if len(harmless) > 1:
            yield f"{label} in every placeholder", route.url([value] * len(harmless))
        if query:
            parameters = "&".join(f"{name}={value}" for name in QUERY_PARAMETERS)
            yield f"{label} in the query string", f"{route.url(harmless)}?{parameters}"


def form_body(value):
    return "&".join(f"{name}={value}" for name in FORM_FIELDS)


@pytest.fixture
def site(db, settings):
    """Something behind every kind of id, slug and date the routes name."""
    settings.COMMENTS_RATE_LIMITS = []
    post = make_post(tags=[make_tag(name="x", slug="x")])
    make_comment(post)
    return post


def test_the_walk_reaches_every_kind_of_route():
    names = {route.name for route in all_routes()}
    expected = {"blog:post_detail", "blog:month_page", "comments:post", "admin:index", "robots"}
    assert expected <= names
    assert any(route.admin and route.converters for route in all_routes())


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_no_route_answers_a_hostile_value_with_a_server_error(site, author, method):
    anonymous = Client(HTTP_HOST="127.0.0.1")
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(author)
    failures, sent = [], 0
    for route in all_routes():
        # Logging the staff client out would leave the rest of the admin unvisited.
        as_staff = route.admin and route.name != "admin:logout"
        for client in [anonymous, staff] if as_staff else [anonymous]:
            client.raise_request_exception = True
            # An anonymous visitor of the admin meets its login redirect whatever the query.
            for description, url in requests_for(route, query=client is staff or not route.admin):
                sent += 1
                try:
                    if method == "post":
                        value = description.split(" in ")[0]
                        response = client.post(
                            url,
                            form_body(HOSTILE_VALUES[value]),
                            content_type="application/x-www-form-urlencoded",
                        )
                    else:
                        response = getattr(client, method)(url)
                except Exception as error:  # every crash is a finding
                    failures.append((route.name, type(error).__name__, url, description, error))
                    continue
                if response.status_code >= 500:
                    status = response.status_code
                    failures.append((route.name, str(status), url, description, status))
    assert sent > 1000, "the walk found too few routes to mean anything"
    assert not failures, _report(failures, sent)


def _report(failures, sent):
    """One line per route and kind of failure, with its first example."""
    first = {}
    for name, kind, url, description, detail in failures:
        first.setdefault((name, kind), (url, description, detail, []))[3].append(description)
    lines = [
        f"{name}: {kind} x{len(all_)}, e.g. {url[:100]!r} ({description}): {str(detail)[:150]}"
        for (name, kind), (url, description, detail, all_) in first.items()
    ]
    return f"{len(failures)} of {sent} requests failed:\n" + "\n".join(lines)


def test_admin_path_is_walked_under_its_configured_prefix():
    assert any(
        route.admin
        and route.url(["1"] * len(route.converters)).startswith("/" + settings.ADMIN_URL)
        for route in all_routes()
    )
