"""Open data over HTTP: a public catalogue, and each dataset as a CSV and a JSON attachment that
anyone may download without a token."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from .api import CivicApi, Json, every_petition, json_of

CATALOGUE = "/open-data/"
CSV = "/open-data/petitions.csv"
JSON = "/open-data/petitions.json"
CSV_TYPE = "text/csv; charset=utf-8; header=present"
COLUMNS = [
    "id",
    "title",
    "status",
    "lodged_at",
    "deadline",
    "signature_count",
    "thresholds",
    "admissibility_reason",
    "closed_at",
    "closed_reason",
    "response",
    "responded_at",
    "version",
    "position",
]


def download(client: httpx.Client, path: str) -> httpx.Response:
    """A download, without a token, that must succeed."""
    response = client.get(path)
    assert response.status_code == 200, (response.status_code, response.text)
    return response


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    """The records of a CSV download as dicts by column name (the body is UTF-8)."""
    text = response.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def json_rows(response: httpx.Response) -> list[Json]:
    """The objects of a JSON download."""
    rows: list[Json] = response.json()
    return rows


class TestCatalogue:
    """`GET /open-data/`: every dataset, its downloads and its columns, for anyone."""

    def test_lists_the_petitions_dataset_with_its_downloads_and_columns(
        self, api: CivicApi
    ) -> None:
        """Petitions, as CSV and JSON at absolute URLs, with a description of every column."""
        catalogue = json_of(api.client.get(CATALOGUE), 200)

        (petitions,) = [d for d in catalogue["datasets"] if d["name"] == "petitions"]
        assert petitions["description"]
        downloads = {d["format"]: d for d in petitions["downloads"]}
        assert downloads["csv"]["url"] == str(api.client.base_url.join(CSV))
        assert downloads["json"]["url"] == str(api.client.base_url.join(JSON))
        assert downloads["csv"]["media_type"] == CSV_TYPE
        assert downloads["json"]["media_type"] == "application/json"
        assert [c["name"] for c in petitions["columns"]] == COLUMNS
        assert all(c["description"] and c["type"] for c in petitions["columns"])
        nullable = {c["name"] for c in petitions["columns"] if c["nullable"]}
        assert nullable == {
            "deadline",
            "admissibility_reason",
            "closed_at",
            "closed_reason",
            "response",
            "responded_at",
        }

    def test_answers_without_the_trailing_slash(self, api: CivicApi) -> None:
        """`/open-data` is the same catalogue."""
        assert json_of(api.client.get("/open-data"), 200) == json_of(api.client.get(CATALOGUE), 200)

    def test_every_listed_download_answers_with_its_media_type(self, api: CivicApi) -> None:
        """Each URL of the catalogue serves its file with the announced media type."""
        catalogue = json_of(api.client.get(CATALOGUE), 200)

        for dataset in catalogue["datasets"]:
            for file in dataset["downloads"]:
                response = download(api.client, file["url"])
                assert response.headers["content-type"] == file["media_type"]


class TestDownloads:
    """`GET /open-data/petitions.{csv,json}`: public, streamed, as attachments."""

    @pytest.mark.parametrize(
        ("path", "media_type", "filename"),
        [(CSV, CSV_TYPE, "petitions.csv"), (JSON, "application/json", "petitions.json")],
        ids=["csv", "json"],
    )
    def test_is_a_public_attachment(
        self, api: CivicApi, path: str, media_type: str, filename: str
    ) -> None:
        """200 without a token, its media type, `Content-Disposition: attachment`, streamed."""
        response = download(api.client, path)

        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers

    def test_csv_has_a_header_row_and_crlf_line_ends(self, api: CivicApi) -> None:
        """RFC 4180: the column names first, and every record ends with CRLF."""
        api.lodge(title="Line ends, checked")

        text = download(api.client, CSV).content.decode("utf-8")

        assert text.startswith(",".join(COLUMNS) + "\r\n")
        assert text.endswith("\r\n")

    def test_csv_and_json_hold_the_same_petitions_as_the_api(self, api: CivicApi) -> None:
        """Every petition listed by `/petitions`, in the same order, in both files."""
        petition = api.open_petition(
            title='Benches, "shade" and water,\nfor the market square',
            thresholds=[{"signatures": 1, "consequence": "committee_hearing"}],
        )
        assert api.sign(petition["id"], api.citizen).status_code == 201

        from_csv = csv_rows(download(api.client, CSV))
        from_json = json_rows(download(api.client, JSON))

        listed = every_petition(api.client)
        assert [r["id"] for r in from_csv] == [p["id"] for p in listed]
        assert [r["id"] for r in from_json] == [p["id"] for p in listed]
        assert all(list(r) == COLUMNS for r in from_json)
        row = next(r for r in from_json if r["id"] == petition["id"])
        record = next(r for r in from_csv if r["id"] == petition["id"])
        now = api.petition(petition["id"])
        assert row == published(now)
        assert record["title"] == now["title"]
        assert record["signature_count"] == "1"
        assert record["thresholds"] == f"1:committee_hearing:{row['thresholds'][0]['reached_at']}"
        assert record["deadline"] == ""

    def test_leave_out_who_lodged_and_who_signed(self, api: CivicApi) -> None:
        """No account id appears in either file."""
        petition = api.open_petition(thresholds=[{"signatures": 1, "consequence": "vote"}])
        assert api.sign(petition["id"], api.citizen).status_code == 201

        files = download(api.client, CSV).text + download(api.client, JSON).text

        for account in (*api.citizens, api.moderator):
            assert account.id not in files


def published(petition: Json) -> dict[str, Any]:
    """What the open data shows of a petition as `GET /petitions/{id}` returns it."""
    return {
        **{name: petition[name] for name in COLUMNS if name != "thresholds"},
        "thresholds": [
            {k: t[k] for k in ("signatures", "consequence", "reached_at")}
            for t in petition["thresholds"]
        ],
    }
