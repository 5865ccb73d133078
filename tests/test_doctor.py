from __future__ import annotations

from pathlib import Path

from newstrace.doctor import check_store, run_checks
from newstrace.model import Article, Link
from newstrace.store import Store


def test_environment_checks_pass_here() -> None:
    checks = {c.name: c for c in run_checks()}
    assert checks["python"].status == "ok"
    assert checks["sentence encoder"].status == "ok", checks["sentence encoder"]
    assert checks["language detection"].status == "ok"
    assert all(c.status != "fail" for c in checks.values()), [c for c in checks.values() if c.status == "fail"]


def test_store_problems_are_reported_with_a_remedy(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    assert check_store(path)[0].status == "fail"
    with Store(path) as s:
        s.upsert_articles([Article("a", "text")])
        ghost = Link("a", "ghost", "verbatim", 1.0, "ghost", None, False, False, 1.0, 1.0)
        s.replace_results([ghost], [], [])
    checks = {c.name: c for c in check_store(path)}
    assert checks["store features"].status == "warn" and "re-run" in checks["store features"].hint
    assert checks["store links"].status == "fail" and checks["store links"].hint
