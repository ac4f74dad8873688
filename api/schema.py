"""The token scheme in the OpenAPI schema (imported by ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton émis par l'administration (Compte › Jetons d'API) : « Authorization: Bearer prc_… ».",
        }


class ApiAutoSchema(AutoSchema):
    """Every operation documents the refusals every endpoint may give (no token, out of scope,
    throttled...), with the JSON body they carry: a client, and schemathesis, find each answer described."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = dict(COMMON_ERRORS)
        if self.method in ("POST", "PATCH", "PUT"):
            codes |= WRITE_ERRORS
        for code, description in codes.items():
            entry = responses.get(code)
            if entry is None or not entry.get("content"):
                responses[code] = {"content": {"application/json": {"schema": ERROR_BODY}}, "description": description}
        # A NUL character anywhere in the request is refused before the API, by the site's French page
        # (web.middleware.RefuseNulMiddleware): the one answer of the API that is not JSON.
        responses["400"]["content"]["text/html"] = {"schema": {"type": "string"}}
        responses["400"]["description"] += " Un caractère NUL dans la requête : page HTML du site."
        return responses


# {"detail": "message"}, or {"champ": ["message", ...], "non_field_errors": [...]} for a refused write.
ERROR_BODY = {
    "type": "object",
    "additionalProperties": True,
    "description": "Message en français : « detail », ou la liste des messages de chaque champ refusé.",
}
COMMON_ERRORS = {
    "400": "Paramètre invalide.",
    "401": "Jeton manquant, inconnu, expiré ou révoqué.",
    "403": "Action que la portée du jeton ne permet pas.",
    "404": "Hors de la portée du jeton, ou inexistant.",
    "429": "Trop de requêtes pour ce jeton : réessayez après le délai de Retry-After.",
}
WRITE_ERRORS = {
    "409": "Version périmée : l'enregistrement a changé depuis sa lecture (If-Match).",
    "415": "Corps non JSON.",
    "428": "En-tête If-Match manquant.",
}
