from django.urls import path

from . import views

app_name = "pages"

page = views.PageDetailView.as_view()

# Typecho's form of a page's address, so imported links keep working.
urlpatterns = [
    path("<str:slug>.html", page, name="page"),
    path("<str:slug>.html/comment-page-<int:page>", page, name="comment_page"),
]
