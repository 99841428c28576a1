"""Words that reach the pages as data are translated there: every custody action has a
label in each language, and the item page shows it beside the code."""

from __future__ import annotations

from custody.events import Action
from evidence import i18n
from evidence.web import labels
from evidence.web.core import action_label, stage_labels


def test_every_custody_action_has_a_label() -> None:
    assert set(labels.ACTIONS) == {a.value for a in Action}, (
        "add the new action to evidence/web/labels.py ACTIONS and translate it"
    )
    for lang in ("kk", "ru"):
        i18n.activate(lang)
        seen = set()
        for code in labels.ACTIONS:
            label = action_label(code)
            assert label != labels.ACTIONS[code] and label.isascii() is False, (lang, code)
            seen.add(label)
        assert len(seen) == len(labels.ACTIONS), f"{lang}: two actions share a label"
    i18n.activate("ru")
    assert action_label("item.content.read") == "просмотр содержимого"
    assert action_label("some.future.action") == "some.future.action"


def test_every_job_stage_has_a_label() -> None:
    """The item page names a job by its stage: each registered stage (ingest's,
    redaction's, disclosure's) has a label, translated."""
    from evidence.app import install_domains
    from ingest.runtime.stages import stages

    install_domains()
    assert set(labels.STAGES) == set(stages()), (
        "add the new stage to evidence/web/labels.py STAGES and translate it"
    )
    i18n.activate("kk")
    assert stage_labels()["transcribe"] == "транскрипциялау"
    assert all(not label.isascii() for label in stage_labels().values())


def test_redaction_words_and_change_notes_are_translated() -> None:
    from redaction import labels as words

    i18n.activate("ru")
    assert words.word(words.ENTITIES, "PHONE_NUMBER") == "номер телефона"
    assert words.word(words.ENTITIES, "CUSTOM_CODE") == "CUSTOM_CODE"
    assert words.change("decisions accepted: 2, rejected: 1; pending → accepted") == (
        "решения: скрыть: 2, оставить: 1; без решения → скрыть"
    )
    assert words.change("decisions ; pending → rejected") == "без решения → оставить"
    assert words.change("manual: 3 added") == "вручную добавлено: 3"
    assert words.change("something new") == "something new"
    assert words.detail({"detail": "x", "template": "the PDF keeps %(key)s",
                         "params": {"key": "/Info"}}) == "в PDF остался /Info"  # fmt: skip
