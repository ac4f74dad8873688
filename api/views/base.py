"""What every endpoint shares: the token, its throttle, pages by cursor, and the audit log of every read
(the services log the writes, with the token's technical account as their author)."""

from django.http import Http404
from rest_framework import exceptions, viewsets

from accounts.lockout import client_ip
from api.authentication import TokenAuthentication
from api.models import ApiToken
from api.pagination import IdCursorPagination
from api.permissions import HasToken
from api.throttling import AnonymousRateThrottle, TokenRateThrottle
from audit.enums import Action
from audit.services import audit_record


class ApiViewSet(viewsets.GenericViewSet):
    authentication_classes = [TokenAuthentication]
    permission_classes = [HasToken]
    throttle_classes = [TokenRateThrottle, AnonymousRateThrottle]
    pagination_class = IdCursorPagination
    # Any segment reaches the view, which answers an id that is no integer with its JSON 404 (get_object).
    lookup_value_regex = "[^/]+"
    # What the audit log says was read (audit.enums.Target).
    audit_target = ""

    def audit_read(self, *, target_id=None, household_id=None, object_ids=None, detail: str = ""):
        audit_record(
            user=self.request.user,
            action=Action.READ,
            target=self.audit_target,
            target_id=target_id,
            household_id=household_id,
            object_ids=object_ids,
            detail=f"API {self.request.method} {self.request.path}{f' ({detail})' if detail else ''}",
            ip_address=client_ip(self.request),
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.audit_read(object_ids=[row.pk for row in page])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self.audit_read(target_id=obj.pk, household_id=self.household_id_of(obj))
        return self.respond_with(obj)

    def respond_with(self, obj, status=200):
        from rest_framework.response import Response

        return Response(self.get_serializer(obj).data, status=status)

    def get_object(self):
        # An id that is no (64-bit) integer names no record: 404, as an unknown one, never a 500.
        lookup = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not (lookup.isascii() and lookup.isdigit()) or int(lookup) >= 2**63:
            raise exceptions.NotFound("Introuvable.")
        return super().get_object()

    def household_id_of(self, obj):
        return None

    def handle_exception(self, exc):
        """A refusal is logged as on the pages (audit/decorators.py): a record out of scope (404), an
        action the token's role may not take (403)."""
        token = getattr(self.request, "_auth", None)
        if isinstance(token, ApiToken) and isinstance(exc, Http404 | exceptions.NotFound | exceptions.PermissionDenied):
            denied = isinstance(exc, exceptions.PermissionDenied)
            lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            audit_record(
                user=self.request.user,
                action=Action.DENIED if denied else Action.NOT_FOUND,
                target=self.audit_target,
                target_id=int(lookup) if lookup and str(lookup).isdigit() and len(str(lookup)) < 18 else None,
                detail=f"API {self.request.method} {self.request.path}"[:300],
                ip_address=client_ip(self.request),
            )
        return super().handle_exception(exc)
