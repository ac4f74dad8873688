"""The OpenAPI schema and its documentation page (Swagger UI), both served from this site's own files.

drf-spectacular's split Swagger view loads its initialisation script by URL instead of inline, so the
page holds under the site's strict Content-Security-Policy as it is (script-src 'self', style-src
'self'); our template drops the one inline <style> of drf-spectacular's (its rules are in
api/static/api/swagger.css). docs/api.md says why no relaxed policy is needed."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.throttling import AnonymousRateThrottle


class SchemaView(SpectacularAPIView):
    authentication_classes = []
    throttle_classes = [AnonymousRateThrottle]


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = []
    throttle_classes = [AnonymousRateThrottle]
    template_name = "api/swagger_ui.html"
    title = "API Parcours — documentation"
