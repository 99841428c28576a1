"""The person's pages of evidence requests — no account, no third-party script:

- `/r/{token}`: the link's page (mobile first). It says what happens to the files, takes
  several at once, hashes each on the device and sends it through the resumable
  protocol (`frontend/pages/citizen.js`), then shows the signed receipt with its PDF and
  JSON. An expired, revoked or used-up link shows why, in the person's language, and
  takes nothing; a wrong link says only that it is not valid.
- `/receipts`: anyone checks a receipt (signature by the log's key, each file's entry
  in the log under a signed checkpoint).

The language is the browser's (`Accept-Language`) unless the page's switch asked for
another (`?lang=`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from evidence import i18n
from evidence.citizen_models import EvidenceRequest
from evidence.deps import ClientDep, SessionDep
from evidence.errors import InvalidInput, NotFound
from evidence.i18n import N_
from evidence.models import Case
from evidence.routers.citizen_link import GuardDep
from evidence.service import citizen_link, citizen_receipts
from evidence.service.citizen_link import LinkClosed, parse_receipt_text
from evidence.throttle import Throttled
from evidence.web.core import WebRoute, language, page

router = APIRouter(include_in_schema=False, route_class=WebRoute)
MAX_RECEIPT = 200_000  # characters of a pasted receipt (the API's bound)
CLOSED_TITLES = {
    "expired": N_("This link has expired"),
    "revoked": N_("This link was withdrawn"),
    "used up": N_("This link has received all its files"),
    "unknown": N_("This link is not valid"),
    "throttled": N_("Too many attempts"),
}
CLOSED_TEXTS = {
    "expired": N_("The time for sending files through this link is over. If you still have "
                  "files for the investigation, ask the investigator for a new link."),
    "revoked": N_("The investigator withdrew this link, so it accepts no files. If you still "
                  "have files for the investigation, contact the investigator."),
    "used up": N_("This link has already received as many files as it may take. If you have "
                  "more, ask the investigator for a new link."),
    "unknown": N_("Check that the whole link was copied from the message. If it still does "
                  "not open, contact the investigator who sent it."),
    "throttled": N_("Too many wrong links were opened from this connection. Wait a few "
                    "minutes and try again."),
}  # fmt: skip


def _public(request: Request, name: str, *, status_code: int = 200, **context: Any) -> Response:
    """A page of the public: no navigation, no account; the token in the address never
    leaves in a Referer."""
    response = page(request, name, None, status_code=status_code, wasm=True, **context)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _closed(request: Request, why: str, *, status_code: int, files: int = 0,
            token: str = "") -> Response:  # fmt: skip
    i18n.activate(language(request))
    return _public(
        request, "citizen_closed.html", status_code=status_code, why=why,
        title=i18n.gettext(CLOSED_TITLES[why]), text=i18n.gettext(CLOSED_TEXTS[why]),
        files=files, token=token,
    )  # fmt: skip


def _strings() -> dict[str, Any]:
    """What the page's script says, in the page's language (`{name}` placeholders)."""
    return {
        "units": [
            i18n.gettext("B"),
            i18n.gettext("KiB"),
            i18n.gettext("MiB"),
            i18n.gettext("GiB"),
            i18n.gettext("TiB"),
        ],
        "ready": i18n.gettext("Ready to send"),
        "hashing": i18n.gettext("Computing the fingerprint… {percent}"),
        "sending": i18n.gettext("Sending… {percent}"),
        "waiting": i18n.gettext(
            "No connection. Trying again in {seconds} s; the sending will go on where it stopped."
        ),
        "received": i18n.gettext("Received"),
        "refused": i18n.gettext("Not accepted: {reason}"),
        "toolarge": i18n.gettext("This file is larger than the {limit} this link accepts."),
        "toomany": i18n.gettext("This link accepts {count} more file(s)."),
        "empty": i18n.gettext("This file is empty."),
        "nofiles": i18n.gettext("Choose at least one file."),
        "busy": i18n.gettext("Files are still being sent. Leave anyway?"),
        "summary": i18n.gettext("{done} of {total} files sent ({sent} of {size})"),
        "finished": i18n.gettext("All files were received. Your receipt is below."),
        "someleft": i18n.gettext("{failed} file(s) were not accepted; the others were received."),
        "remove": i18n.gettext("Remove"),
        "restarted": i18n.gettext("The server lost the file three times; try again later."),
        "ledger": i18n.gettext("entry {index} of the custody log"),
    }


def _limits(row: EvidenceRequest) -> dict[str, int]:
    return {
        "max_files": row.max_files,
        "max_file_bytes": row.max_file_bytes,
        "max_total_bytes": row.max_total_bytes,
        "files_received": row.files_received,
        "bytes_received": row.bytes_received,
    }


@router.get("/r/{token}")
def link_page(
    token: str, request: Request, session: SessionDep, guard: GuardDep, client: ClientDep
) -> Response:
    """The person's page of a request."""
    try:
        row = citizen_link.open_link(session=session, token=token, guard=guard, client=client)
        citizen_link.refuse_if_closed(session, row, client=client)
    except LinkClosed as exc:
        # A used-up link still gives its receipt; an expired one too (the files were
        # received); a revoked link may have leaked, so it shows nothing.
        received = 0
        if exc.why != "revoked":
            found = citizen_link.find_request(
                session=session, token=token, guard=guard, client=client
            )
            received = found.files_received
        return _closed(request, exc.why, status_code=410, files=received, token=token)
    except NotFound:
        return _closed(request, "unknown", status_code=404)
    except Throttled:
        return _closed(request, "throttled", status_code=429)
    case = session.get(Case, row.case_id)
    i18n.activate(language(request))
    return _public(
        request, "citizen.html", row=row, token=token,
        case_number=case.number if case is not None and row.show_case_number else None,
        limits=_limits(row), strings=_strings(),
    )  # fmt: skip


def _note_of(text: str) -> str:
    """The signed note of what was pasted or chosen: the JSON download, or the note."""
    text = text.strip().replace("\r\n", "\n")
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput("this is not a Dalel receipt") from exc
        text = str(data.get("note", "")) if isinstance(data, dict) else ""
    return text if text.endswith("\n") else text + "\n"


def _files_of(note: str) -> list[dict[str, Any]]:
    body_text = note.split("\n\n", 1)[0] + "\n"
    try:
        files = parse_receipt_text(body_text)["files"]
    except InvalidInput:
        return []
    return [f for f in files if isinstance(f, dict)]


@router.get("/receipts")
def receipt_check_page(request: Request) -> Response:
    """The public receipt check: paste the receipt or choose its JSON file."""
    return _public(request, "receipt_check.html", result=None, pasted="")


@router.post("/receipts")
async def receipt_check(request: Request, session: SessionDep) -> Response:
    """Check a receipt: the answer names only the receipt's own entries."""
    form = await request.form()
    pasted = str(form.get("receipt", "") or "")[:MAX_RECEIPT]
    result: dict[str, Any]
    try:
        note = _note_of(pasted)
        result = citizen_receipts.verify_receipt(session=session, note=note)
    except InvalidInput:
        note, result = "", {"signature": False, "files": []}
    session.commit()
    files = _files_of(note) if result.get("signature") else []
    rows = [
        {
            **answer,
            "name": f.get("name", ""),
            "size": f.get("size"),
            "leaf_hash": f.get("leaf_hash"),
        }
        for answer, f in zip(result.get("files", []), files, strict=False)
    ]
    return _public(request, "receipt_check.html", result=result, rows=rows, pasted=pasted)
