"""Open data over HTTP, for anyone: each dataset as a CSV (RFC 4180) and a JSON download, streamed
page by page, and a catalogue of the datasets and their columns at `/open-data/`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.response import Stream

from application.ledger import Ledger
from application.opendata import DATASETS, Dataset
from application.system import CivicLedger
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.schemas import (
    OpenDataCatalogue,
    OpenDataColumn,
    OpenDataDownload,
    OpenDataset,
)

PATH = "/open-data"
CHUNK_CHARACTERS = 64 * 1024  # rows are sent in chunks of about this size
DOCUMENTATION = "docs/open-data.md"


def csv_chunks(dataset: Dataset, ledger: Ledger) -> Iterator[str]:
    """The dataset as RFC 4180 CSV: a header row, then one record per row, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(column.name for column in dataset.columns)
    for row in dataset.rows(ledger):
        writer.writerow(dataset.csv_record(row))
        if buffer.tell() >= CHUNK_CHARACTERS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(dataset: Dataset, ledger: Ledger) -> Iterator[bytes]:
    """The dataset as one JSON array of objects, one per line."""
    encoder = msgspec.json.Encoder()
    chunk = bytearray(b"[")
    separator = b"\n"
    for row in dataset.rows(ledger):
        chunk += separator
        encoder.encode_into(row, chunk, -1)
        separator = b",\n"
        if len(chunk) >= CHUNK_CHARACTERS:
            yield bytes(chunk)
            chunk.clear()
    chunk += b"\n]\n"
    yield bytes(chunk)


@dataclass(frozen=True, slots=True)
class Format:
    """A file format of the downloads: its extension, media type and writer."""

    extension: str
    media_type: str
    chunks: Callable[[Dataset, Ledger], Iterator[str] | Iterator[bytes]]


FORMATS = (
    Format("csv", "text/csv; charset=utf-8; header=present", csv_chunks),
    Format("json", "application/json", json_chunks),
)


def _route_name(dataset: Dataset, file_format: Format) -> str:
    return f"open-data:{dataset.name}.{file_format.extension}"


def _download(dataset: Dataset, file_format: Format) -> HTTPRouteHandler:
    """The route that streams `dataset` in `file_format`, as an attachment."""
    filename = f"{dataset.name}.{file_format.extension}"

    def download(civic: NamedDependency[CivicLedger]) -> Stream:
        # The rows are read page by page, each page in a worker thread, as the client reads.
        return Stream(
            file_format.chunks(dataset, civic.ledger),
            media_type=file_format.media_type,
            headers={
                # Set in full: Litestar would append a second charset to a `text/` media type.
                "content-type": file_format.media_type,
                "content-disposition": f'attachment; filename="{filename}"',
            },
        )

    return get(
        f"/{filename}",
        name=_route_name(dataset, file_format),
        summary=f"Download {filename}",
        description=f"{dataset.description} Columns: see `GET {PATH}/` and {DOCUMENTATION}.",
        media_type=file_format.media_type,
        security=PUBLIC,
        responses=problems(),
        sync_to_thread=False,  # it only builds the stream; the reading happens in threads
    )(download)


@get("/", name="open-data:catalogue", sync_to_thread=False, security=PUBLIC, responses=problems())
def catalogue(request: Request[Any, Any, Any]) -> OpenDataCatalogue:
    """The open datasets: their download URLs and formats, and what each column holds."""
    return OpenDataCatalogue(
        datasets=[
            OpenDataset(
                name=dataset.name,
                description=dataset.description,
                downloads=[
                    OpenDataDownload(
                        format=file_format.extension,
                        media_type=file_format.media_type,
                        url=request.url_for(_route_name(dataset, file_format)),
                    )
                    for file_format in FORMATS
                ],
                columns=[
                    OpenDataColumn(
                        name=column.name,
                        type=column.type,
                        nullable=column.nullable,
                        description=column.description,
                    )
                    for column in dataset.columns
                ],
            )
            for dataset in DATASETS
        ]
    )


# Registering a router copies it, so one module-level router serves every app built.
open_data_router = Router(
    PATH,
    route_handlers=[
        catalogue,
        *(_download(dataset, file_format) for dataset in DATASETS for file_format in FORMATS),
    ],
    tags=["open data"],
)
