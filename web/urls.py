from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import LoginForm
from web.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True, extra_context={"title": "Connexion"}
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("connexion/second-facteur/", include("accounts.urls")),
    path("", include("web.urls_casework")),
    path("", include("web.urls_queues")),
    path("bilans/", include("reports.urls")),
    path("echange/", include("web.urls_exchange")),
]
