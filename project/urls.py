from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Parcours — administration"
admin.site.site_title = "Parcours"
admin.site.index_title = "Données de référence"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("web.urls")),
]
