from django.db import models


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Référent ou référente"
    COORDINATOR = "coordinator", "Coordination (SIAO, DDETS)"
    ADMINISTRATOR = "administrator", "Administration (DREETS, DDETS)"
    OBSERVER = "observer", "Observateur ou observatrice"


# Territory kinds each role's scope may hold (roles.md).
SCOPE_KINDS = {
    Role.CASEWORKER: (),
    Role.COORDINATOR: ("departement", "epci"),
    Role.ADMINISTRATOR: ("france", "region", "departement"),
    Role.OBSERVER: ("france", "region", "departement", "epci", "commune"),
}
