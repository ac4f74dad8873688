from rest_framework import permissions

from api.models import ApiToken


class HasToken(permissions.BasePermission):
    message = "Jeton d'API manquant : en-tête « Authorization: Bearer <jeton> »."

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)
