"""The administrators' pages of API tokens, under /compte/jetons-api/: issue (the token shown once),
list, revoke; only the tokens of their own territory, as for accounts (accounts/perms.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.lockout import client_ip
from accounts.perms import administrator_scope
from api.forms import TokenIssueForm
from api.models import ApiToken
from api.services import api_token_issue, api_token_revoke
from audit.decorators import no_names
from reports.perms import territory_within
from territories.models import Structure


def _scope(request):
    scope = administrator_scope(request.user)
    if scope is None:
        raise PermissionDenied("Les jetons d'API sont émis par l'administration.")
    return scope


def _structures(scope):
    return Structure.objects.filter(scope.commune_q("commune")).order_by("name")


def tokens_within(scope):
    """The tokens of `scope`: those of its structures and of the territories inside it."""
    structure_ids = set(_structures(scope).values_list("pk", flat=True))
    tokens = ApiToken.objects.select_related("structure", "created_by").order_by("-created_at", "-id")
    return [
        token
        for token in tokens
        if (token.structure_id in structure_ids)
        or (token.territory is not None and territory_within(token.territory, scope))
    ]


@login_required
@no_names(reason="API tokens: their names, scopes and dates, no case file")
def token_list(request):
    scope = _scope(request)
    form = TokenIssueForm(request.POST or None, structures=_structures(scope), scope=scope)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, raw = api_token_issue(
                name=data["name"],
                by=request.user,
                days=data["days"],
                structure=data["structure"],
                territory=data["territory"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Shown on this answer only: stored nowhere, it cannot be shown again.
            issued = {"token": token, "raw": raw}
            form = TokenIssueForm(structures=_structures(scope), scope=scope)
    return render(
        request,
        "api/token_list.html",
        {
            "title": "Jetons d'API",
            "form": form,
            "errors": _error_items(form),
            "tokens": tokens_within(scope),
            "issued": issued,
            "scope": scope,
        },
    )


def _error_items(form) -> list[tuple[str, str]]:
    """(anchor, message) of each error, for the summary above the form."""
    return [
        (form[name].auto_id if name in form.fields else "", message)
        for name, errors in form.errors.items()
        for message in errors
    ]


@login_required
@require_POST
@no_names(reason="API tokens: revoking one shows no case file")
def token_revoke(request, pk):
    scope = _scope(request)
    token = next((t for t in tokens_within(scope) if t.pk == pk), None)
    if token is None:
        raise Http404("Jeton introuvable.")
    try:
        api_token_revoke(token=token, by=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Jeton « {token.name} » révoqué : il ne donne plus accès à l'API.")
    return redirect("api_tokens:list")
