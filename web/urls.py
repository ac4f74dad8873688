from django.urls import include, path

from accounts.views import oidc as oidc_views
from web.views import home

urlpatterns = [
    path("", home.home, name="home"),
    # Django's sign-in and sign-out, with ProConnect beside the password (accounts/views/oidc.py).
    path("connexion/", oidc_views.LoginView.as_view(), name="login"),
    path("deconnexion/", oidc_views.LogoutView.as_view(), name="logout"),
    path("connexion/proconnect/", include("accounts.urls_oidc")),
    path("connexion/second-facteur/", include("accounts.urls")),
    path("compte/", include("accounts.urls_account")),
    path("compte/jetons-api/", include("api.urls_tokens")),
    path("", include("web.urls_casework")),
    path("", include("web.urls_queues")),
    path("bilans/", include("reports.urls")),
    path("echange/", include("web.urls_exchange")),
    path("", include("web.urls_legal")),
    path("places/", include("places.urls")),
    path("a-traiter/", include("notifications.urls")),
    path("qualite/", include("quality.urls")),
    path("pilotage/", include("steering.urls")),
]
