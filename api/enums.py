from django.db import models


class TokenKind(models.TextChoices):
    STRUCTURE = "structure", "Structure (ce que voient ses référents)"
    TERRITORY = "territory", "Territoire (ce que voit sa coordination)"


# Territory kinds a territory token may hold: a coordinator's (accounts.enums.SCOPE_KINDS).
TOKEN_TERRITORY_KINDS = ("departement", "epci")
