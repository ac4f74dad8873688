from django.urls import path

from web.views import communes, households, pathway_actions, pathway_list

app_name = "casework"

urlpatterns = [
    path("parcours/", pathway_list.pathway_list, name="pathway_list"),
    path("menages/nouveau/", households.household_new, name="household_new"),
    path("menages/<int:pk>/", households.household_detail, name="household_detail"),
    path("menages/<int:pk>/modifier/", households.household_edit, name="household_edit"),
    path("parcours/<int:pk>/etape/", pathway_actions.record_stage, name="record_stage"),
    path("parcours/<int:pk>/situation/", pathway_actions.record_situation, name="record_situation"),
    path("parcours/<int:pk>/contact/", pathway_actions.record_contact, name="record_contact"),
    path("parcours/<int:pk>/mesure/", pathway_actions.open_measure, name="open_measure"),
    path("mesures/<int:pk>/cloture/", pathway_actions.close_measure, name="close_measure"),
    path("communes/suggestions/", communes.commune_suggestions, name="commune_suggestions"),
]
