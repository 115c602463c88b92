"""A WordPress export of our own writing, exercising what an importer must carry over."""

from xml.sax.saxutils import escape

MATH_BODY = r"""<!-- wp:paragraph -->
<p>由欧拉公式 $e^{i\pi} + 1 = 0$ 与 \(a &lt; b\) 出发。</p>
<!-- /wp:paragraph -->

<!-- wp:paragraph -->
<p>$$\int_0^1 x^2\,dx = \frac{1}{3}$$</p>
<!-- /wp:paragraph -->

<!-- wp:paragraph -->
<p>\begin{equation}f(x) = \sum_{n} a_n x^n \label{eq:series}\end{equation}</p>
<!-- /wp:paragraph -->

<!-- wp:paragraph -->
<p>由式$\eqref{eq:series}$可知，再看 \[E = mc^2\]。</p>
<!-- /wp:paragraph -->

<!-- wp:more -->
<!--more-->
<!-- /wp:more -->

<!-- wp:image {"id":901} -->
<figure class="wp-block-image"><img src="https://old.example.org/wp-content/uploads/2020/01/curve.png" alt="曲线"/><figcaption>函数的图像</figcaption></figure>
<!-- /wp:image -->"""

CLASSIC_BODY = """经典编辑器写的文章，段落之间空一行。
同一段的第二行。

[caption id="attachment_902" align="aligncenter" width="300"]<a href="https://old.example.org/wp-content/uploads/2020/02/ball.jpg"><img src="https://old.example.org/wp-content/uploads/2020/02/ball-300x200.jpg" alt="小球" width="300" height="200" /></a> 下落的小球[/caption]

[code language="python"]
def fall(t):
    return 0.5 * 9.8 * t ** 2 &lt; 100
[/code]

[latex]\\frac{d^2x}{dt^2} = g[/latex] 以及 $latex v = gt$。

[gallery ids="902,903"]

[unknown_widget size="big"]

<script>alert("x")</script><p onmouseover="steal()">悬停</p>
<iframe src="https://video.example.com/embed/1"></iframe>"""

COMMENTS = [
    # id, parent, author, email, status, type, user_id, date_gmt, content
    (
        11,
        0,
        "张三",
        "zhang@example.com",
        "1",
        "",
        0,
        "2020-03-02 08:00:00",
        "好文！$x^2$ 写得清楚。",
    ),
    (
        12,
        11,
        "作者",
        "author@old.example.org",
        "1",
        "",
        1,
        "2020-03-02 09:00:00",
        "谢谢 <strong>支持</strong>。",
    ),
    (
        13,
        12,
        "李四",
        "li@example.com",
        "1",
        "",
        0,
        "2020-03-02 10:00:00",
        "第三层的回复。\n第二行。",
    ),
    (14, 0, "王五", "wang@example.com", "0", "", 0, "2020-03-03 08:00:00", "待审核的评论"),
    (15, 0, "spammer", "spam@example.com", "spam", "", 0, "2020-03-04 08:00:00", "cheap pills"),
    (16, 0, "removed", "trash@example.com", "trash", "", 0, "2020-03-05 08:00:00", "回收站"),
    (17, 0, "Other Blog", "", "1", "pingback", 0, "2020-03-06 08:00:00", "[...] linked [...]"),
    (
        18,
        11,
        "赵六",
        "zhao@example.com",
        "1",
        "",
        0,
        "2020-03-02 11:00:00",
        '<a href="javascript:alert(1)">点我</a> <script>x()</script>',
    ),
]


def _cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _comment(comment):
    cid, parent, author, email, status, kind, user, date, content = comment
    return f"""
    <wp:comment>
      <wp:comment_id>{cid}</wp:comment_id>
      <wp:comment_author>{_cdata(author)}</wp:comment_author>
      <wp:comment_author_email>{escape(email)}</wp:comment_author_email>
      <wp:comment_author_url>https://{cid}.example.com/</wp:comment_author_url>
      <wp:comment_author_IP>203.0.113.{cid}</wp:comment_author_IP>
      <wp:comment_date>{date}</wp:comment_date>
      <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
      <wp:comment_content>{_cdata(content)}</wp:comment_content>
      <wp:comment_approved>{status}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>{user}</wp:comment_user_id>
    </wp:comment>"""


def item(
    post_id,
    title,
    body,
    *,
    slug,
    status="publish",
    date="2020-03-01 12:00:00",
    kind="post",
    categories=("math",),
    tags=(),
    comments=(),
    sticky=False,
    comment_status="open",
    password="",
    metas=(),
    parent=0,
    attachment_url="",
):
    terms = "".join(
        f'<category domain="category" nicename="{c}">{_cdata(c.title())}</category>'
        for c in categories
    ) + "".join(f'<category domain="post_tag" nicename="{t}">{_cdata(t)}</category>' for t in tags)
    meta = "".join(
        f"<wp:postmeta><wp:meta_key>{k}</wp:meta_key><wp:meta_value>{_cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in metas
    )
    gmt = "0000-00-00 00:00:00" if status == "draft" else date
    year, month, day = date[:4], date[5:7], date[8:10]
    return f"""
  <item>
    <title>{escape(title)}</title>
    <link>https://old.example.org/{year}/{month}/{day}/{slug}/</link>
    <pubDate>Sun, 01 Mar 2020 12:00:00 +0000</pubDate>
    <dc:creator>{_cdata("lin")}</dc:creator>
    <guid isPermaLink="false">https://old.example.org/?p={post_id}</guid>
    <content:encoded>{_cdata(body)}</content:encoded>
    <excerpt:encoded>{_cdata("")}</excerpt:encoded>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_date_gmt>{gmt}</wp:post_date_gmt>
    <wp:post_modified>{date}</wp:post_modified>
    <wp:post_modified_gmt>{gmt}</wp:post_modified_gmt>
    <wp:comment_status>{comment_status}</wp:comment_status>
    <wp:post_name>{slug}</wp:post_name>
    <wp:status>{status}</wp:status>
    <wp:post_parent>{parent}</wp:post_parent>
    <wp:post_type>{kind}</wp:post_type>
    <wp:post_password>{password}</wp:post_password>
    <wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>
    {f"<wp:attachment_url>{attachment_url}</wp:attachment_url>" if attachment_url else ""}
    {terms}{meta}{"".join(_comment(c) for c in comments)}
  </item>"""


def export(*items, extra_channel=""):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>旧博客</title>
  <link>https://old.example.org</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://old.example.org</wp:base_site_url>
  <wp:base_blog_url>https://old.example.org</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login>{_cdata("lin")}</wp:author_login>
    <wp:author_email>author@old.example.org</wp:author_email>
    <wp:author_display_name>{_cdata("林一")}</wp:author_display_name></wp:author>
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>math</wp:category_nicename>
    <wp:category_parent></wp:category_parent><wp:cat_name>{_cdata("数学")}</wp:cat_name></wp:category>
  <wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>physics</wp:category_nicename>
    <wp:category_parent>math</wp:category_parent><wp:cat_name>{_cdata("物理")}</wp:cat_name></wp:category>
  <wp:tag><wp:term_id>5</wp:term_id><wp:tag_slug>%e5%88%86%e6%9e%90</wp:tag_slug><wp:tag_name>{_cdata("分析")}</wp:tag_name></wp:tag>
  {extra_channel}
  {"".join(items)}
</channel>
</rss>
"""


def site():
    """The whole export: posts of every kind, attachments, a page, a menu item."""
    return export(
        item(
            101,
            "欧拉公式与级数",
            MATH_BODY,
            slug="euler",
            tags=("%e5%88%86%e6%9e%90",),
            categories=("math", "physics"),
            comments=COMMENTS,
            sticky=True,
            metas=(("views", "1234"), ("_wp_old_slug", "euler-old")),
        ),
        item(
            102,
            "经典编辑器的文章",
            CLASSIC_BODY,
            slug="classic",
            date="2020-02-01 08:30:00",
            metas=(("post_views_count", "56"),),
            comment_status="closed",
        ),
        item(103, "私密的想法", "<p>只给自己看</p>", slug="private", status="private"),
        item(104, "有密码的文章", "<p>密码保护</p>", slug="secret", password="enter"),
        item(105, "还没写完", "<p>草稿</p>", slug="", status="draft"),
        item(
            106,
            "定时发布",
            "<p>未来</p>",
            slug="future",
            status="future",
            date="2099-01-01 00:00:00",
        ),
        item(107, "回收站", "<p>x</p>", slug="trashed", status="trash"),
        item(
            902,
            "ball.jpg",
            "",
            slug="ball",
            kind="attachment",
            status="inherit",
            parent=102,
            attachment_url="https://old.example.org/wp-content/uploads/2020/02/ball.jpg",
        ),
        item(
            903,
            "curve.png",
            "",
            slug="curve",
            kind="attachment",
            status="inherit",
            parent=102,
            attachment_url="https://old.example.org/wp-content/uploads/2020/01/curve.png",
        ),
        item(201, "关于", "<p>关于本站</p>", slug="about", kind="page"),
        item(301, "菜单", "", slug="menu-1", kind="nav_menu_item"),
    )
