from django.urls import path

from . import feeds, views
from .caching import version_cached

app_name = "blog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("page/<int:page>/", views.HomeView.as_view(), name="home_page"),
    path("archives/<int:pk>", views.PostDetailView.as_view(), name="post_detail"),
    path("archives/<int:pk>/", views.post_detail_slash_redirect),
    path(
        "archives/<int:pk>/comment-page-<int:page>",
        views.PostDetailView.as_view(),
        name="post_comment_page",
    ),
    path("category/<str:slug>/", views.CategoryView.as_view(), name="category"),
    path("category/<str:slug>/<int:page>/", views.CategoryView.as_view(), name="category_page"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("tag/<str:slug>/<int:page>/", views.TagView.as_view(), name="tag_page"),
    path("<int:year>/<int:month>/", views.MonthView.as_view(), name="month"),
    path("<int:year>/<int:month>/<int:page>/", views.MonthView.as_view(), name="month_page"),
    path("search/", views.SearchView.as_view(), name="search_form"),
    path("search/<str:keywords>/", views.SearchView.as_view(), name="search"),
    path("search/<str:keywords>/<int:page>/", views.SearchView.as_view(), name="search_page"),
    path("content.html", views.ContentView.as_view(), name="content"),
    path("feed/", version_cached(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", version_cached(feeds.LatestPostsAtomFeed()), name="feed_atom"),
]
