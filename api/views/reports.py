"""Bilans (aggregates only, never the records behind a figure) and import jobs (their state and counts)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.enums import TokenKind
from api.views.base import ApiViewSet
from audit.enums import Target
from pathways.models import ImportJob
from reports.enums import RunStatus
from reports.exports.tables import run_table
from reports.models import BilanRun
from reports.perms import can_read_bilans


class BilanRunSerializer(serializers.ModelSerializer):
    territory = serializers.CharField(source="territory_key", read_only=True)
    published = serializers.BooleanField(source="is_published", read_only=True)

    class Meta:
        model = BilanRun
        fields = [
            "id",
            "territory",
            "territory_name",
            "start",
            "end",
            "period_kind",
            "status",
            "requested_at",
            "finished_at",
            "published",
            "published_at",
            "catalogue_version",
        ]
        read_only_fields = fields


class FigureSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Code de l'indicateur (docs/indicateurs.md).")
    label = serializers.CharField()
    unit = serializers.CharField()
    axis = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=["total", "year", "sub_territory"])
    year = serializers.IntegerField(allow_null=True)
    territory = serializers.CharField(help_text="Le territoire du bilan, ou le sous-territoire du chiffre.")
    value = serializers.FloatField(allow_null=True, help_text="Vide : sans population, ou masqué.")
    hidden = serializers.BooleanField(help_text="Masqué par le secret statistique (bilan publié).")
    note = serializers.CharField(allow_blank=True, help_text="Pourquoi le chiffre est masqué.")


class BilanReaderMixin:
    def check_permissions(self, request):
        super().check_permissions(request)
        if not can_read_bilans(request.user):
            raise exceptions.PermissionDenied("Les bilans se lisent avec un jeton de territoire.")


@extend_schema_view(
    list=extend_schema(summary="Bilans terminés des territoires qui touchent celui du jeton"),
    retrieve=extend_schema(summary="Un bilan"),
)
class BilanRunViewSet(BilanReaderMixin, ApiViewSet):
    serializer_class = BilanRunSerializer
    audit_target = Target.BILAN

    def get_queryset(self):
        return BilanRun.objects.visible_to(self.request.user)

    @extend_schema(
        summary="Chiffres d'un bilan (agrégats ; bilan publié : sous secret statistique)",
        responses={200: FigureSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="chiffres", pagination_class=None)
    def figures(self, request, pk=None):
        run = self.get_object()
        if run.status != RunStatus.DONE:
            return Response([])
        # A published bilan is what left the system: the API gives it as published, under secrecy.
        table = run_table(run, secrecy=run.is_published)
        rows = []
        for row in table.rows:
            indicator = row.indicator
            cells = [("total", None, table.territory_code, row.total)]
            cells += [
                ("year", year, table.territory_code, cell) for year, cell in zip(table.years, row.years, strict=True)
            ]
            cells += [
                ("sub_territory", None, key, cell)
                for (key, _name), cell in zip(table.sub_territories, row.territories, strict=True)
            ]
            for scope, year, territory, cell in cells:
                rows.append(
                    {
                        "indicator": indicator.code,
                        "label": indicator.label,
                        "unit": indicator.unit,
                        "axis": indicator.axis,
                        "scope": scope,
                        "year": year,
                        "territory": territory,
                        "value": cell.number,
                        "hidden": cell.hidden,
                        "note": cell.note if cell.hidden else "",
                    }
                )
        self.audit_read(target_id=run.pk, detail="chiffres")
        return Response(FigureSerializer(rows, many=True).data)


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        # Neither the file nor its error rows, whose messages may quote a cell (a name): counts only.
        fields = [
            "id",
            "file_name",
            "file_size",
            "dry_run",
            "status",
            "uploaded_at",
            "started_at",
            "finished_at",
            "summary",
            "error_count",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Imports déposés par l'administration qui a émis le jeton (territoire)"),
    retrieve=extend_schema(summary="Un import : son état et ses comptes"),
)
class ImportJobViewSet(ApiViewSet):
    serializer_class = ImportJobSerializer
    audit_target = Target.EXCHANGE

    def get_queryset(self):
        token = self.request.auth
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        # Nobody but their uploader (and the operators) sees import jobs; a territory token is its
        # administrator's tool to follow the imports it deposits for that territory (docs/api.md).
        if token.kind != TokenKind.TERRITORY:
            return ImportJob.objects.none()
        return ImportJob.objects.filter(uploaded_by_id=token.created_by_id).defer("content")
