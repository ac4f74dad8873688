from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:code>/", views.files, name="files"),
]
