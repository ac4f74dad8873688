from django.urls import path

from reports.views import records, runs, targets

app_name = "reports"

urlpatterns = [
    path("", runs.run_list, name="run_list"),
    path("demander/", runs.run_request, name="run_request"),
    path("cibles/", targets.targets, name="targets"),
    path("<int:pk>/", runs.run_detail, name="run_detail"),
    path("<int:pk>/etat/", runs.run_status, name="run_status"),
    path("<int:pk>/publier/", runs.run_publish, name="run_publish"),
    path("<int:pk>/chiffres/<int:figure_pk>/", records.figure_records, name="figure_records"),
    path("<int:pk>/bilan.<str:fmt>", runs.run_export, name="run_export"),
]
