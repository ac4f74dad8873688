"""The ProConnect settings come from the environment and fail loudly when one is missing."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = (
    "import json, project.settings as s; print(json.dumps({'authorize': s.OIDC_OP_AUTHORIZATION_ENDPOINT, "
    "'end': s.PROCONNECT_END_SESSION_ENDPOINT, 'form_action': [str(v) for v in "
    "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']], 'passwords': s.LOCAL_PASSWORDS_ENABLED, "
    "'mfa_acr': s.PROCONNECT_MFA_ACR_VALUES}))"
)


def settings_with(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PROCONNECT_", "LOCAL_PASSWORDS"))}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_proconnect_without_its_issuer_or_client_refuses_to_start():
    result = settings_with(PROCONNECT_ENABLED="true")
    assert result.returncode != 0
    assert "PROCONNECT_ISSUER is required" in result.stderr


def test_the_endpoints_follow_the_issuer_and_the_policy_lets_the_sign_out_reach_it():
    result = settings_with(
        PROCONNECT_ENABLED="true",
        PROCONNECT_ISSUER="https://auth.agentconnect.gouv.fr/api/v2/",
        PROCONNECT_CLIENT_ID="id",
        PROCONNECT_CLIENT_SECRET="secret",
        LOCAL_PASSWORDS_ENABLED="false",
        PROCONNECT_MFA_ACR_VALUES="eidas2,eidas3",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["authorize"] == "https://auth.agentconnect.gouv.fr/api/v2/authorize"
    assert shown["end"] == "https://auth.agentconnect.gouv.fr/api/v2/session/end"
    assert shown["form_action"] == ["'self'", "https://auth.agentconnect.gouv.fr"]
    assert shown["passwords"] is False
    assert shown["mfa_acr"] == ["eidas2", "eidas3"]


def test_without_proconnect_the_policy_keeps_form_action_to_self():
    result = settings_with()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["form_action"] == ["'self'"]
