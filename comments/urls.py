from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("archives/<int:pk>/comment", views.post_comment, name="post"),
    path("comments/page/<int:pk>/", views.post_comment_on_page, name="post_on_page"),
    path("comments/preview/", views.preview, name="preview"),
    path("comments/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comments/avatar/<str:digest>.svg", views.identicon, name="identicon"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("comments/confirm/<str:token>/", views.confirm_subscription, name="confirm_subscription"),
    path("comments/moderate/<str:token>/", views.moderate_by_link, name="moderate_by_link"),
]
