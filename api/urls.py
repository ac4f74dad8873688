"""/api/v1/: the REST API (docs/api.md). A change that breaks clients gets /api/v2/ beside this one."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api.views import casework, docs, reports

app_name = "api"

router = SimpleRouter()
router.register("menages", casework.HouseholdViewSet, basename="household")
router.register("parcours", casework.PathwayViewSet, basename="pathway")
router.register("bilans", reports.BilanRunViewSet, basename="bilan")
router.register("imports", reports.ImportJobViewSet, basename="import")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/schema/", docs.SchemaView.as_view(), name="schema"),
    path("v1/docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
]
