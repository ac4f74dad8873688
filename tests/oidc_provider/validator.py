from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider.identities import IDENTITIES


class ProConnectLikeValidator(OAuth2Validator):
    """Claims as ProConnect sends them: one scope per claim (given_name, usual_name, siret...), acr and
    amr in the id_token."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "given_name": "given_name",
        "usual_name": "usual_name",
        "siret": "siret",
        "uid": "uid",
        "idp_id": "idp_id",
        "acr": "openid",
        "amr": "openid",
    }

    def get_additional_claims(self, request):
        return dict(IDENTITIES.get(request.user.username, {}))
