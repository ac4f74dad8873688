from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.second_factor, name="second_factor"),
    path("activer/", views.second_factor_enrol, name="second_factor_enrol"),
]
