"""How the OpenAPI schema (/api/schema/) describes the API's ways to authenticate.

Registered when the app is ready (teams.apps), and naming the classes by their dotted path:
importing drf-spectacular from teams.api_auth would import DRF's schema module while DRF is
still importing the authentication classes.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "teams.api_auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, created on the profile page (/profile/).",
        }


class RateLimitedBasicScheme(OpenApiAuthenticationExtension):
    target_class = "teams.api_auth.RateLimitedBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Your login's email and password; counts against the login "
            "page's failed-login limits. Prefer a token for scripts.",
        }
