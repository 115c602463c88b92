"""Fill an empty site with demo content: an author account, categories, tags, posts and pages."""

import random
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from blog import demo
from blog.models import Post
from comments.services import post_comment
from pages import demo as pages_demo
from pages.models import Page


class Command(BaseCommand):
    help = "为空站点添加示例内容：作者账号、分类、标签和几篇文章。站点已有文章时什么也不做。"

    def handle(self, *args, **options):
        if Post.objects.exists():
            self.stdout.write("站点已有文章，不添加示例内容。")
            return
        password = settings.DEMO_ADMIN_PASSWORD or secrets.token_urlsafe(9)
        with transaction.atomic():
            author = self.create_author(password)
            posts = self.create_posts(author)
            pages = self.create_pages(author)

        public = sum(post.is_public for post in posts)
        drafts = sum(post.status == Post.Status.DRAFT for post in posts)
        scheduled = len(posts) - public - drafts
        self.stdout.write(
            self.style.SUCCESS(
                f"已添加 {len(posts)} 篇示例文章：{public} 篇已发布，"
                f"{drafts} 篇草稿，{scheduled} 篇定时发布；{len(pages)} 个页面。"
            )
        )
        admin_url = settings.SITE_URL + reverse("admin:index")
        self.stdout.write(
            f"管理后台: {admin_url}  用户名: {author.get_username()}  密码: {password}"
        )

    def create_author(self, password):
        """Create the demo author, or take over an existing one, as a superuser."""
        User = get_user_model()
        author, created = User.objects.get_or_create(
            username=demo.AUTHOR_USERNAME, defaults={"first_name": demo.AUTHOR_NAME}
        )
        if not created:
            self.stdout.write(f"用户 {author.get_username()} 已存在，重设其密码。")
            author.first_name = author.first_name or demo.AUTHOR_NAME
        author.is_staff = True
        author.is_superuser = True
        author.set_password(password)
        author.save()
        return author

    def create_posts(self, author):
        """Create the posts of blog/demo/, their views counted as if read for a while."""
        categories, tags = demo.ensure_taxonomy()
        posts = []
        for demo_post in demo.load_posts():
            post = Post.objects.create(
                title=demo_post.title,
                author=author,
                category=categories[demo_post.category],
                status=demo_post.status,
                published_at=demo_post.published_at,
                body=demo_post.body,
            )
            post.tags.set([tags[slug] for slug in demo_post.tags])
            if post.is_public:
                # Seeded by the file name, so every fresh site shows the same counts.
                post.views = random.Random(demo_post.name).randint(1000, 60000)
                Post.objects.filter(pk=post.pk).update(views=post.views)
            posts.append(post)
        return posts

    def create_pages(self, author):
        """Create the About page and the guestbook of pages/demo/, with a first message."""
        pages = []
        for demo_page in pages_demo.PAGES:
            if Page.objects.filter(slug=demo_page.slug).exists():
                continue
            pages.append(
                Page.objects.create(
                    title=demo_page.title,
                    slug=demo_page.slug,
                    author=author,
                    body=demo_page.body,
                    status=Page.Status.PUBLISHED,
                    order=demo_page.order,
                    in_navigation=True,
                    comments_open=demo_page.comments_open,
                )
            )
        guestbook = next((page for page in pages if page.comments_open), None)
        if guestbook is not None:
            post_comment(
                target=guestbook,
                parent=None,
                author_name=author.get_full_name() or author.get_username(),
                author_email=author.email or settings.DEFAULT_FROM_EMAIL,
                body=pages_demo.GUESTBOOK_WELCOME,
                ip_address=None,
                user=author,
            )
        return pages
