from django.contrib import admin

from territories.models import Commune, Departement, Epci, Label, Region, Site, StallThreshold, Structure


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["siren", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["siren", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "departement", "epci", "population"]
    list_filter = ["region", "departement"]
    list_select_related = ["departement", "epci"]
    search_fields = ["code", "name"]
    show_full_result_count = False


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "external_id"]
    list_filter = ["kind"]
    list_select_related = ["commune"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["commune"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "structure", "commune", "places", "opened_on", "closed_on"]
    list_filter = ["kind", "commune__departement"]
    list_select_related = ["structure", "commune"]
    search_fields = ["name", "structure__name", "commune__name", "external_id"]
    autocomplete_fields = ["structure", "commune"]
    date_hierarchy = "opened_on"


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "started_on", "ended_on"]
    list_select_related = ["commune", "epci", "departement"]
    autocomplete_fields = ["commune", "epci", "departement"]


@admin.register(StallThreshold)
class StallThresholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "stage", "days", "dalo_days"]
    list_select_related = ["commune", "epci", "departement", "region"]
    autocomplete_fields = ["commune", "epci", "departement", "region"]
