from django.urls import path

from web.views import exchange

app_name = "exchange"

urlpatterns = [
    path("", exchange.job_list, name="job_list"),
    path("importer/", exchange.upload, name="upload"),
    path("imports/<int:pk>/", exchange.job_detail, name="job_detail"),
    path("imports/<int:pk>/etat/", exchange.job_status, name="job_status"),
    path("imports/<int:pk>/erreurs.csv", exchange.job_errors_csv, name="job_errors_csv"),
    path("exporter/", exchange.export, name="export"),
]
