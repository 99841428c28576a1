"""Pure plan logic: analysed text of pages and transcripts, regions, occurrences, edits."""

from __future__ import annotations

import pytest

from redaction.plans import (
    PlanError,
    add_occurrences,
    apply_decisions,
    check_target,
    find_occurrences,
    manual_row,
    pages_text,
    regions_for_span,
    transcript_text,
)

WORDS = [
    {"text": "Свидетель", "left": 10, "top": 10, "width": 90, "height": 20, "line": 1},
    {"text": "Иванов", "left": 110, "top": 11, "width": 60, "height": 20, "line": 1},
    {"text": "Пётр", "left": 180, "top": 10, "width": 40, "height": 21, "line": 1},
    {"text": "ИИН", "left": 10, "top": 40, "width": 30, "height": 20, "line": 2},
    {"text": "870412300415", "left": 50, "top": 40, "width": 120, "height": 20, "line": 2},
]


def test_pages_text_maps_every_word_to_its_box() -> None:
    indexed = pages_text([{"page": 1, "words": WORDS}, {"page": 2, "words": WORDS[:1]}])
    assert indexed.text == "Свидетель Иванов Пётр\nИИН 870412300415\n\nСвидетель"
    for word in indexed.words:
        assert indexed.text[word["start"] : word["end"]] in {w["text"] for w in WORDS}
    assert indexed.words[-1]["page"] == 2


def test_regions_join_words_of_a_line_and_cover_partial_words() -> None:
    indexed = pages_text([{"page": 1, "words": WORDS}])
    start = indexed.text.index("Иванов")
    boxes = regions_for_span(words=indexed.words, start=start, end=start + len("Иванов Пё"))
    assert boxes == [{"kind": "box", "page": 1, "left": 110, "top": 10, "width": 110, "height": 21}]
    number = indexed.text.index("8704")
    boxes = regions_for_span(words=indexed.words, start=number + 2, end=number + 4)
    assert boxes[0]["left"] == 50 and boxes[0]["width"] == 120  # the whole word
    across = regions_for_span(words=indexed.words, start=start, end=number + 3)
    assert len(across) == 2  # one box per line


def test_transcript_text_gives_time_ranges() -> None:
    segments = [
        {"words": [{"word": " Меня", "start": 0.0, "end": 0.3},
                   {"word": " зовут", "start": 0.3, "end": 0.6},
                   {"word": " Ерлан", "start": 0.7, "end": 1.1}]},
        {"words": []},
        {"words": [{"word": " Ерлан", "start": 5.0, "end": 5.4}]},
    ]  # fmt: skip
    indexed = transcript_text(segments)
    assert indexed.text == "Меня зовут Ерлан\nЕрлан"
    spans = find_occurrences(text=indexed.text, needle="ерлан")
    assert len(spans) == 2
    assert regions_for_span(words=indexed.words, start=spans[1][0], end=spans[1][1]) == [
        {"kind": "time", "start": 5.0, "end": 5.4}
    ]


def test_find_occurrences_across_line_breaks_and_case() -> None:
    text = "ИВАНОВ Пётр; иванов\nпётр; Ивановка"
    assert find_occurrences(text=text, needle="Иванов  Пётр") == [(0, 11), (13, 24)]
    with pytest.raises(PlanError):
        find_occurrences(text=text, needle="  ")


@pytest.mark.parametrize(
    "target",
    [
        {"kind": "span", "start": 3, "end": 3},
        {"kind": "span", "start": -1, "end": 3},
        {"kind": "time", "start": 2, "end": 1},
        {"kind": "box", "page": 1, "left": 0, "top": 0, "width": 0, "height": 5},
        {
            "kind": "box",
            "page": 1,
            "left": 0,
            "top": 0,
            "width": 5,
            "height": 5,
            "t_start": 3,
            "t_end": 2,
        },
        {"kind": "box", "page": 1},
        {"kind": "polygon"},
    ],
)
def test_bad_targets(target: dict) -> None:
    with pytest.raises(PlanError):
        check_target(target, text_length=10)


def test_edits_decide_add_and_redact_all() -> None:
    text = "Ерлан пришёл. Потом ерлан ушёл."
    rows = [
        {"number": 1, "decision": "pending", "target": {"kind": "span", "start": 0, "end": 5}},
        {"number": 2, "decision": "pending", "target": {"kind": "time", "start": 1, "end": 2}},
    ]
    apply_decisions(rows, decisions={2: "rejected"}, default="accepted")
    assert [r["decision"] for r in rows] == ["accepted", "rejected"]
    with pytest.raises(PlanError):
        apply_decisions(rows, decisions={9: "accepted"})
    add_occurrences(rows, text=text, words=[], needle="Ерлан", entity_type="PERSON", reason=None)
    assert len(rows) == 3 and rows[2]["target"] == {"kind": "span", "start": 20, "end": 25}
    assert rows[2]["decision"] == "accepted" and rows[2]["reason"] == "KZ-PDL-art.8"
    box = manual_row(
        number=4, target={"kind": "box", "page": "1", "left": 1, "top": 2, "width": 3, "height": 4},
        entity_type="SCREEN", reason="KZ-PDL-art.8", text=text, words=[],
    )  # fmt: skip
    assert box["target"]["page"] == 1 and box["text"] is None and box["source"] == "manual"


def test_text_items_decode_the_same_way_for_analysis_and_rendering() -> None:
    from redaction.render.text import decode_text

    assert decode_text("\ufeffИИН".encode()) == "ИИН"
    assert decode_text("Иванов".encode("cp1251")) == "Иванов"


def test_redacted_transcript_keeps_segment_times() -> None:
    from redaction.render.text import render_transcript

    indexed = transcript_text(
        [
            {
                "words": [
                    {"word": "Я", "start": 0.0, "end": 0.2},
                    {"word": "Ерлан", "start": 0.3, "end": 0.8},
                ]
            },
            {"words": [{"word": "Привет", "start": 2.0, "end": 2.5}]},
        ]
    )
    spans = [{"start": 2, "end": 7, "entity_type": "PERSON"}]
    body, text = render_transcript(
        text=indexed.text, words=indexed.words, spans=spans, language="ru", mode="placeholder"
    )
    assert text == "Я [ЛИЦО 1]\nПривет"
    assert body["segments"] == [
        {"start": 0.0, "end": 0.8, "text": "Я [ЛИЦО 1]"},
        {"start": 2.0, "end": 2.5, "text": "Привет"},
    ]
    across = [{"start": 2, "end": 10, "entity_type": "PERSON"}]
    body, _ = render_transcript(
        text=indexed.text, words=indexed.words, spans=across, language="ru", mode="placeholder"
    )
    assert [(s["start"], s["end"]) for s in body["segments"]] == [(0.0, 2.5)]
