"""The service's self-description: liveness and the OpenAPI document other clients are built on."""

from __future__ import annotations

from .api import CivicApi, json_of

OPERATIONS = {
    ("/petitions", "post"),
    ("/petitions", "get"),
    ("/petitions/{petition_id}", "get"),
    ("/petitions/{petition_id}/history", "get"),
    ("/petitions/{petition_id}/admissibility", "post"),
    ("/petitions/{petition_id}/signatures", "post"),
    ("/petitions/{petition_id}/signatures/me", "delete"),
    ("/petitions/{petition_id}/close", "post"),
    ("/petitions/{petition_id}/response", "post"),
    ("/audit/events", "get"),
}


class TestServiceDescription:
    """`/health` and `/schema/openapi.json`."""

    def test_the_health_check_answers(self, api: CivicApi) -> None:
        """200 `{"status": "ok"}` without a token."""
        assert json_of(api.client.get("/health"), 200) == {"status": "ok"}

    def test_the_openapi_document_lists_every_route(self, api: CivicApi) -> None:
        """An OpenAPI 3.1 document with each operation of the petition API and the audit trail."""
        response = api.client.get("/schema/openapi.json")

        document = json_of(response, 200)
        assert document["openapi"].startswith("3.1")
        operations = {(path, method) for path, item in document["paths"].items() for method in item}
        assert operations >= OPERATIONS

    def test_the_openapi_document_declares_bearer_authentication(self, api: CivicApi) -> None:
        """The `bearer` HTTP security scheme is declared for clients to send their token."""
        document = json_of(api.client.get("/schema/openapi.json"), 200)

        scheme = document["components"]["securitySchemes"]["bearer"]
        assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
