"""Text renderer: placeholders, consistent numbering, masks, overlaps, bad spans."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from redaction.errors import RedactionError
from redaction.render.text import render_text


@dataclass
class S:
    start: int
    end: int
    entity_type: str


def spans_for(text: str, *parts: tuple[str, str]) -> list[S]:
    out, pos = [], 0
    for value, entity in parts:
        start = text.index(value, pos)
        out.append(S(start, start + len(value), entity))
        pos = start + len(value)
    return out


TEXT = (
    "Свидетель Ахметов Ерлан, ИИН 850312300121, видел Петрову Анну. "
    "Позже Ахметову Ерлану позвонила Петрова Анна."
)
SPANS = spans_for(
    TEXT,
    ("Ахметов Ерлан", "PERSON"),
    ("850312300121", "KZ_IIN"),
    ("Петрову Анну", "PERSON"),
    ("Ахметову Ерлану", "PERSON"),
    ("Петрова Анна", "PERSON"),
)


def test_placeholders_numbered_consistently_across_declension() -> None:
    result = render_text(text=TEXT, spans=SPANS, language="ru")
    assert result.text == (
        "Свидетель [ЛИЦО 1], ИИН [ИИН], видел [ЛИЦО 2]. Позже [ЛИЦО 1] позвонила [ЛИЦО 2]."
    )
    for r in result.replacements:
        assert result.text[r.start : r.end] == f"[{r.label}]"


def test_english_and_kazakh_labels() -> None:
    assert "[IIN]" in render_text(text=TEXT, spans=SPANS, language="en").text
    assert "[ТҰЛҒА 1]" in render_text(text=TEXT, spans=SPANS, language="kk").text


def test_mask_keeps_length_and_line_breaks() -> None:
    text = "ИИН 850312300121\nтел. +7 701 123 45 67"
    spans = spans_for(text, ("850312300121", "KZ_IIN"), ("+7 701 123 45 67", "PHONE_NUMBER"))
    result = render_text(text=text, spans=spans, mode="mask")
    assert len(result.text) == len(text)
    assert result.text == "ИИН ████████████\nтел. ████████████████"
    assert "850312300121" not in result.text


def test_overlapping_spans_merge() -> None:
    text = "ул. Абая, д. 15"
    spans = [S(0, 15, "ADDRESS"), S(4, 8, "PERSON")]
    assert render_text(text=text, spans=spans).text == "[АДРЕС]"


def test_span_outside_text_rejected() -> None:
    with pytest.raises(RedactionError):
        render_text(text="abc", spans=[S(1, 9, "PERSON")])
    with pytest.raises(RedactionError):
        render_text(text="abc", spans=[], mode="blur")


def test_renders_analyzer_findings(analyzer) -> None:
    from redaction.analyzer import analyze_text

    text = "Подозреваемый Кравченко Андрей Викторович, тел. 8 701 777 12 34."
    result = render_text(text=text, spans=analyze_text(text=text, language="ru"))
    assert result.text == "Подозреваемый [ЛИЦО 1], тел. [ТЕЛЕФОН]."
