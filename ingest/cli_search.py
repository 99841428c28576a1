"""`dalel search reindex [--case NUMBER]`: analyse indexed entries again (after an
analyzer change, or to repair the index), one case per transaction."""

from __future__ import annotations

import argparse
import time
from typing import Any

from sqlalchemy import text

from evidence.cli_common import CliError, open_session


def cmd_reindex(args: argparse.Namespace, settings: Any) -> int:
    from ingest.search import reindex  # the search package loads only for this command

    with open_session(settings) as session:
        if args.case:
            found = session.execute(
                text('SELECT id FROM "case" WHERE number = :n'), {"n": args.case}
            ).first()
            if found is None:
                raise CliError(f"no case {args.case}")
            cases = [found[0]]
        else:
            cases = [
                r[0] for r in session.execute(text("SELECT DISTINCT case_id FROM search_entry"))
            ]
        started, total = time.perf_counter(), 0
        for case_id in cases:
            total += reindex(session=session, case_id=case_id)
            session.commit()
    print(f"re-indexed {total} search entries of {len(cases)} case(s) "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    return 0


def register(sub: Any, add: Any) -> None:
    """Add the search commands to the `dalel` parser."""
    search = sub.add_parser("search", help="the search index").add_subparsers(
        dest="sub", required=True
    )
    reindex = add("reindex", cmd_reindex, "analyse every indexed text again", search)
    reindex.add_argument("--case", help="only this case (ЕРДР number)")
