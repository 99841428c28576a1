"""What the workspace's browser tests share: `dalel serve` in a
subprocess on its own data folder, accounts of every role seeded before it starts,
Chromium through Playwright, signing in through the form, and a poll that needs no
`eval` (the pages' Content-Security-Policy forbids it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from evidence import service
from evidence.config import Settings
from evidence.db import make_engine
from evidence.migrations import upgrade
from evidence.models import Role, User
from evidence.policy import Principal
from evidence.web import assets
from tests.app_kit import PASSWORD
from tests.storage_fixtures import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "workspace"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
# username → (role, full name)
PEOPLE = {
    "admin": (Role.ADMIN, "Әкімші Әлия"),
    "prosecutor": (Role.PROSECUTOR, "Серік Прокуроров"),
    "investigator": (Role.INVESTIGATOR, "Тергеуші Дана"),
    "officer": (Role.OFFICER, "Асқар Полицейский"),
    "court": (Role.COURT, "Судья Жанна"),
    "auditor": (Role.AUDITOR, "Аудитор Бекзат"),
    "defence": (Role.DEFENCE, "Адвокат Марат"),
}


class Server:
    """The real server on a free port, restartable on the same data."""

    def __init__(self, tmp: Path, **env: str) -> None:
        self.data = tmp / "data"
        self.log = tmp / "server.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.settings = Settings(data_dir=self.data)

    def start(self) -> None:
        env = {
            **os.environ,
            "DALEL_DATA_DIR": str(self.data),
            "DALEL_CHECKPOINT_INTERVAL_SECONDS": "0",
            **self.env,
        }
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "evidence.cli", "serve", "--port", str(self.port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        for _ in range(300):
            try:
                httpx.get(f"{self.base}/login", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(self.log.read_text())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def session(self) -> Session:
        """A database session of the server's data (close it; the engine goes with it)."""
        engine = make_engine(self.settings.database_url or "")
        return Session(engine, expire_on_commit=False)

    def token(self, username: str) -> str:
        response = httpx.post(
            f"{self.base}/api/v1/auth/token",
            data={"username": username, "password": PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])


def principal_of(user: User) -> Principal:
    return Principal(user_id=user.id, username=user.username, role=user.role)


def seed_people(settings: Settings, names: tuple[str, ...] = tuple(PEOPLE)) -> dict[str, User]:
    """The accounts of `names` (password: the suite's), written before the server starts."""
    url = settings.database_url or ""
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        users = {
            name: service.create_user(
                session=session,
                principal=None,
                username=name,
                password=PASSWORD,
                role=PEOPLE[name][0],
                full_name=PEOPLE[name][1],
            )
            for name in names
        }
    engine.dispose()
    return users


def seed_case(
    settings: Settings, *, number: str, title: str, owner: User, members: list[str]
) -> str:
    """A case opened by `owner` with `members` added; its id."""
    engine = make_engine(settings.database_url or "")
    with Session(engine, expire_on_commit=False) as session:
        boss = principal_of(owner)
        case = service.create_case(session=session, principal=boss, number=number, title=title)
        for name in members:
            service.add_member(session=session, principal=boss, case_id=case.id, username=name)
    engine.dispose()
    return case.id


def need_browser() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    try:
        assets.ensure_built()
    except assets.AssetsMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture()
def browser() -> Iterator[Any]:
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_page(
    browser: Any, base: str, *, locale: str = "en-US", width: int = 1280, height: int = 900
) -> Any:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    return context.new_page()


def sign_in(
    browser: Any, base: str, name: str, *, lang: str | None = "en", width: int = 1280,
    locale: str = "en-US",
) -> Any:  # fmt: skip
    """A new browser context signed in as `name` through the form (in `lang`, or in the
    browser's own language when None)."""
    page = open_page(browser, base, locale=locale, width=width)
    page.goto(f"{base}/lang/{lang}?next=/login" if lang else f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def until(page: Any, script: str, timeout: float = 60.0) -> None:
    """Poll a JavaScript expression."""
    deadline = time.time() + timeout
    while not page.evaluate(script):
        assert time.time() < deadline, f"timed out waiting for {script}"
        time.sleep(0.2)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
