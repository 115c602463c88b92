"""A commenter's body never comes out as live markup, whatever tricks it uses.

`render_comment` turns Markdown (with LaTeX math kept for MathJax) into HTML and `sanitize`
cleans that HTML against a strict allowlist (bleach; every test runs against nh3 as well).
These tests feed both a corpus of hostile bodies and check every output with one parser-based
checker, `assert_inert`: only allowlisted tags and attributes, only the math class, only
absolute http/https/mailto links, and every link marked as user-generated. Text that merely
*shows* markup (`&lt;script&gt;`) is fine; markup is not.
"""

import html
import re
import time
from html.parser import HTMLParser

import pytest

from comments import rendering
from comments.rendering import UnrenderableComment, render_comment, sanitize


@pytest.fixture(autouse=True, params=["bleach", "nh3"])
def sanitizer(request, monkeypatch):
    """Every test here runs against bleach (the one in use) and nh3 (the one to move to)."""
    monkeypatch.setattr(rendering, "SANITIZER", request.param)
    return request.param


ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "div"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "span": {"class"}, "div": {"class"}}
MATH_CLASS = "arithmatex"
SAFE_URL_PREFIXES = ("http:", "https:", "mailto:")
C0_AND_SPACE = "".join(map(chr, range(0x21)))
# Browsers ignore whitespace and control characters in and around a URL scheme
# (`java\tscript:` runs as `javascript:`), so the checker drops them all before looking.
INVISIBLE_IN_URL = re.compile(r"[\s\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


# ---------------------------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------------------------


class _MarkupAudit(HTMLParser):
    """Collect every way a piece of HTML is more than allowlisted, inert markup."""

    def __init__(self):
        # Character references are kept raw in text so that a bare `<` in text is visible.
        super().__init__(convert_charrefs=False)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        allowed_here = ALLOWED_ATTRIBUTES.get(tag, set())
        names = [name for name, _ in attrs]
        for name, value in attrs:
            value = value or ""
            if name not in allowed_here:
                self.problems.append(f"attribute {name}={value!r} is not allowed on <{tag}>")
            elif name == "class" and value != MATH_CLASS:
                self.problems.append(f"class {value!r} on <{tag}> is not {MATH_CLASS!r}")
            elif name == "href" and not _is_safe_url(value):
                self.problems.append(
                    f"href {value!r} is not an absolute http/https/mailto URL"
                    f" (a browser reads it as {_browser_reading(value)})"
                )
        if tag == "a":
            rel = dict(attrs).get("rel") or ""
            if not {"nofollow", "ugc"} <= set(rel.split()):
                self.problems.append(f"<a> has rel={rel!r}, lacking nofollow/ugc")
        if len(names) != len(set(names)):
            self.problems.append(f"<{tag}> repeats an attribute: {names}")

    def handle_endtag(self, tag):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}> is not allowed")

    def handle_data(self, data):
        # The serializer escapes every `<` in text; a raw one means something slipped past it.
        if "<" in data:
            self.problems.append(f"unescaped '<' in text: {data!r}")

    def handle_comment(self, data):
        self.problems.append(f"comment <!--{data}--> survived")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl}> survived")

    def unknown_decl(self, data):
        self.problems.append(f"declaration/CDATA <![{data}]> survived")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}> survived")


def _is_safe_url(value):
    # HTMLParser has already decoded the attribute once, as a browser would; decoding again
    # only makes the check stricter (double-encoded schemes count as schemes too).
    url = INVISIBLE_IN_URL.sub("", html.unescape(value)).lower()
    return url.startswith(SAFE_URL_PREFIXES)


def _browser_reading(value):
    """Say how a browser takes an href HTMLParser decoded: a scheme, or a relative URL.

    Only used to make failure messages easy to triage: `javascript:` is an attack, a relative
    URL such as `javascript&colon;x` or `//host/` is merely outside the policy.
    """
    # The URL standard drops tabs and newlines anywhere, C0 controls and spaces at the ends.
    url = re.sub(r"[\t\n\r]", "", value).strip(C0_AND_SPACE)
    scheme = re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", url)
    if scheme:
        return f"the {scheme.group(0).lower()!r} scheme"
    return "a scheme-less, relative URL"


def assert_inert(output):
    """Fail unless `output` is allowlisted, inert HTML (see the module docstring)."""
    assert "<script" not in output.lower(), f"raw <script in output: {output!r}"
    audit = _MarkupAudit()
    audit.feed(output)
    audit.close()
    assert not audit.problems, "\n".join([f"output: {output!r}", *audit.problems])


def test_checker_rejects_live_markup():
    """The checker itself must catch what it claims to catch."""
    bad_outputs = [
        "<script>alert(1)</script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        '<p style="color:red">x</p>',
        '<span class="arithmatex x">x</span>',
        '<p class="arithmatex">x</p>',
        '<a href="javascript:alert(1)" rel="nofollow ugc">x</a>',
        '<a href="&#106;ava&#x09;script&colon;alert(1)" rel="nofollow ugc">x</a>',
        '<a href=" JaVaScRiPt:alert(1)" rel="nofollow ugc">x</a>',
        '<a href="/relative" rel="nofollow ugc">x</a>',
        '<a href="http://a.com">x</a>',
        "<svg><math></math></svg>",
        "<!-- x --><![CDATA[x]]>",
    ]
    for output in bad_outputs:
        with pytest.raises(AssertionError):
            assert_inert(output)


def test_checker_accepts_escaped_markup_and_math():
    assert_inert(
        '<p>&lt;script&gt;alert(1)&lt;/script&gt; <span class="arithmatex">\\(a&lt;b\\)</span> '
        '<a href="https://a.com/?q=1&amp;r=2" title="&quot; onclick=x" rel="nofollow ugc">a</a> '
        '<a href="&#109;ailto:a@b.c" rel="nofollow ugc noopener">mail</a></p>'
    )


# ---------------------------------------------------------------------------------------------
# The hostile corpus, grouped by trick
# ---------------------------------------------------------------------------------------------

RAW_HTML_TAGS = {
    "script-tag": "<script>alert(1)</script>",
    "script-src": '<script src="http://evil.example/x.js"></script>',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "svg-script-xlink": '<svg><script xlink:href="data:,alert(1)"></script></svg>',
    "math-maction": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">'
    "x</maction></math>",
    "iframe-javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "object-data": '<object data="javascript:alert(1)"></object>',
    "embed-src": '<embed src="data:text/html,<script>alert(1)</script>">',
    "form-action": '<form action="javascript:alert(1)"><input type=submit value=go></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">go</button>',
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "textarea-onfocus": "<textarea autofocus onfocus=alert(1)>x</textarea>",
    "base-href": '<base href="http://evil.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link-import": '<link rel="import" href="http://evil.example/x.html">',
    "link-stylesheet": '<link rel=stylesheet href="http://evil.example/x.css">',
    "style-tag": "<style>body{background:url(javascript:alert(1))}</style>",
    "style-attribute": '<p style="position:fixed;top:0;left:0;width:100%">overlay</p>',
    "marquee-onstart": "<marquee onstart=alert(1)>x</marquee>",
    "details-ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "body-onload": "<body onload=alert(1)>",
    "video-source-onerror": "<video><source onerror=alert(1)></video>",
    "audio-src-onerror": "<audio src=x onerror=alert(1)></audio>",
    "a-javascript-href": '<a href="javascript:alert(1)">x</a>',
    "template-content": "<template><img src=x onerror=alert(1)></template>",
    "noscript-title-breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "frameset-onload": "<frameset onload=alert(1)>",
    "applet-code": '<applet code="Evil.class"></applet>',
}

CASE_TRICKS = {
    "mixed-case-script": "<ScRiPt>alert(1)</sCrIpT>",
    "upper-img-onerror": "<IMG SRC=x OnErRoR=alert(1)>",
    "upper-svg-onload": "<SVG ONLOAD=alert(1)>",
    "mixed-case-href": '<a HREF="JaVaScRiPt:alert(1)">x</a>',
    "mixed-case-md-link": "[x](JaVaScRiPt:alert(1))",
    "upper-md-link": "[x](JAVASCRIPT:alert(1))",
    "mixed-case-vbscript": "[x](VbScRiPt:MsgBox(1))",
}

CHARACTER_REFERENCES = {
    "decimal-ref": "[x](&#106;avascript:alert(1))",
    "hex-ref": "[x](&#x6A;avascript:alert(1))",
    "upper-hex-ref": "[x](&#X6a;&#X61;vascript:alert(1))",
    "padded-decimal-no-semicolons": "[x](&#0000106&#0000097vascript:alert(1))",
    "tab-ref-in-scheme": "[x](java&#x09;script:alert(1))",
    "named-tab-in-scheme": "[x](java&Tab;script:alert(1))",
    "named-colon": "[x](javascript&colon;alert(1))",
    "decimal-colon": "[x](javascript&#58;alert(1))",
    "named-newline-prefix": "[x](&NewLine;javascript:alert(1))",
    "html-all-refs": '<a href="&#x6A;&#x61;&#x76;&#x61;script&#x3A;alert(1)">x</a>',
    "html-named-colon": '<a href="javascript&colon;alert(1)">x</a>',
    "img-src-refs": "<img src=x o&#110;error=alert(1)>",
}

WHITESPACE_AND_CONTROLS = {
    "tab-in-scheme": "[x](java\tscript:alert(1))",
    "newline-in-scheme": "[x](java\nscript:alert(1))",
    "nul-prefix": "[x](\x00javascript:alert(1))",
    "nul-in-scheme": "[x](java\x00script:alert(1))",
    "leading-spaces": "[x](   javascript:alert(1))",
    "vertical-tab-prefix": "[x](\x0bjavascript:alert(1))",
    "form-feed-prefix": "[x](\x0cjavascript:alert(1))",
    "control-prefix-html": '<a href="\x01 javascript:alert(1)">x</a>',
    "space-before-colon-html": '<a href="javascript :alert(1)">x</a>',
    "markdown-placeholder-chars": '$x$ [t](http://a "\x02wzxhzdk:0\x03") \x02klzzwxh:0\x03',
}

NESTING_AND_UNCLOSED = {
    "script-inside-script": "<scr<script>ipt>alert(1)</script>",
    "doubled-angle": "<<script>script>alert(1)<</script>/script>",
    "tag-inside-tag": '<a href="x" <script>alert(1)</script>',
    "unterminated-img": "<img src=x onerror=alert(1)",
    "unterminated-attr-quote": '<img src="x onerror="alert(1)',
    "nested-anchors": '<a href="http://a.com"><a href="javascript:alert(1)">x</a></a>',
    "svg-style-mutation": "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "math-mglyph-mutation": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "split-by-code-span": '`<img src="` x" onerror="alert(1)">',
}

COMMENTS_AND_CDATA = {
    "empty-comment-then-script": "<!--><script>alert(1)</script>-->",
    "cdata-script": "<![CDATA[<script>alert(1)</script>]]>",
    "conditional-comment": "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "bang-closed-comment": "<!-- --!><img src=x onerror=alert(1)> -->",
    "processing-instruction": '<? x="><script>alert(1)</script>">',
    "doctype-then-script": "<!DOCTYPE html><script>alert(1)</script>",
}

MARKDOWN_LINKS = {
    "md-javascript": "[x](javascript:alert(1))",
    "md-leading-space": "[x]( javascript:alert(1))",
    "md-angle-destination": "[x](<javascript:alert(1)>)",
    "md-data-html": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-vbscript": "[x](vbscript:MsgBox(1))",
    "md-reference": "[x][1]\n\n[1]: javascript:alert(1)",
    "md-reference-angle": "[x][evil]\n\n[evil]: <javascript:alert(1)> 'title'",
    "md-title-quote-breakout": '[x](http://a "\\" onmouseover=alert(1) x=\\"")',
    "md-title-single-quotes": "[x](http://a 'a\\' onmouseover=alert(1) x=\\'')",
    "md-reference-title-breakout": '[x][r]\n\n[r]: http://a "\\" onclick=\\"alert(1)"',
    "md-href-quote-breakout": '[a](http://x.com/"><script>alert(1)</script>)',
    "md-link-text-html": "[<img src=x onerror=alert(1)>](http://a.com)",
    "md-nested-links": "[[x](javascript:alert(1))](http://a.com)",
    "md-link-then-script": "[x](http://a.com)<script>alert(1)</script>",
    "md-backslash-scheme": "[x](java\\script:alert(1))",
}

IMAGES = {
    "img-javascript": "![x](javascript:alert(1))",
    "img-alt-breakout": '![x" onerror="alert(1)](http://a)',
    "img-src-breakout": '![x](http://a/x.png" onerror="alert(1))',
    "img-title-breakout": '![x](http://a/x.png "t\\" onerror=\\"alert(1)")',
    "img-reference": "![x][img]\n\n[img]: javascript:alert(1)",
    "img-data-svg": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "img-inside-js-link": "[![x](http://a/i.png)](javascript:alert(1))",
}

AUTOLINKS = {
    "autolink-javascript": "<javascript:alert(1)>",
    "autolink-upper-javascript": "<JAVASCRIPT:alert(1)>",
    "autolink-quote-breakout": '<http://a.com/" onclick="x>',
    "autolink-data": "<data:text/html,alert(1)>",
    "autolink-email-breakout": '<a"onclick="alert(1)@b.c>',
}

BARE_URLS = {
    "bare-url-then-script": 'http://a.com/"><script>alert(1)</script>',
    "bare-www-with-img": "www.a.com/?q=<img src=x onerror=alert(1)>",
    "bare-url-quote-breakout": 'https://a.com/#"onmouseover="alert(1)',
    "bare-javascript-text": "javascript:alert(1)//http://a.com",
    "bare-data-url": "data:text/html,<script>alert(1)</script>",
}

MATH = {
    "math-href-javascript": "$\\href{javascript:alert(1)}{x}$",
    "math-closing-span": "$</span><script>alert(1)</script>$",
    "display-math-img": "$$<img src=x onerror=alert(1)>$$",
    "round-math-svg": "\\(<svg onload=alert(1)>\\)",
    "square-math-iframe": "\\[</div><iframe src=javascript:alert(1)>\\]",
    "block-math-href": "$$\n\\href{javascript:alert(1)}{x}\n$$",
    "script-between-math": "$x$<script>alert(1)</script>$y$",
    "math-class-quote-breakout": '$\\class{x" onclick="alert(1)}{y}$',
    "math-markdown-link": "$[x](javascript:alert(1))$",
    "math-after-closing": "$a$</span><script>",
}

CODE = {
    "code-span-quotes": '`" onmouseover="alert(1)`',
    "code-span-script": "`<script>alert(1)</script>`",
    "fence-script": "```\n<script>alert(1)</script>\n```",
    "fence-info-breakout": '```"><script>alert(1)</script>\nx\n```',
    "fence-attr-list": '~~~ {.python onclick="alert(1)" style="color:red"}\nx\n~~~',
    "fence-html-iframe": '```html\n<iframe src="javascript:alert(1)"></iframe>\n```',
    "indented-code-img": "    <img src=x onerror=alert(1)>",
}

CLASS_SMUGGLING = {
    "span-extra-class": '<span class="arithmatex x">a</span>',
    "div-class-onclick": '<div class="arithmatex" onclick="alert(1)">b</div>',
    "span-class-style": '<span class=arithmatex style="position:fixed">c</span>',
    "anchor-math-class": '<a class="arithmatex" href="javascript:alert(1)">d</a>',
    "upper-case-class": '<span class="ARITHMATEX">e</span>',
    "padded-class": '<span class=" arithmatex">f</span>',
    "attr-list-syntax": 'g\n{: .arithmatex onclick="alert(1)" }',
}

# Classes covered by DOMPurify's and bleach's public test suites that the groups above do not
# already hold, written afresh: namespace confusion and parser mutations, attributes that
# load or run something, URL schemes hidden by encodings, and DOM clobbering.
MUTATION_AND_NAMESPACES = {
    "svg-foreignobject-breakout": "<svg><foreignObject><p><img src=x onerror=alert(1)></p>"
    "</foreignObject></svg>",
    "math-mtext-form": "<math><mtext><form><mglyph><svg><mtext><textarea><path id=</textarea>"
    "<img onerror=alert(1) src=1>",
    "svg-desc-style": '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "table-form-reparent": "<table><form><input onfocus=alert(1) autofocus></form></table>",
    "select-template-escape": "<select><template><img src=x onerror=alert(1)></template></select>",
    "noembed-breakout": '<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>',
    "xmp-breakout": '<xmp><img title="</xmp><img src=x onerror=alert(1)>"></xmp>',
    "plaintext-tag": "<plaintext><img src=x onerror=alert(1)>",
    "listing-breakout": '<listing><img title="</listing><img src=x onerror=alert(1)>">',
    "svg-animate-href": '<svg><a><animate attributeName="href" values="javascript:alert(1)"/>'
    "<text y=20>x</text></a></svg>",
    "svg-set-onbegin": "<svg><set attributeName=x onbegin=alert(1) /></svg>",
    "svg-use-data": '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    "math-href-attribute": '<math href="javascript:alert(1)">x</math>',
}

LOADING_ATTRIBUTES = {
    "img-srcset": '<img srcset="x 1x, javascript:alert(1) 2x">',
    "picture-source-srcset": '<picture><source srcset="javascript:alert(1)"><img src=x></picture>',
    "input-image-src": '<input type="image" src="javascript:alert(1)">',
    "body-background": '<table background="javascript:alert(1)"><td>x</td></table>',
    "a-ping": '<a href="https://a.com" ping="https://evil.example/track">x</a>',
    "a-download": '<a href="https://a.com" download="evil.exe">x</a>',
    "a-target-blank": '<a href="https://a.com" target="_blank">x</a>',
    "form-in-link-formaction": '<a href="https://a.com"><button formaction="javascript:alert(1)">'
    "x</button></a>",
    "isindex-action": '<isindex action="javascript:alert(1)" type=image>',
    "object-param": '<object><param name="src" value="javascript:alert(1)"></object>',
    "style-expression": '<p style="width: expression(alert(1))">x</p>',
    "style-url-import": "<p style=\"background:url('javascript:alert(1)')\">x</p>",
    "style-escaped-url": '<p style="background:u\\72l(javascript:alert(1))">x</p>',
}

HIDDEN_SCHEMES = {
    "percent-encoded-scheme": "[x](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    "entity-no-semicolon-html": '<a href="&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58'
    'alert(1)">x</a>',
    "unicode-escape-scheme": "[x](\\u006Aavascript:alert(1))",
    "fullwidth-colon": "[x](javascript\uff1aalert(1))",
    "zero-width-in-scheme": "[x](java\u200bscript:alert(1))",
    "data-text-html-md": "[x](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)",
    "data-upper-html": '<a href="DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "blob-scheme": "[x](blob:https://a.com/1234)",
    "file-scheme": "[x](file:///etc/passwd)",
    "livescript-scheme": "[x](livescript:alert(1))",
    "mhtml-scheme": "[x](mhtml:http://a.com/x.mht!xss)",
    "scheme-after-slash-slash": "[x](//javascript:alert(1))",
    "md-angle-newline": "[x](<java\nscript:alert(1)>)",
}

CLOBBERING_AND_IDS = {
    "form-name-clobber": '<form name="getElementById"></form>',
    "img-name-cookie": '<img name="cookie" src=x>',
    "a-id-clobber": '<a id="blogMath" href="https://a.com">x</a>',
    "a-name-clobber": '<a name="respond" href="https://a.com">x</a>',
    "md-heading-id": "# Heading {#respond}",
    "input-name-attributes": '<input name="attributes"><input name="attributes">',
    "object-id-clobber": '<object id="location" data="https://a.com"></object>',
}

CORPUS_GROUPS = {
    "raw-html": RAW_HTML_TAGS,
    "case": CASE_TRICKS,
    "charref": CHARACTER_REFERENCES,
    "whitespace": WHITESPACE_AND_CONTROLS,
    "nesting": NESTING_AND_UNCLOSED,
    "comment": COMMENTS_AND_CDATA,
    "md-link": MARKDOWN_LINKS,
    "image": IMAGES,
    "autolink": AUTOLINKS,
    "bare-url": BARE_URLS,
    "math": MATH,
    "code": CODE,
    "class": CLASS_SMUGGLING,
    "mutation": MUTATION_AND_NAMESPACES,
    "loading": LOADING_ATTRIBUTES,
    "scheme": HIDDEN_SCHEMES,
    "clobbering": CLOBBERING_AND_IDS,
}
CORPUS = [
    pytest.param(payload, id=f"{group}:{name}")
    for group, payloads in CORPUS_GROUPS.items()
    for name, payload in payloads.items()
]


def test_corpus_is_large_and_distinct():
    payloads = [param.values[0] for param in CORPUS]
    assert len(payloads) >= 60
    assert len(set(payloads)) == len(payloads)


@pytest.mark.parametrize("payload", CORPUS)
def test_rendered_comment_is_inert(payload):
    assert_inert(render_comment(payload))


@pytest.mark.parametrize("payload", CORPUS)
def test_sanitizer_alone_is_inert(payload):
    """Even if Markdown ever let raw HTML through, the bleach step must hold on its own."""
    assert_inert(sanitize(payload))


@pytest.mark.parametrize(
    "source",
    [
        "[x](//evil.example/login)",
        "[x](/accounts/logout/)",
        "[x](#top)",
        '<a href="//evil.example/">x</a>',
    ],
    ids=["protocol-relative", "site-path", "fragment", "html-protocol-relative"],
)
def test_links_without_an_allowed_scheme_are_not_kept(source):
    """Policy: a comment links only to absolute http/https/mailto URLs, never relative ones."""
    assert_inert(render_comment(source))
    assert_inert(sanitize(source))


def test_math_keeps_tex_as_text_but_no_live_link():
    output = render_comment("$\\href{javascript:alert(1)}{x}$")
    assert '<span class="arithmatex">' in output
    assert "\\href{javascript:alert(1)}{x}" in output
    assert "<a" not in output


def test_closing_span_inside_math_stays_text():
    output = render_comment("$</span><script>alert(1)</script>$")
    assert output.count("</span>") == 1
    assert "&lt;/span&gt;&lt;script&gt;" in output


# ---------------------------------------------------------------------------------------------
# What commenters legitimately write still comes through
# ---------------------------------------------------------------------------------------------


def test_emphasis_and_strong():
    output = render_comment("*slanted* and **bold**")
    assert_inert(output)
    assert "<em>slanted</em>" in output
    assert "<strong>bold</strong>" in output


def test_inline_and_fenced_code():
    output = render_comment("use `x < y`\n\n```\nif a && b:\n    pass\n```")
    assert_inert(output)
    assert "<code>x &lt; y</code>" in output
    assert "<pre>" in output
    assert "a &amp;&amp; b" in output


def test_lists():
    output = render_comment("- one\n- two\n\n1. first\n2. second")
    assert_inert(output)
    assert "<ul>" in output and "<li>one</li>" in output
    assert "<ol>" in output and "<li>second</li>" in output


def test_blockquote():
    output = render_comment("> quoted words")
    assert_inert(output)
    assert "<blockquote>" in output
    assert "quoted words" in output


@pytest.mark.parametrize(
    "source, href",
    [
        ("[paper](https://arxiv.org/abs/1234.5678)", "https://arxiv.org/abs/1234.5678"),
        ("[site](http://example.com/a?b=1)", "http://example.com/a?b=1"),
        ("see https://example.com/x for more", "https://example.com/x"),
    ],
    ids=["markdown-https", "markdown-http", "bare-https"],
)
def test_web_links_are_kept_and_marked_user_generated(source, href):
    output = render_comment(source)
    assert_inert(output)
    assert f'href="{href}"' in output
    rel = re.search(r'rel="([^"]*)"', output).group(1).split()
    assert {"nofollow", "ugc"} <= set(rel)


def test_mailto_link_is_kept():
    output = render_comment("[write me](mailto:someone@example.com)")
    assert_inert(output)
    assert 'href="mailto:someone@example.com"' in output


def test_inline_math_is_untouched_by_emphasis():
    output = render_comment("$x_1 * y_2$")
    assert_inert(output)
    assert '<span class="arithmatex">\\(x_1 * y_2\\)</span>' in output
    assert "<em>" not in output


def test_display_math_is_a_math_div():
    output = render_comment("$$\n\\sum_{i=1}^n a_i < b\n$$")
    assert_inert(output)
    assert '<div class="arithmatex">\\[\n\\sum_{i=1}^n a_i &lt; b\n\\]</div>' in output


def test_raw_html_is_shown_as_text():
    output = render_comment("<b>hi</b>")
    assert_inert(output)
    assert "&lt;b&gt;hi&lt;/b&gt;" in output
    assert "<b>" not in output


# ---------------------------------------------------------------------------------------------
# Pathological bodies render or are refused, quickly (a denial-of-service guard)
# ---------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "open-brackets": "[" * 10_000,
    "image-openers": "![" * 5_000,
    "list-markers": "1. " * 3_333,
    "quote-markers": ">" * 10_000,
    "math-openers": "\\(" * 5_000,
    "backticks": "`a" * 5_000,
    "angle-brackets": "<" * 10_000,
    "links-then-parentheses": "[a](" * 300 + "(" * 8_800,
}


@pytest.mark.parametrize("source", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_pathological_body_renders_or_is_refused_quickly(source):
    started = time.perf_counter()
    try:
        output = render_comment(source)
    except UnrenderableComment:
        output = None
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"took {elapsed:.2f} s"
    if output is not None:
        assert_inert(output)
