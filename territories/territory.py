"""Territory codes (`france`, `region:93`, `departement:13`, `epci:200054807`, `commune:13055`)."""

from dataclasses import dataclass

from django.db.models import Q

KINDS = ("france", "region", "departement", "epci", "commune")
KIND_LABELS = {
    "france": "France",
    "region": "région",
    "departement": "département",
    "epci": "EPCI",
    "commune": "commune",
}


class TerritoryError(ValueError):
    """A territory code that does not name a known territory (French message)."""


@dataclass(frozen=True)
class Territory:
    kind: str
    code: str
    name: str

    @property
    def key(self) -> str:
        return "france" if self.kind == "france" else f"{self.kind}:{self.code}"

    def __str__(self) -> str:
        return self.name

    def commune_q(self, path: str = "") -> Q:
        """Q selecting rows whose commune (reached by `path`, a lookup to a Commune) is in the territory."""
        prefix = f"{path}__" if path else ""
        if self.kind == "france":
            return Q()
        if self.kind == "commune":
            return Q(**{f"{prefix}code" if prefix else "code": self.code})
        column = {"region": "region", "departement": "departement", "epci": "epci"}[self.kind]
        return Q(**{f"{prefix}{column}": self.code})

    def communes(self):
        from territories.models import Commune

        return Commune.objects.filter(self.commune_q())

    def children(self) -> list["Territory"]:
        """Sub-territories for breakdowns: régions of France, départements of a région, EPCI of a
        département or of an EPCI's communes, nothing below a commune."""
        from territories.models import Departement, Epci, Region

        if self.kind == "france":
            return [Territory("region", r.code, r.name) for r in Region.objects.order_by("code")]
        if self.kind == "region":
            rows = Departement.objects.filter(region_id=self.code).order_by("code")
            return [Territory("departement", d.code, d.name) for d in rows]
        if self.kind == "departement":
            rows = Epci.objects.filter(communes__departement_id=self.code).distinct().order_by("name")
            return [Territory("epci", e.siren, e.name) for e in rows]
        if self.kind == "epci":
            return [Territory("commune", c.code, c.name) for c in self.communes().order_by("name")]
        return []


@dataclass(frozen=True)
class TerritoryGroup:
    """Several territories of one kind, filtered together: the sub-territories of a breakdown."""

    kind: str
    codes: tuple[str, ...]


FRANCE = Territory("france", "", "France")


def parse_territory(text: str) -> Territory:
    """Resolve a territory code, or raise TerritoryError with a French message."""
    from territories.models import Arrondissement, Commune, Departement, Epci, Region

    raw = (text or "").strip()
    if raw.lower() == "france":
        return FRANCE
    kind, sep, code = raw.partition(":")
    kind, code = kind.strip().lower(), code.strip().upper()
    if not sep or kind not in KINDS or kind == "france" or not code:
        raise TerritoryError(
            f"Territoire « {raw} » invalide : utilisez france, region:CODE, departement:CODE, "
            "epci:SIREN ou commune:CODE."
        )
    model = {"region": Region, "departement": Departement, "epci": Epci, "commune": Commune}[kind]
    row = model.objects.filter(pk=code).first()
    if row is None and kind == "commune":
        arrondissement = Arrondissement.objects.select_related("commune").filter(pk=code).first()
        row = arrondissement.commune if arrondissement else None
    if row is None:
        raise TerritoryError(f"Territoire inconnu : aucun(e) {KIND_LABELS[kind]} de code « {code} ».")
    return Territory(kind, row.pk, row.name)
