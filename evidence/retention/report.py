"""The retention report of a case as PDF (kk / ru / en): category, legal basis, purpose,
lifecycle dates, legal holds, and what was purged under whose approvals.

Layout only: `evidence.service.retention_report` loads the facts and checks the policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from evidence.errors import InvalidInput

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LANGUAGES = ("kk", "ru", "en")

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Retention report", "ru": "Отчёт о сроках хранения",
              "kk": "Сақтау мерзімдері туралы есеп"},
    "case": {"en": "Case", "ru": "Дело", "kk": "Іс"},
    "generated": {"en": "Generated (UTC)", "ru": "Сформирован (UTC)",
                  "kk": "Жасалған уақыты (UTC)"},
    "category": {"en": "Retention category", "ru": "Категория хранения",
                 "kk": "Сақтау санаты"},
    "basis": {"en": "Legal basis", "ru": "Правовое основание", "kk": "Құқықтық негіз"},
    "purpose": {"en": "Purpose", "ru": "Цель обработки", "kk": "Өңдеу мақсаты"},
    "dates": {"en": "Case dates", "ru": "Даты по делу", "kk": "Іс бойынша күндер"},
    "closed_at": {"en": "Case closed", "ru": "Дело прекращено", "kk": "Іс тоқтатылды"},
    "verdict_at": {"en": "Verdict", "ru": "Приговор", "kk": "Үкім"},
    "appeal_ended_at": {"en": "Appeal ended (verdict in force)",
                        "ru": "Обжалование окончено (приговор вступил в силу)",
                        "kk": "Шағымдану аяқталды (үкім күшіне енді)"},
    "not_set": {"en": "not set", "ru": "не указано", "kk": "көрсетілмеген"},
    "items": {"en": "Items", "ru": "Объекты", "kk": "Нысандар"},
    "counts": {"en": "In the case / dated / kept indefinitely for now / purged",
               "ru": "В деле / со сроком / пока бессрочно / удалено",
               "kk": "Істе / мерзімі бар / әзірге мерзімсіз / жойылған"},
    "next_date": {"en": "Next retention date", "ru": "Ближайший срок хранения",
                  "kk": "Жақын сақтау мерзімі"},
    "holds": {"en": "Legal holds", "ru": "Запреты на удаление (legal hold)",
              "kk": "Жоюға тыйымдар (legal hold)"},
    "no_holds": {"en": "No legal hold was ever placed.", "ru": "Запретов не налагалось.",
                 "kk": "Тыйым салынбаған."},
    "scope_case": {"en": "whole case", "ru": "всё дело", "kk": "бүкіл іс"},
    "placed": {"en": "placed by", "ru": "наложил", "kk": "салған"},
    "released": {"en": "released by", "ru": "снял", "kk": "алған"},
    "in_force": {"en": "in force", "ru": "действует", "kk": "күшінде"},
    "purges": {"en": "Purges", "ru": "Удаления по истечении срока",
               "kk": "Мерзімі өткен соң жою"},
    "no_purges": {"en": "Nothing was proposed for purging.",
                  "ru": "Удаление не предлагалось.", "kk": "Жою ұсынылмаған."},
    "proposed": {"en": "proposed by", "ru": "предложил", "kk": "ұсынған"},
    "approved": {"en": "approved by", "ru": "утвердил", "kk": "бекіткен"},
    "rejected": {"en": "rejected by", "ru": "отклонил", "kk": "бас тартқан"},
    "reason": {"en": "reason", "ru": "основание", "kk": "себебі"},
    "purged_on": {"en": "purged on", "ru": "удалён", "kk": "жойылды"},
    "kept": {"en": "kept", "ru": "сохранён", "kk": "сақталды"},
    "pending": {"en": "pending", "ru": "ожидает", "kk": "күтуде"},
    "note": {
        "en": "Purged items keep their record (name, SHA-256, size, dates, approvals); their "
              "custody chain ends with the purge event and still verifies.",
        "ru": "Удалённые объекты сохраняют запись (имя, SHA-256, размер, даты, утверждения); "
              "их цепочка хранения заканчивается событием удаления и по-прежнему проверяется.",
        "kk": "Жойылған нысандардың жазбасы сақталады (атауы, SHA-256, көлемі, күндері, "
              "бекітулер); сақтау тізбегі жою оқиғасымен аяқталып, тексеріле береді.",
    },
}  # fmt: skip


def label(key: str, language: str) -> str:
    return LABELS[key][language]


@dataclass(frozen=True, slots=True)
class HoldLine:
    scope: str  # an item's name, or "" for the whole case
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None
    release_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PurgedLine:
    name: str
    sha256: str
    size: int
    outcome: str | None
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class PurgeBlock:
    state: str
    reason: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    items: list[PurgedLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RetentionFacts:
    case_number: str
    case_title: str
    category: str
    legal_basis: str
    purpose: str
    dates: dict[str, datetime | None]
    counts: dict[str, int]
    next_date: datetime | None
    holds: Sequence[HoldLine]
    purges: Sequence[PurgeBlock]
    generated_at: datetime


class _Pdf(FPDF):
    def __init__(self, font_dir: Path) -> None:
        super().__init__(format="A4")
        regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
        if not regular.exists():
            raise InvalidInput("font %(font)s is missing (fonts-dejavu-core)", font=str(regular))
        self.add_font("DejaVu", "", str(regular))
        self.add_font("DejaVu", "B", str(bold if bold.exists() else regular))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def heading(self, text: str, size: int = 12) -> None:
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", size=9)

    def line_of(self, text: str) -> None:
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", align="L")

    def pairs(self, rows: Sequence[tuple[str, str]]) -> None:
        with self.table(
            col_widths=(55, 125), first_row_as_headings=False, line_height=5, text_align="LEFT"
        ) as table:
            for key, value in rows:
                row = table.row()
                row.cell(key)
                row.cell(value)
        self.ln(2)


def _day(moment: datetime | None, lang: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else label("not_set", lang)


def _holds(pdf: _Pdf, holds: Sequence[HoldLine], lang: str) -> None:
    pdf.heading(label("holds", lang), 11)
    if not holds:
        pdf.line_of(label("no_holds", lang))
    for hold in holds:
        scope = hold.scope or label("scope_case", lang)
        text = f"• {scope}: {label('placed', lang)} {hold.placed_by} {_day(hold.placed_at, lang)}"
        text += f" ({label('reason', lang)}: {hold.reason})"
        if hold.released_at:
            text += (
                f"; {label('released', lang)} {hold.released_by} {_day(hold.released_at, lang)}"
                f" ({label('reason', lang)}: {hold.release_reason})"
            )
        else:
            text += f"; {label('in_force', lang)}"
        pdf.line_of(text)
    pdf.ln(2)


def _purges(pdf: _Pdf, purges: Sequence[PurgeBlock], lang: str) -> None:
    pdf.heading(label("purges", lang), 11)
    if not purges:
        pdf.line_of(label("no_purges", lang))
    for block in purges:
        pdf.set_font("DejaVu", "B", 9)
        pdf.line_of(f"{block.state}: {block.reason}")
        pdf.set_font("DejaVu", size=9)
        pdf.line_of(
            f"{label('proposed', lang)} {block.proposed_by} {_day(block.proposed_at, lang)}"
        )
        if block.decided_by:
            verb = "rejected" if block.state == "rejected" else "approved"
            extra = f" ({block.decision_reason})" if block.decision_reason else ""
            pdf.line_of(
                f"{label(verb, lang)} {block.decided_by} {_day(block.decided_at, lang)}{extra}"
            )
        for line in block.items:
            if line.outcome == "purged":
                state = f"{label('purged_on', lang)} {_day(line.done_at, lang)}"
            elif line.outcome:
                state = f"{label('kept', lang)}: {line.outcome.removeprefix('kept: ')}"
            else:
                state = label("pending", lang)
            pdf.line_of(f"   {line.name} · {line.sha256} · {line.size:,} B · {state}")
        pdf.ln(2)


def retention_report_pdf(
    facts: RetentionFacts, *, language: str = "en", font_dir: Path = FONT_DIR
) -> bytes:
    """Render the report; PDF bytes."""
    if language not in LANGUAGES:
        raise InvalidInput("report language must be one of kk, ru, en")
    lang = language
    pdf = _Pdf(font_dir)
    pdf.set_title(label("title", lang))
    pdf.add_page()
    pdf.heading(label("title", lang), 15)
    pdf.line_of(f"{label('case', lang)} {facts.case_number} — {facts.case_title}")
    pdf.line_of(f"{label('generated', lang)}: {facts.generated_at.strftime('%Y-%m-%d %H:%M')}")
    pdf.ln(3)
    counts = facts.counts
    pdf.pairs(
        [
            (label("category", lang), facts.category),
            (label("basis", lang), facts.legal_basis or label("not_set", lang)),
            (label("purpose", lang), facts.purpose or label("not_set", lang)),
            *((label(key, lang), _day(value, lang)) for key, value in facts.dates.items()),
            (
                label("counts", lang),
                f"{counts.get('items', 0)} / {counts.get('dated', 0)} / "
                f"{counts.get('undated', 0)} / {counts.get('purged', 0)}",
            ),
            (label("next_date", lang), _day(facts.next_date, lang)),
        ]
    )
    _holds(pdf, facts.holds, lang)
    _purges(pdf, facts.purges, lang)
    pdf.line_of(label("note", lang))
    return bytes(pdf.output())
