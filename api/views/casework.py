"""Households, pathways and their records. Reads start from `visible_to(token's account)`; writes go
through pathways/services.py, so the stage machine, the composition rules and their French messages hold."""

from django.db import transaction
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from api import serializers as s
from api.errors import Conflict, etag, expected_version
from api.filters import PathwayFilterSet
from api.views.base import ApiViewSet
from audit.enums import Target
from pathways import services
from pathways.enums import Stage
from pathways.models import Household, Pathway
from pathways.perms import can_do_casework, can_record_stage, can_see_names
from territories.models import Commune, Structure
from territories.perms import target_structures

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='La version lue (ETag de la lecture, par exemple "3") : 409 si elle a changé depuis, 428 sans.',
)


def _casework(user):
    if not can_do_casework(user):
        raise exceptions.PermissionDenied("Ce jeton ne permet pas d'enregistrer de suivi.")


def _commune(code: str, field: str) -> Commune | None:
    if not code:
        return None
    commune = Commune.objects.filter(pk=code).first()
    if commune is None:
        raise exceptions.ValidationError({field: [f"Commune inconnue : aucun code INSEE « {code} »."]})
    return commune


def _structure(pk, field: str, queryset=None) -> Structure | None:
    if pk is None:
        return None
    structure = (queryset if queryset is not None else Structure.objects.all()).filter(pk=pk).first()
    if structure is None:
        raise exceptions.ValidationError({field: [f"Structure inconnue ou hors de votre portée : « {pk} »."]})
    return structure


def _with_etag(response: Response, version: int) -> Response:
    response["ETag"] = etag(version)
    return response


@extend_schema_view(
    list=extend_schema(summary="Ménages de la portée du jeton"),
    retrieve=extend_schema(
        summary="Un ménage et ses personnes (noms masqués hors de sa structure s'il est confidentiel)"
    ),
)
class HouseholdViewSet(ApiViewSet):
    serializer_class = s.HouseholdSerializer
    audit_target = Target.HOUSEHOLD

    def get_queryset(self):
        user = self.request.user
        return Household.objects.visible_to(user).prefetch_related(
            "members", Prefetch("pathways", queryset=Pathway.objects.visible_to(user).only("id", "household_id"))
        )

    def household_id_of(self, obj):
        return obj.pk

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        return _with_etag(response, response.data["version"])

    @extend_schema(
        summary="Créer un ménage et ouvrir son premier parcours",
        request=s.HouseholdCreateSerializer,
        responses={201: s.HouseholdSerializer},
    )
    def create(self, request):
        user = request.user
        _casework(user)
        data = self._valid(s.HouseholdCreateSerializer, request.data)
        opening = data["pathway"]
        structure = _structure(opening["structure"], "pathway.structure", target_structures(user))
        commune = _commune(opening["commune"], "pathway.commune")
        if user.is_coordinator and not Commune.objects.filter(user.territory_q(), pk=commune.pk).exists():
            raise exceptions.ValidationError(
                {"pathway.commune": [f"{commune.name} est hors de votre territoire de coordination."]}
            )
        with transaction.atomic():
            household = services.household_create(
                composition=data["composition"],
                adults=data["adults"],
                children=data["children"],
                confidential=data["confidential"],
                members=[_member_values(m) for m in data["members"]],
                by=user,
            )
            services.pathway_open(
                household=household,
                structure=structure,
                commune=commune,
                opened_on=opening["opened_on"],
                stage=opening["stage"],
                dalo=opening["dalo"],
                situation=opening["situation"],
                situation_since=opening["situation_since"],
                by=user,
            )
        household = self.get_queryset().get(pk=household.pk)
        return _with_etag(self.respond_with(household, status=201), household.version)

    @extend_schema(
        summary="Modifier un ménage et ses personnes",
        request=s.HouseholdUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: s.HouseholdSerializer},
    )
    def partial_update(self, request, pk=None):
        user = request.user
        household = self.get_object()
        _casework(user)
        if not can_see_names(user, household):
            raise exceptions.PermissionDenied("Ce ménage confidentiel ne se modifie que depuis sa structure référente.")
        if household.anonymised_on is not None:
            raise exceptions.PermissionDenied(
                f"Ce dossier a été anonymisé le {household.anonymised_on:%d/%m/%Y} : ses personnes ne peuvent plus "
                "être modifiées."
            )
        version = expected_version(request)
        data = self._valid(s.HouseholdUpdateSerializer, request.data)
        if version != household.version:
            raise Conflict(services.stale_household_message(household, expected_version=version))
        fields = {name: data[name] for name in ("composition", "adults", "children", "confidential") if name in data}
        services.household_update(
            household=household,
            members=[_member_values(m) for m in data["members"]],
            removed=data["removed"],
            by=user,
            expected_version=version,
            **fields,
        )
        household = self.get_queryset().get(pk=household.pk)
        return _with_etag(self.respond_with(household), household.version)

    def _valid(self, serializer_class, data):
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _member_values(values: dict) -> dict:
    return {k: v for k, v in values.items() if k in ("id", *services.MEMBER_FIELDS)}


RECORD_KINDS = {
    # action: (output serializer, input serializer, related name on Pathway)
    "transitions": (s.TransitionSerializer, s.TransitionInputSerializer, "transitions"),
    "situations": (s.SituationSerializer, s.SituationInputSerializer, "situations"),
    "contacts": (s.ContactSerializer, s.ContactInputSerializer, "contacts"),
    "measures": (s.MeasureSerializer, s.MeasureInputSerializer, "measures"),
}


@extend_schema_view(
    list=extend_schema(summary="Parcours de la portée du jeton, filtrés comme les files d'attente"),
    retrieve=extend_schema(summary="Un parcours (son ETag est sa version)"),
)
class PathwayViewSet(ApiViewSet):
    serializer_class = s.PathwaySerializer
    audit_target = Target.PATHWAY
    filter_backends = [DjangoFilterBackend]
    filterset_class = PathwayFilterSet

    def get_queryset(self):
        return Pathway.objects.visible_to(self.request.user)

    def household_id_of(self, obj):
        return obj.household_id

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        return _with_etag(response, response.data["version"])

    def _records(self, request, kind: str, write):
        pathway = self.get_object()
        output, given, related = RECORD_KINDS[kind]
        if request.method == "GET":
            rows = getattr(pathway, related).select_related("pathway__household").order_by("id")
            data = output(rows, many=True, context=self.get_serializer_context()).data
            self.audit_read(
                target_id=pathway.pk,
                household_id=pathway.household_id,
                object_ids=[row["id"] for row in data],
                detail=kind,
            )
            return _with_etag(Response(data), pathway.version)
        _casework(request.user)
        version = expected_version(request)
        serializer = given(data=request.data)
        serializer.is_valid(raise_exception=True)
        if version != pathway.version:
            raise Conflict(
                services.StaleVersionError(
                    f"Ce parcours a été modifié entre-temps : il est à la version {pathway.version}, la vôtre est "
                    f"la {version}. Relisez-le puis recommencez."
                ).messages[0]
            )
        row = write(pathway, serializer.validated_data, version)
        pathway.refresh_from_db()
        row = type(row).objects.select_related("pathway__household").get(pk=row.pk)
        response = Response(output(row, context=self.get_serializer_context()).data, status=201)
        return _with_etag(response, pathway.version)

    @extend_schema(
        methods=["GET"], summary="Étapes du parcours (journal)", responses={200: s.TransitionSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        summary="Enregistrer une étape (machine à étapes du parcours)",
        request=s.TransitionInputSerializer,
        parameters=[IF_MATCH],
        responses={201: s.TransitionSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="etapes", filter_backends=[], pagination_class=None)
    def transitions(self, request, pk=None):
        def write(pathway, data, version):
            user = request.user
            if not can_record_stage(user, data["stage"]):
                raise exceptions.PermissionDenied("Seule la coordination peut décider d'une orientation.")
            errors = {}
            if data["stage"] == Stage.ORIENTE and not data["orientation"]:
                errors["orientation"] = ["Indiquez l'orientation décidée."]
            if data["orientation"] and data["stage"] != Stage.ORIENTE:
                errors["orientation"] = ["L'orientation ne s'indique que pour l'étape « Orienté »."]
            if data["landlord"] is not None and data["stage"] != Stage.BAIL_SIGNE:
                errors["landlord"] = ["Le bailleur ne s'indique que pour un bail signé."]
            if errors:
                raise exceptions.ValidationError(errors)
            return services.pathway_transition(
                pathway=pathway,
                to_stage=data["stage"],
                on=data["date"],
                by=user,
                housing_kind=data["housing_kind"],
                housing_commune=_commune(data["housing_commune"], "housing_commune"),
                landlord=_structure(data["landlord"], "landlord"),
                orientation=data["orientation"],
                reason=data["reason"],
                expected_version=version,
            )

        return self._records(request, "transitions", write)

    @extend_schema(
        methods=["GET"],
        summary="Situations résidentielles du parcours",
        responses={200: s.SituationSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Enregistrer une situation résidentielle",
        request=s.SituationInputSerializer,
        parameters=[IF_MATCH],
        responses={201: s.SituationSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def situations(self, request, pk=None):
        def write(pathway, data, version):
            return services.situation_record(
                pathway=pathway,
                situation=data["situation"],
                since=data["since"],
                by=request.user,
                expected_version=version,
            )

        return self._records(request, "situations", write)

    @extend_schema(methods=["GET"], summary="Contacts du parcours", responses={200: s.ContactSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        summary="Enregistrer un contact",
        request=s.ContactInputSerializer,
        parameters=[IF_MATCH],
        responses={201: s.ContactSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def contacts(self, request, pk=None):
        def write(pathway, data, version):
            return services.contact_record(
                pathway=pathway,
                on=data["date"],
                kind=data["kind"],
                note=data["note"],
                by=request.user,
                expected_version=version,
            )

        return self._records(request, "contacts", write)

    @extend_schema(
        methods=["GET"], summary="Mesures d'accompagnement du parcours", responses={200: s.MeasureSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        summary="Ouvrir une mesure d'accompagnement",
        request=s.MeasureInputSerializer,
        parameters=[IF_MATCH],
        responses={201: s.MeasureSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="mesures", filter_backends=[], pagination_class=None)
    def measures(self, request, pk=None):
        def write(pathway, data, version):
            return services.measure_open(
                pathway=pathway,
                kind=data["kind"],
                started_on=data["started_on"],
                provider=_structure(data["provider"], "provider"),
                by=request.user,
                expected_version=version,
            )

        return self._records(request, "measures", write)
