"""The tree's hygiene: no private reach-ins, no lazy imports across layers, no custody
action that nothing records.

A name shared between modules is public (named without the underscore, with a docstring);
otherwise the modules belong together. Walks every module of the five packages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from custody.events import Action

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("custody", "evidence", "ingest", "redaction", "disclosure")


def private_imports(folders: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom):
                    continue
                ours = node.level > 0 or (node.module or "").split(".")[0] in PACKAGES
                for alias in node.names if ours else []:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        where = path.relative_to(ROOT)
                        found.append(f"{where}:{node.lineno}: {node.module}.{alias.name}")
    return found


def test_no_module_imports_a_private_name_of_another() -> None:
    assert private_imports(PACKAGES) == []


def test_every_custody_action_is_recorded_somewhere() -> None:
    """An `Action` member is written by some code (not only defined, labelled, translated)."""
    skip = {ROOT / "custody" / "events.py", ROOT / "evidence" / "web" / "labels.py"}
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in PACKAGES
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in skip and not path.name.endswith("translations.py")
    )
    unused = [
        action.value
        for action in Action
        if not re.search(rf"\bAction\.{action.name}\b", code) and f'"{action.value}"' not in code
    ]
    assert unused == []


def test_evidence_imports_by_name_only_in_app_assembly_and_routers_not_the_web_layer() -> None:
    """Only the registration tables turn names into modules: the app's (routers, stages,
    errors), the tables' (`evidence.tables`) and the catalog tool's (translation tables);
    the API routers never import the web pages' layer."""
    by_name = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "evidence").rglob("*.py"))
        if re.search(r"\bimport_module\(|__import__\(", path.read_text(encoding="utf-8"))
    ]
    assert by_name == ["evidence/app.py", "evidence/i18n/update.py", "evidence/tables.py"]
    web = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "evidence" / "routers").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evidence.web")
    ]
    assert web == []


def test_an_item_event_is_recorded_one_way() -> None:
    """`custody.record(...)` naming a case (id and number) and an item (id and hash) is
    `evidence.service.record_item_event`, written once."""
    spelled = []
    for folder in PACKAGES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "custody"
                    and {"case_id", "case_number", "item_id", "sha256"}
                    <= {k.arg for k in node.keywords}
                ):
                    spelled.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert [s.split(":")[0] for s in spelled] == ["evidence/service/item_events.py"]
