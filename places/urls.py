from django.urls import path

from places import views

app_name = "places"

urlpatterns = [
    path("", views.vacancy_list, name="vacancy_list"),
    path("synthese/", views.summary, name="summary"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("<int:pk>/", views.place_detail, name="place_detail"),
    path("<int:pk>/liberer/", views.place_free, name="place_free"),
    path("<int:pk>/indisponible/", views.place_unavailable, name="place_unavailable"),
    path("<int:pk>/menages/", views.matching, name="matching"),
    path("<int:pk>/proposer/", views.propose, name="propose"),
    path("propositions/", views.proposal_list, name="proposal_list"),
    path("propositions/<int:pk>/", views.proposal_answer, name="proposal_answer"),
    path("parcours/<int:pk>/besoins/", views.needs, name="needs"),
]
