from django.db import models


class RunStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours de calcul"
    DONE = "done", "Terminé"
    FAILED = "failed", "En échec"


FINISHED_STATUSES = (RunStatus.DONE, RunStatus.FAILED)


class PeriodKind(models.TextChoices):
    YEAR = "year", "Une année"
    PLAN_2018_2022 = "plan_2018_2022", "Premier plan (2018-2022)"
    PLAN_2023_2027 = "plan_2023_2027", "Second plan (2023-2027)"
    CUSTOM = "custom", "Dates au choix"


# The plans' fixed periods (domain.md).
PLAN_YEARS = {PeriodKind.PLAN_2018_2022: (2018, 2022), PeriodKind.PLAN_2023_2027: (2023, 2027)}


class FigureScope(models.TextChoices):
    TOTAL = "total", "Période entière"
    YEAR = "year", "Année"
    SUB_TERRITORY = "sub_territory", "Sous-territoire"
