"""What the API shows and accepts. Reads are plain model fields; writes are validated here for their
types only, then handed to the services (pathways/services.py), which judge them as they judge a form."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pathways.enums import (
    Composition,
    ContactKind,
    HousingKind,
    MeasureKind,
    OrientationTarget,
    Relationship,
    SituationKind,
    Stage,
)
from pathways.models import Contact, Household, Measure, Member, Pathway, Situation, Transition
from pathways.perms import can_see_names


def names_visible(serializer, household) -> bool:
    """The one rule of names and free texts (pathways.perms.can_see_names), cached per household."""
    cache = serializer.context.setdefault("names_visible", {})
    if household.pk not in cache:
        cache[household.pk] = can_see_names(serializer.context["request"].user, household)
    return cache[household.pk]


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "last_name", "first_name", "birth_date", "relationship"]
        extra_kwargs = {
            "last_name": {"allow_null": True},
            "first_name": {"allow_null": True},
            "birth_date": {"allow_null": True},
        }

    def to_representation(self, member):
        data = super().to_representation(member)
        if not names_visible(self, self.context["household"]):
            data["last_name"] = data["first_name"] = data["birth_date"] = None
        return data


class HouseholdSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    names_hidden = serializers.SerializerMethodField(
        help_text="Vrai quand les noms et dates de naissance sont masqués (ménage confidentiel hors de sa structure)."
    )
    members = serializers.SerializerMethodField()
    pathways = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "id",
            "reference",
            "composition",
            "adults",
            "children",
            "confidential",
            "created_on",
            "anonymised_on",
            "version",
            "names_hidden",
            "members",
            "pathways",
        ]
        read_only_fields = fields

    def get_names_hidden(self, household) -> bool:
        return not names_visible(self, household)

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household):
        return MemberSerializer(
            household.members.all(), many=True, context={**self.context, "household": household}
        ).data

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_pathways(self, household):
        return sorted(p.pk for p in household.pathways.all())


class MemberInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, help_text="Pour modifier une personne du ménage ; sans, elle est ajoutée."
    )
    last_name = serializers.CharField(max_length=150, required=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    relationship = serializers.ChoiceField(choices=Relationship.choices, required=False)


class PathwayOpenSerializer(serializers.Serializer):
    structure = serializers.IntegerField(help_text="Structure référente (id) : la vôtre, ou une de votre territoire.")
    commune = serializers.CharField(max_length=5, help_text="Code INSEE de la commune du parcours.")
    opened_on = serializers.DateField()
    stage = serializers.ChoiceField(choices=[Stage.REPERAGE, Stage.DEMANDE], default=Stage.DEMANDE)
    dalo = serializers.BooleanField(default=False)
    situation = serializers.ChoiceField(choices=SituationKind.choices, required=False, allow_blank=True, default="")
    situation_since = serializers.DateField(required=False, allow_null=True, default=None)


class HouseholdCreateSerializer(serializers.Serializer):
    composition = serializers.ChoiceField(choices=Composition.choices)
    adults = serializers.IntegerField(min_value=0, max_value=99)
    children = serializers.IntegerField(min_value=0, max_value=99)
    confidential = serializers.BooleanField(default=False)
    members = MemberInputSerializer(many=True)
    pathway = PathwayOpenSerializer(help_text="Le premier parcours du ménage, ouvert avec lui.")


class HouseholdUpdateSerializer(serializers.Serializer):
    composition = serializers.ChoiceField(choices=Composition.choices, required=False)
    adults = serializers.IntegerField(min_value=0, max_value=99, required=False)
    children = serializers.IntegerField(min_value=0, max_value=99, required=False)
    confidential = serializers.BooleanField(required=False)
    members = MemberInputSerializer(many=True, required=False, default=list)
    removed = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class PathwaySerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    commune = serializers.CharField(source="commune_id", read_only=True)

    class Meta:
        model = Pathway
        fields = [
            "id",
            "reference",
            "household",
            "referent_structure",
            "caseworker",
            "commune",
            "opened_on",
            "dalo",
            "stage",
            "stage_on",
            "last_activity_on",
            "version",
            "external_id",
        ]
        read_only_fields = fields


class PathwayRecordSerializer(serializers.ModelSerializer):
    """A record of a pathway whose free text (`reason`, `note`) follows the household's names."""

    free_text_field = ""

    def to_representation(self, row):
        data = super().to_representation(row)
        if self.free_text_field and not names_visible(self, row.pathway.household):
            data[self.free_text_field] = None
        return data


class TransitionSerializer(PathwayRecordSerializer):
    free_text_field = "reason"
    housing_commune = serializers.CharField(source="housing_commune_id", read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Transition
        fields = [
            "id",
            "pathway",
            "seq",
            "stage",
            "date",
            "housing_kind",
            "housing_commune",
            "landlord",
            "orientation",
            "reason",
            "recorded_at",
        ]
        read_only_fields = fields


class TransitionInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    date = serializers.DateField()
    housing_kind = serializers.ChoiceField(choices=HousingKind.choices, required=False, allow_blank=True, default="")
    housing_commune = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    landlord = serializers.IntegerField(required=False, allow_null=True, default=None)
    orientation = serializers.ChoiceField(
        choices=OrientationTarget.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SituationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Situation
        fields = ["id", "pathway", "situation", "since", "recorded_at"]
        read_only_fields = fields


class SituationInputSerializer(serializers.Serializer):
    situation = serializers.ChoiceField(choices=SituationKind.choices)
    since = serializers.DateField()


class ContactSerializer(PathwayRecordSerializer):
    free_text_field = "note"
    note = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Contact
        fields = ["id", "pathway", "date", "kind", "note", "recorded_at"]
        read_only_fields = fields


class ContactInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "pathway", "kind", "provider", "started_on", "ended_on"]
        read_only_fields = fields


class MeasureInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    started_on = serializers.DateField()
    provider = serializers.IntegerField(required=False, allow_null=True, default=None)
