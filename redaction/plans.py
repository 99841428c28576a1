"""Pure plan logic: the analysed text of pages and transcripts, and where spans land.

A page or a transcript is turned into one text with a word index (character offsets →
page box or time range), so the same analyzer, the same "redact all occurrences" search
and the same manual span handling serve text files, scanned pages and speech alike.
No database and no evidence bytes here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from redaction.errors import RedactionError


class PlanError(RedactionError):
    """A plan edit is impossible: bad target, unknown proposal, wrong state."""


@dataclass(frozen=True, slots=True)
class IndexedText:
    """Text plus one entry per word: offsets into the text and the word's geometry."""

    text: str
    words: list[dict[str, Any]]


def pages_text(pages: Iterable[dict[str, Any]]) -> IndexedText:
    """Join OCR/text-layer words page by page: spaces within a line, newlines between.

    ``pages`` are ``{"page", "words": [{"text", "left", "top", "width", "height",
    "line"}]}``; the text is rebuilt from the words (not taken from the page text) so
    that every character offset maps to exactly one box.
    """
    parts: list[str] = []
    words: list[dict[str, Any]] = []
    length = 0
    for page in pages:
        if parts:
            parts.append("\n\n")
            length += 2
        line = None
        for word in page["words"]:
            token = str(word["text"]).strip()
            if not token:
                continue
            if line is not None:
                sep = " " if word.get("line") == line else "\n"
                parts.append(sep)
                length += 1
            line = word.get("line")
            box = {k: int(word[k]) for k in ("left", "top", "width", "height")}
            words.append({"start": length, "end": length + len(token), "page": page["page"], **box})
            parts.append(token)
            length += len(token)
    return IndexedText("".join(parts), words)


def transcript_text(segments: Iterable[dict[str, Any]]) -> IndexedText:
    """Join transcript words: spaces within a segment, a newline between segments."""
    parts: list[str] = []
    words: list[dict[str, Any]] = []
    length = 0
    for segment in segments:
        seg_words = segment.get("words") or []
        if not seg_words:
            continue
        if parts:
            parts.append("\n")
            length += 1
        for i, word in enumerate(seg_words):
            token = str(word["word"]).strip()
            if not token:
                continue
            if i and parts and not parts[-1].endswith("\n"):
                parts.append(" ")
                length += 1
            words.append(
                {
                    "start": length,
                    "end": length + len(token),
                    "t0": float(word["start"]),
                    "t1": float(word["end"]),
                }
            )
            parts.append(token)
            length += len(token)
    return IndexedText("".join(parts), words)


def regions_for_span(
    *, words: Sequence[dict[str, Any]], start: int, end: int
) -> list[dict[str, Any]]:
    """Boxes or time ranges covering every word that the span touches, even in part.

    A partly covered word is hidden whole: OCR and speech have no sub-word geometry,
    and leaking half an IIN is worse than hiding a neighbouring character.
    """
    hit = [w for w in words if w["start"] < end and start < w["end"]]
    if not hit:
        return []
    if "t0" in hit[0]:
        return [
            {"kind": "time", "start": min(w["t0"] for w in hit), "end": max(w["t1"] for w in hit)}
        ]
    boxes: list[dict[str, Any]] = []
    for w in hit:
        box = {"kind": "box", **{k: w[k] for k in ("page", "left", "top", "width", "height")}}
        last = boxes[-1] if boxes else None
        # Words of one line become one box: fewer seams for OCR to read between.
        if (
            last is not None
            and last["page"] == box["page"]
            and box["top"] < last["top"] + last["height"]
            and last["top"] < box["top"] + box["height"]
            and box["left"] >= last["left"]
        ):
            right = max(last["left"] + last["width"], box["left"] + box["width"])
            bottom = max(last["top"] + last["height"], box["top"] + box["height"])
            last["top"] = min(last["top"], box["top"])
            last["width"] = right - last["left"]
            last["height"] = bottom - last["top"]
        else:
            boxes.append(box)
    return boxes


def find_occurrences(*, text: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``text``: case-insensitive, any whitespace run.

    Used by "redact all occurrences": a name split over a line break or typed in
    capitals is still the same name.
    """
    words = needle.split()
    if not words:
        raise PlanError("nothing to search for")
    pattern = r"\s+".join(re.escape(w) for w in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


_BOX_KEYS = ("page", "left", "top", "width", "height")
# Seconds of media (about 11.5 days, as for clips and notes) and pixels or pages of a
# box: bounds that no real target reaches, so a hostile one fails here, not deeper.
MAX_SECONDS = 1_000_000.0
MAX_BOX = 1_000_000
# Slack for rounding between a player's clock and the probed duration.
DURATION_SLACK = 0.5


def _finite(value: Any, *, limit: float) -> float:
    """A number from a reviewer's target: finite (JSON's 1e400 parses as infinity) and
    within ±`limit`."""
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise PlanError("a target's numbers are finite and at most %(max)d", max=limit)
    return number


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_BOX:
            raise PlanError("a target's numbers are finite and at most %(max)d", max=MAX_BOX)
        return value
    return int(_finite(value, limit=MAX_BOX))


def _inside(end: float, duration: float | None) -> None:
    if duration is not None and end > duration + DURATION_SLACK:
        raise PlanError(
            "the time is past the end of the media (%(duration).1f s)", duration=duration
        )


# Page number → (width, height) in the pixels boxes are measured in.
Frames = dict[int, tuple[int, int]]


def frames_of(media: dict[str, Any]) -> Frames:
    """The pages (or the video frame) a box may be drawn on, by number; empty when the
    item has no pixels (text, audio). Sizes are those the boxes are measured in: the
    OCR raster of each page, the upright image, the video's frame."""
    if media.get("pages"):
        return {
            int(p["page"]): (int(p["width"]), int(p["height"]))
            for p in media["pages"]
            if p.get("width") and p.get("height")
        }
    video = media.get("video") or {}
    if video.get("width") and video.get("height"):
        return {1: (int(video["width"]), int(video["height"]))}
    return {}


def check_box(target: dict[str, Any], *, frames: Frames | None) -> dict[str, Any]:
    """A page or frame box in canonical form, refused unless it lies on a page.

    Refused: a missing or non-finite coordinate, zero or negative size, a negative edge,
    a page the item does not have (``frames``; None: unchecked), a box past the edge.
    """
    try:
        box: dict[str, Any] = {k: _int(target[k]) for k in _BOX_KEYS}
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise PlanError(
            "incomplete or malformed %(kind)s target: %(reason)s", kind="box", reason=exc
        ) from exc
    if box["width"] <= 0 or box["height"] <= 0:
        raise PlanError("a box needs a positive width and height")
    if box["page"] < 1 or min(box.values()) < 0:
        raise PlanError("a box needs page >= 1 and no negative edge")
    if frames is not None:
        if not frames:
            raise PlanError("this item has no pages or frames to draw a box on")
        if box["page"] not in frames:
            raise PlanError(
                "page %(page)s is not in this item (it has %(pages)s)",
                page=box["page"], pages=len(frames),
            )  # fmt: skip
        width, height = frames[box["page"]]
        if box["left"] + box["width"] > width or box["top"] + box["height"] > height:
            raise PlanError(
                "the box reaches outside page %(page)s (%(width)s×%(height)s pixels)",
                page=box["page"], width=width, height=height,
            )  # fmt: skip
    return box


def check_target(
    target: dict[str, Any],
    *,
    text_length: int | None,
    duration: float | None = None,
    frames: Frames | None = None,
) -> dict[str, Any]:
    """Validate a target sent by a reviewer and return it in canonical form; times are
    checked against the media's `duration` (seconds) when it is known, boxes against
    the item's pages (``frames_of(source.media)``) when given."""
    kind = target.get("kind")
    try:
        if kind == "span":
            start, end = _int(target["start"]), _int(target["end"])
            if text_length is None or not 0 <= start < end <= text_length:
                raise PlanError(
                    "span %(start)s-%(end)s is outside the analysed text", start=start, end=end
                )
            return {"kind": "span", "start": start, "end": end}
        if kind == "box":
            box = check_box(target, frames=frames)
            if "t_start" in target or "t_end" in target:
                # A box on a video over a time range (manual track).
                t0 = _finite(target["t_start"], limit=MAX_SECONDS)
                t1 = _finite(target["t_end"], limit=MAX_SECONDS)
                if not 0 <= t0 < t1:
                    raise PlanError("a box's time range must have 0 <= t_start < t_end")
                _inside(t1, duration)
                box |= {"t_start": t0, "t_end": t1}
            return {"kind": "box", **box}
        if kind == "time":
            start_t = _finite(target["start"], limit=MAX_SECONDS)
            end_t = _finite(target["end"], limit=MAX_SECONDS)
            if not 0 <= start_t < end_t:
                raise PlanError("a time range must have 0 <= start < end")
            _inside(end_t, duration)
            return {"kind": "time", "start": start_t, "end": end_t}
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise PlanError(
            "incomplete or malformed %(kind)s target: %(reason)s", kind=kind, reason=exc
        ) from exc
    raise PlanError("a target's kind is span, box or time")


def apply_decisions(
    rows: list[dict[str, Any]],
    *,
    decisions: dict[int, Any],
    default: Any = None,
    bases: dict[int, str] | None = None,
    notes: dict[int, str | None] | None = None,
) -> list[dict[str, Any]]:
    """Set decisions by proposal number; ``default`` applies to the other pending ones.

    ``bases`` sets a proposal's legal basis (a configured code), ``notes`` its note
    (None or "" clears it); both by number, like decisions.
    """
    from redaction.exemptions import check_basis

    bases, notes = bases or {}, notes or {}
    for code in bases.values():
        check_basis(code)
    unknown = (set(decisions) | set(bases) | set(notes)) - {r["number"] for r in rows}
    if unknown:
        raise PlanError(
            "no proposals numbered %(numbers)s in this plan",
            numbers=", ".join(map(str, sorted(unknown))),
        )
    for row in rows:
        if row["number"] in decisions:
            row["decision"] = str(decisions[row["number"]])
        elif default is not None and row["decision"] == "pending":
            row["decision"] = str(default)
        if row["number"] in bases:
            row["reason"] = bases[row["number"]]
        if row["number"] in notes:
            row["note"] = (notes[row["number"]] or "").strip()[:500] or None
    return rows


def manual_row(
    *,
    number: int,
    target: dict[str, Any],
    entity_type: str,
    reason: str | None,
    text: str,
    words: Sequence[dict[str, Any]],
    note: str | None = None,
    duration: float | None = None,
    frames: Frames | None = None,
) -> dict[str, Any]:
    """A reviewer-drawn proposal, accepted on creation (a person drew it: it is meant);
    its times are checked against the media's `duration` when known."""
    from redaction.analyzer import reason_code
    from redaction.exemptions import check_basis

    if reason is not None:
        check_basis(reason)
    target = check_target(
        target, text_length=len(text) if text else None, duration=duration, frames=frames
    )
    regions: list[dict[str, Any]] = []
    value = None
    if target["kind"] == "span":
        value = text[target["start"] : target["end"]]
        regions = regions_for_span(words=words, start=target["start"], end=target["end"])
    return {
        "number": number,
        "entity_type": entity_type,
        "score": 1.0,
        "source": "manual",
        "reason": reason or reason_code(entity_type=entity_type),
        "decision": "accepted",
        "text": value,
        "target": target,
        "regions": regions,
        "note": note,
    }


def add_occurrences(
    rows: list[dict[str, Any]],
    *,
    text: str,
    words: Sequence[dict[str, Any]],
    needle: str,
    entity_type: str,
    reason: str | None,
) -> list[dict[str, Any]]:
    """ "Redact all occurrences": accept proposals on each occurrence, add the missing."""
    if not text:
        raise PlanError("this item has no analysed text to search")
    if reason is not None:
        from redaction.exemptions import check_basis

        check_basis(reason)
    spans = {(r["target"].get("start"), r["target"].get("end")): r for r in rows}
    for start, end in find_occurrences(text=text, needle=needle):
        existing = spans.get((start, end))
        if existing is not None:
            existing["decision"] = "accepted"
            if reason is not None:
                existing["reason"] = reason
            continue
        row = manual_row(
            number=max((r["number"] for r in rows), default=0) + 1,
            target={"kind": "span", "start": start, "end": end},
            entity_type=entity_type,
            reason=reason,
            text=text,
            words=words,
            note="redact all occurrences",
        )
        rows.append(row)
        spans[(start, end)] = row
    return rows
