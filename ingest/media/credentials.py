"""C2PA content credentials: read and validate, offline, and report the result.

A camera, phone or editor that signs its output embeds a C2PA manifest: who signed,
what was done (captured, edited, AI-generated) and a hash binding the manifest to
the pixels. We validate it with the reference SDK (c2pa-python over c2pa-rs) with
every network fetch switched off: no remote manifests, no OCSP. Trust is judged
only against the anchors the caller passes (a setting): without them a good
signature is "Valid" (intact, signer unknown), with them "Trusted". A failed
validation is a finding to record, not an error: this function raises only when
the library itself is missing.
"""

from __future__ import annotations

import json
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from ingest.errors import ToolMissing

_OFFLINE = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}


def _sdk() -> Any:
    try:
        import c2pa
    except ImportError as exc:  # optional dependency, like whisper
        raise ToolMissing(
            "c2pa-python is not installed (content credentials stage)", tool="c2pa-python"
        ) from exc
    return c2pa


def read_content_credentials(
    *, path: Path | str, trust_anchors_pem: str | None = None
) -> dict[str, Any] | None:
    """Validate the C2PA manifest of a file; None when it carries none.

    Returns {"state": "Trusted" | "Valid" | "Invalid" | "unreadable", "active_manifest",
    "title", "claim_generator", "signer": {...}, "actions": [...], "ingredients": [...],
    "failures": [{code, explanation, url}], "embedded", "remote_url", "tool", "raw"}.
    """
    c2pa = _sdk()
    settings: dict[str, Any] = json.loads(json.dumps(_OFFLINE))
    if trust_anchors_pem:
        settings["trust"] = {"trust_anchors": trust_anchors_pem}
    tool = f"c2pa-python {package_version('c2pa-python')} ({c2pa.sdk_version()})"
    try:
        context = c2pa.Context.from_dict(settings)
        reader = c2pa.Reader.try_create(str(path), context=context)
    except c2pa.C2paError.NotSupported:
        return None  # a format C2PA does not define (plain text, most archives)
    except c2pa.C2paError as exc:
        # A manifest is there but cannot be parsed (truncated, or remote only).
        return {"state": "unreadable", "error": str(exc), "tool": tool}
    if reader is None:
        return None
    with reader:
        raw = json.loads(reader.json())
        state = reader.get_validation_state() or raw.get("validation_state")
        embedded = reader.is_embedded()
        remote_url = reader.get_remote_url()
    label = raw.get("active_manifest")
    manifest = (raw.get("manifests") or {}).get(label) or {}
    failures = [
        {k: s.get(k) for k in ("code", "explanation", "url")}
        for s in raw.get("validation_status") or []
        # "untrusted" is the normal case without anchors; the state already says it.
        if not (s.get("code") == "signingCredential.untrusted" and state == "Valid")
    ]
    actions = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions") or []:
                actions.append(
                    {
                        "action": action.get("action"),
                        "when": action.get("when"),
                        "software_agent": action.get("softwareAgent"),
                        "digital_source_type": action.get("digitalSourceType"),
                    }
                )
    generator = manifest.get("claim_generator_info") or []
    return {
        "state": state,
        "active_manifest": label,
        "title": manifest.get("title"),
        "format": manifest.get("format"),
        "claim_generator": generator[0].get("name")
        if generator
        else manifest.get("claim_generator"),
        "signer": manifest.get("signature_info") or {},
        "actions": actions,
        "ingredients": [
            {"title": i.get("title"), "relationship": i.get("relationship")}
            for i in manifest.get("ingredients") or []
        ],
        "failures": failures,
        "embedded": embedded,
        "remote_url": remote_url,
        "tool": tool,
        "raw": raw,
    }
