"""The exemption log as a PDF for people (kk, ru, en): per item and plan, who approved
it and when; per hidden region, what kind of data, where, on which legal basis.

Made from the JSON log (``redaction.exemptions.exemption_log``), so it can hold nothing
the JSON does not: never a hidden value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF

from evidence import i18n
from redaction.labels import ENTITIES

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LANGUAGES = ("kk", "ru", "en")

_WORDS: dict[str, dict[str, str]] = {
    "title": {
        "kk": "Бүркемелеу негіздерінің журналы",
        "ru": "Журнал оснований обезличивания",
        "en": "Redaction exemption log",
    },
    "intro": {
        "kk": "Әр жасырылған аймақ үшін: деректер түрі, орны, құқықтық негізі, кім және қашан "
        "бекітті. Жасырылған мәндердің өзі бұл журналда жоқ.",
        "ru": "Для каждой скрытой области: вид данных, место, правовое основание, кто и когда "
        "утвердил. Самих скрытых значений в журнале нет.",
        "en": "For each hidden region: the kind of data, where it is, the legal basis, who "
        "approved it and when. The hidden values themselves are not in this log.",
    },
    "item": {"kk": "Материал", "ru": "Материал", "en": "Item"},
    "plan": {"kk": "Жоспар", "ru": "План", "en": "Plan"},
    "version": {"kk": "нұсқа", "ru": "версия", "en": "version"},
    "approved": {"kk": "Бекіткен", "ru": "Утвердил(а)", "en": "Approved by"},
    "overridden": {
        "kk": "қалдық тексерісінің бұғаты себебі көрсетіліп алынды",
        "ru": "блокировка проверки остатков снята с указанием причины",
        "en": "the residual check's block was overridden for a recorded reason",
    },
    "missing": {
        "kk": "жоспар бұл жүйеде жоқ",
        "ru": "плана нет в этой системе",
        "en": "the plan is not in this system",
    },
    "none": {"kk": "жасырылған аймақ жоқ", "ru": "скрытых областей нет", "en": "nothing hidden"},
    "chars": {"kk": "таңбалар", "ru": "символы", "en": "characters"},
    "page": {"kk": "бет", "ru": "стр.", "en": "page"},
    "s": {"kk": "с", "ru": "с", "en": "s"},
    "note": {"kk": "ескертпе", "ru": "примечание", "en": "note"},
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][lang]


def _where(region: dict[str, Any], lang: str) -> str:
    kind = region.get("kind")
    if kind == "span":
        text = f"{_w('chars', lang)} {region.get('start')}–{region.get('end')}"
        pages = sorted({c["page"] for c in region.get("covers") or [] if "page" in c})
        times = [c for c in region.get("covers") or [] if c.get("kind") == "time"]
        if pages:
            text += f" ({_w('page', lang)} {', '.join(map(str, pages))})"
        if times:
            text += f" ({times[0]['start']:.2f}–{times[-1]['end']:.2f} {_w('s', lang)})"
        return text
    if kind == "box":
        text = (
            f"{_w('page', lang)} {region.get('page')}: {region.get('left')},{region.get('top')} "
            f"{region.get('width')}×{region.get('height')}"
        )
        if "t_start" in region:
            text += f" ({region['t_start']}–{region['t_end']} {_w('s', lang)})"
        return text
    return f"{region.get('start')}–{region.get('end')} {_w('s', lang)}"


def exemption_log_pdf(log: dict[str, Any], *, language: str) -> bytes:
    """One language's PDF of ``log``."""
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    bold = FONT_DIR / "DejaVuSans-Bold.ttf"
    pdf.add_font("DejaVu", "B", str(bold if bold.exists() else FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_title(_w("title", language))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, _w("title", language), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, _w("intro", language), new_x="LMARGIN", new_y="NEXT")
    catalog = i18n.translations(language)
    bases = log.get("bases") or {}
    for entry in log.get("items") or []:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, f"{_w('item', language)} {entry['item']}", new_x="LMARGIN",
                       new_y="NEXT")  # fmt: skip
        for plan in entry.get("plans") or []:
            pdf.set_font("DejaVu", "B", 9)
            head = f"{_w('plan', language)} {plan['plan_id']}"
            if plan.get("missing"):
                head += f" — {_w('missing', language)}"
            else:
                head += (
                    f", {_w('version', language)} {plan.get('version')} · "
                    f"{_w('approved', language)}: {plan.get('approved_by')}, "
                    f"{str(plan.get('approved_at') or '')[:19].replace('T', ' ')} UTC"
                )
            pdf.multi_cell(0, 5, head, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 9)
            if plan.get("residual") == "overridden":
                pdf.multi_cell(0, 5, _w("overridden", language), new_x="LMARGIN", new_y="NEXT")
            if not plan.get("regions") and not plan.get("missing"):
                pdf.multi_cell(0, 5, _w("none", language), new_x="LMARGIN", new_y="NEXT")
            for region in plan.get("regions") or []:
                label = ENTITIES.get(region["entity_type"])
                kind = catalog.gettext(label) if label else region["entity_type"]
                basis = (bases.get(region["basis"]) or {}).get(language) or region["basis"]
                line = (
                    f"#{region['number']} {kind} — {_where(region['region'], language)} — "
                    f"{basis} [{region['basis']}]"
                )
                if region.get("note"):
                    line += f" — {_w('note', language)}: {region['note']}"
                pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_files(log: dict[str, Any]) -> dict[str, bytes]:
    """``exemption-log.{kk,ru,en}.pdf`` for a bundle."""
    return {
        f"exemption-log.{lang}.pdf": exemption_log_pdf(log, language=lang) for lang in LANGUAGES
    }
