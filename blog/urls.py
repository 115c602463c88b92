from django.urls import path

from core.pagecache import cached_view

from . import feeds, views

app_name = "blog"

# Pages wrapped in cached_view are the same for every visitor without state of their own;
# the post page caches itself (core/pagecache.py), its reader count filled in per request.
home = cached_view(views.HomeView.as_view())
category = cached_view(views.CategoryView.as_view())
tag = cached_view(views.TagView.as_view())
month = cached_view(views.MonthView.as_view())
search = cached_view(views.SearchView.as_view())
post_detail = views.PostDetailView.as_view()

urlpatterns = [
    path("", home, name="home"),
    path("page/<int:page>/", home, name="home_page"),
    path("archives/<int:pk>", post_detail, name="post_detail"),
    path("archives/<int:pk>/", views.post_detail_slash_redirect),
    path("archives/<int:pk>/comment-page-<int:page>", post_detail, name="post_comment_page"),
    path("category/<str:slug>/", category, name="category"),
    path("category/<str:slug>/<int:page>/", category, name="category_page"),
    path("tag/<str:slug>/", tag, name="tag"),
    path("tag/<str:slug>/<int:page>/", tag, name="tag_page"),
    path("<int:year>/<int:month>/", month, name="month"),
    path("<int:year>/<int:month>/<int:page>/", month, name="month_page"),
    path("search/", search, name="search_form"),
    path("search/<str:keywords>/", search, name="search"),
    path("search/<str:keywords>/<int:page>/", search, name="search_page"),
    path("content.html", cached_view(views.ContentView.as_view()), name="content"),
    path("feed/", cached_view(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", cached_view(feeds.LatestPostsAtomFeed()), name="feed_atom"),
]
