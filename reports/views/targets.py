from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from audit.decorators import no_names
from reports import perms
from reports.catalogue import CATALOGUE
from reports.forms import TargetForm
from reports.models import Target
from reports.services import target_set


@login_required
@no_names(reason="targets of the indicators")
def targets(request):
    if not perms.can_set_targets(request.user):
        raise PermissionDenied("Seule l'administration fixe les cibles.")
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = target_set(
                territory=data["territory_obj"],
                indicator_code=data["indicator"],
                start=data["start_day"],
                end=data["end_day"],
                value=data["value"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Cible enregistrée : {CATALOGUE[target.indicator_code].label}.")
            return redirect("reports:targets")
    rows = [
        (target, CATALOGUE.get(target.indicator_code))
        for target in Target.objects.visible_to(request.user).select_related("set_by")
    ]
    return render(request, "reports/targets.html", {"title": "Cibles", "form": form, "rows": rows})
