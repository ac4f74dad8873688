from django.urls import path

from web.queues import views

app_name = "queues"

urlpatterns = [
    path("coordination/", views.overview, name="overview"),
    path("coordination/files/", views.queue, name="list"),
    path("coordination/files/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("coordination/files/export.csv", views.export_csv, name="export_csv"),
    path("coordination/bloques/", views.stalled, name="stalled"),
    path("coordination/parcours/<int:pk>/orienter/", views.orient, name="orient"),
    path("coordination/parcours/<int:pk>/transferer/", views.assign, name="assign"),
    path("coordination/parcours/<int:pk>/partager/", views.share, name="share"),
    path("coordination/transfert-groupe/", views.bulk_assign, name="bulk_assign"),
]
