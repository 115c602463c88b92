"""A standalone page with its comments (comments/ fills those in through its template tag)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView

from core.pagecache import cached_page

from .models import Page


class PageDetailView(DetailView):
    """A published page; staff may also preview drafts (their page is never shared)."""

    context_object_name = "page"
    template_name = "pages/page_detail.html"

    def get_queryset(self):
        pages = Page.objects.select_related("author")
        return pages if self.request.user.is_staff else pages.published()

    def get(self, request, *args, **kwargs):
        if kwargs.get("page") == 1:
            return redirect("pages:page", slug=kwargs["slug"], permanent=True)
        if kwargs.get("page", 1) < 1:
            raise Http404
        build = super().get
        return cached_page(request, lambda: build(request, *args, **kwargs))

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(comment_page_number=self.kwargs.get("page", 1), **kwargs)
