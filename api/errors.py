"""Errors as JSON with French messages: a refusal of a service (stage machine, composition...) is a 400
with the service's own messages by field, a stale version a 409, a missing If-Match a 428."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from pathways.services import StaleHouseholdError, StaleVersionError


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "En-tête If-Match obligatoire : la version de l'enregistrement lue avant cette modification "
        '(son ETag, par exemple If-Match: "3").'
    )
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Cet enregistrement a été modifié entre-temps : relisez-le puis recommencez."
    default_code = "conflict"


def service_error(error: DjangoValidationError) -> exceptions.APIException:
    """A service's refusal as the API's answer (nothing was written: the services are atomic)."""
    if isinstance(error, StaleVersionError | StaleHouseholdError):
        return Conflict(error.messages[0])
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {"non_field_errors": error.messages}
    return exceptions.ValidationError(detail)


def handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = service_error(exc)
    return exception_handler(exc, context)


ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def expected_version(request) -> int:
    """The version an update was built on, from If-Match (an ETag of the API: "3"). 428 without it."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    match = ETAG.match(header)
    if match is None:
        raise exceptions.ValidationError(
            {"If-Match": [f'If-Match invalide : « {header[:40]} ». Donnez l\'ETag lu, par exemple "3".']}
        )
    return int(match.group(1))


def etag(version: int) -> str:
    return f'"{version}"'
