"""A bundle travels without the server's pages, so its README.txt speaks all three
interface languages, in the terminology's words."""

from __future__ import annotations

from custody.export import README as CUSTODY_README
from disclosure.bundle import README as DISCLOSURE_README


def test_bundle_readmes_are_in_kazakh_russian_and_english() -> None:
    for readme, kk, ru, en in [
        (DISCLOSURE_README, "ашып көрсету топтамасы", "архив раскрытия", "disclosure bundle"),
        (CUSTODY_README, "сақтау тізбегінің топтамасы", "архив цепочки хранения",
         "custody bundle"),
    ]:  # fmt: skip
        assert kk in readme and ru in readme and en in readme
        # Each language names every file of the bundle.
        for name in ("bundle.json", "verifier.py", "statement.txt", "files/"):
            assert readme.count(name) >= 3, name
