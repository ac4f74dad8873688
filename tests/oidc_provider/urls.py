"""The test URL conf: the product, and the provider under /fournisseur/ (for the tests that set
ROOT_URLCONF to this module; never part of the product's URL conf)."""

from django.urls import include, path, re_path
from oauth2_provider import views as oauth2_views

from tests.oidc_provider import views

provider_patterns = [
    path("connexion/", views.provider_login, name="login"),
    path("authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("userinfo/", oauth2_views.UserInfoView.as_view(), name="user-info"),
    path(".well-known/jwks.json", oauth2_views.JwksInfoView.as_view(), name="jwks-info"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        oauth2_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path("logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]

urlpatterns = [
    path("fournisseur/", include((provider_patterns, "oauth2_provider"))),
    path("", include("project.urls")),
]
