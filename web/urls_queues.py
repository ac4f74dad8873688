from django.urls import path

from web.queues import export_views, views

app_name = "queues"

urlpatterns = [
    path("coordination/", views.overview, name="overview"),
    path("coordination/files/", views.queue, name="list"),
    path("coordination/files/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("coordination/files/export.csv", views.export_csv, name="export_csv"),
    path("coordination/exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("coordination/exports/<int:pk>/telecharger/", export_views.export_download, name="export_download"),
    path("coordination/bloques/", views.stalled, name="stalled"),
    path("coordination/suivi-loges/", views.housed, name="housed"),
    path("coordination/parcours/<int:pk>/orienter/", views.orient, name="orient"),
    path("coordination/parcours/<int:pk>/transferer/", views.assign, name="assign"),
    path("coordination/parcours/<int:pk>/partager/", views.share, name="share"),
    path("coordination/referents/", views.caseworker_choices, name="caseworker_choices"),
    path("coordination/transfert-groupe/", views.bulk_assign, name="bulk_assign"),
    path("coordination/orientation-groupe/", views.bulk_orient, name="bulk_orient"),
    path("coordination/affectation-groupe/", views.bulk_caseworker, name="bulk_caseworker"),
    path("coordination/relance-groupe/", views.bulk_remind, name="bulk_remind"),
]
