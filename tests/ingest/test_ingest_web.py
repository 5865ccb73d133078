"""HTML pages and WARC archives: extraction, charsets, HTTP status, content types, truncation."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import pytest

from newstrace.config import IngestConfig
from newstrace.ingest import html, iter_articles, warc
from newstrace.model import Article, IngestResult, SkippedRecord

CFG = IngestConfig()

BODY = (
    "The Secretary General of NATO, Jens Stoltenberg, assured this Thursday in Kyiv that Ukraine is gaining "
    "ground on Russia in its counteroffensive. Every meter that Ukrainian forces recover is a meter that Russia "
    "loses, he told reporters at a press conference in the capital."
)


def page(body: str = BODY, *, head: str = "", title: str = "Big news - Example") -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>Big news today</h1><p>{body}</p><p>Officials said more talks would follow next week "
        f"in Brussels, where allies are expected to discuss new support.</p></article>"
        f"<footer>Copyright 2023 Example Media. All rights reserved.</footer></body></html>"
    )


HEAD = (
    "<link rel='canonical' href='https://www.example.com/news/big'>"
    "<meta property='article:published_time' content='2023-09-28T10:00:00Z'>"
)


def arts(results: list[IngestResult]) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


# --- HTML files ------------------------------------------------------------------------------------------


def test_html_file(tmp_path: Path) -> None:
    p = tmp_path / "story-1.html"
    p.write_text(page(head=HEAD), encoding="utf-8")
    [a] = list(html.read(p, CFG))
    assert isinstance(a, Article)
    assert a.id == "story-1"
    assert "gaining ground on Russia" in a.text and "Brussels" in a.text
    assert "All rights reserved" not in a.text and "Home" not in a.text
    assert a.date is not None and a.date.iso() == "2023-09-28"
    assert a.url == "https://www.example.com/news/big" and a.site == "example.com"
    assert a.title


def test_html_charset_from_meta(tmp_path: Path) -> None:
    p = tmp_path / "latin.htm"
    doc = page(body=BODY + " Café Zürich façade.").replace("charset='utf-8'", "charset='iso-8859-1'")
    p.write_bytes(doc.encode("iso-8859-1"))
    [a] = list(html.read(p, CFG))
    assert isinstance(a, Article)
    assert "Café Zürich façade." in a.text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><head><title>Empty</title></head><body></body></html>", "no article text"),
        (b"<html><head><title>Nav only</title></head><body><nav>Home</nav></body></html>", "no article text"),
        (b"", "no article text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        (b"<<<<>>>>&&&&;;;" * 100, "no article text"),
    ],
)
def test_html_without_article(tmp_path: Path, data: bytes, reason: str) -> None:
    p = tmp_path / "x.html"
    p.write_bytes(data)
    [r] = list(html.read(p, CFG))
    assert isinstance(r, SkippedRecord)
    assert (r.id, r.reason) == ("x", reason)


def test_html_too_large(tmp_path: Path) -> None:
    p = tmp_path / "big.html"
    p.write_text(page(body=BODY * 400))
    [r] = list(html.read(p, IngestConfig(max_html_bytes=10_000)))
    assert isinstance(r, SkippedRecord) and r.reason.startswith("page too large (")


# --- WARC ------------------------------------------------------------------------------------------------


def warc_record(
    uri: str | None,
    body: bytes,
    *,
    status: int = 200,
    ctype: str | None = "text/html; charset=utf-8",
    rtype: str = "response",
    http_extra: str = "",
) -> bytes:
    if rtype == "response":
        lines = [f"HTTP/1.1 {status} X"] + ([f"Content-Type: {ctype}"] if ctype else [])
        block = ("\r\n".join(lines) + "\r\n" + http_extra + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        block_type = "application/http; msgtype=response"
    elif rtype == "request":
        block = f"GET / HTTP/1.1\r\nHost: {uri}\r\n\r\n".encode()
        block_type = "application/http; msgtype=request"
    else:
        block = body
        block_type = ctype or "application/octet-stream"
    head = [
        "WARC/1.1",
        f"WARC-Type: {rtype}",
        f"WARC-Record-ID: <urn:uuid:{uuid.UUID(int=len(body) + status)}>",
        "WARC-Date: 2024-01-05T10:00:00Z",
    ]
    if uri:
        head.append(f"WARC-Target-URI: {uri}")
    head += [f"Content-Type: {block_type}", f"Content-Length: {len(block)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def gz_members(*records: bytes) -> bytes:
    return b"".join(gzip.compress(r) for r in records)


def standard_records() -> list[bytes]:
    chunked = (
        b"".join(
            f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in (page(BODY)[:300].encode(), page(BODY)[300:].encode())
        )
        + b"0\r\n\r\n"
    )
    return [
        warc_record("https://www.a.com/one", page(head=HEAD).encode()),
        warc_record("https://www.a.com/one", b"", rtype="request"),
        warc_record("https://b.org/404", page().encode(), status=404),
        warc_record("https://b.org/doc.pdf", b"%PDF-1.4 ...", ctype="application/pdf"),
        warc_record("https://b.org/empty", b"<html><body><div></div></body></html>"),
        warc_record(
            "https://c.net/latin",
            page(BODY + " Café Zürich.").encode("iso-8859-1"),
            ctype="text/html; charset=iso-8859-1",
        ),
        warc_record(
            "https://d.net/gz",
            gzip.compress(page(BODY + " Gzipped.").encode()),
            http_extra="Content-Encoding: gzip\r\n",
        ),
        warc_record("https://d.net/chunked", b"", http_extra="")[:0]
        + warc_record_raw_chunked("https://d.net/chunked", chunked),
        warc_record(None, page(BODY + " No URI.").encode()),
        warc_record("https://e.com/res", page(BODY + " Resource.").encode(), rtype="resource", ctype="text/html"),
    ]


def warc_record_raw_chunked(uri: str, chunked: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-00000000c0de>\r\n"
        f"WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def summary(results: list[IngestResult]) -> list[tuple[str, str]]:
    return [(r.id, r.reason if isinstance(r, SkippedRecord) else "ok") for r in results]


EXPECTED = [
    ("https://www.a.com/one", "ok"),
    ("https://b.org/404", "HTTP status 404"),
    ("https://b.org/doc.pdf", "not HTML (application/pdf)"),
    ("https://b.org/empty", "no article text"),
    ("https://c.net/latin", "ok"),
    ("https://d.net/gz", "ok"),
    ("https://d.net/chunked", "ok"),
    ("<urn:uuid:00000000-0000-0000-0000-0000000019b6>", "ok"),
    ("https://e.com/res", "ok"),
]


@pytest.mark.parametrize("compress", [False, True])
def test_warc_records(tmp_path: Path, compress: bool) -> None:
    recs = standard_records()
    p = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    p.write_bytes(gz_members(*recs) if compress else b"".join(recs))
    res = list(warc.read(p, CFG))
    got = summary(res)
    expected = list(EXPECTED)
    expected[7] = (got[7][0], "ok")  # the record id is whatever the hand-made header says
    assert got[7][0].startswith("<urn:uuid:")
    assert got == expected
    by_id = {a.id: a for a in arts(res)}
    one = by_id["https://www.a.com/one"]
    assert one.url == "https://www.a.com/one" and one.site == "a.com"
    assert one.date is not None and one.date.iso() == "2023-09-28"
    assert one.metadata["canonical_url"] == "https://www.example.com/news/big"
    assert one.metadata["warc_date"] == "2024-01-05T10:00:00Z"
    assert "Café Zürich." in by_id["https://c.net/latin"].text
    assert "Gzipped." in by_id["https://d.net/gz"].text
    assert "gaining ground" in by_id["https://d.net/chunked"].text


def test_warc_cut_mid_record(tmp_path: Path) -> None:
    raw = b"".join(standard_records()[:3])
    p = tmp_path / "cut.warc"
    p.write_bytes(raw[: len(raw) - 400])
    res = list(warc.read(p, CFG))
    assert summary(res)[0] == ("https://www.a.com/one", "ok")
    last = res[-1]
    assert isinstance(last, SkippedRecord) and last.reason.startswith("truncated WARC")


@pytest.mark.parametrize("cut", [30, 300, 600])
def test_warc_gz_cut(tmp_path: Path, cut: int) -> None:
    data = gz_members(*standard_records()[:3])
    p = tmp_path / "cut.warc.gz"
    p.write_bytes(data[: len(data) - cut])
    res = list(warc.read(p, CFG))
    assert summary(res)[0] == ("https://www.a.com/one", "ok")
    assert isinstance(res[-1], SkippedRecord) and res[-1].reason.startswith("truncated WARC")


def test_warc_gzip_corrupt_middle(tmp_path: Path) -> None:
    first = gzip.compress(standard_records()[0])
    rest = bytearray(gz_members(*standard_records()[2:5]))
    for i in range(40, 80):
        rest[i] ^= 0x5A
    p = tmp_path / "bad.warc.gz"
    p.write_bytes(first + bytes(rest))
    res = list(warc.read(p, CFG))
    assert summary(res)[0] == ("https://www.a.com/one", "ok")
    assert isinstance(res[-1], SkippedRecord) and res[-1].reason.startswith("truncated WARC or gzip error")


def test_warc_not_a_warc(tmp_path: Path) -> None:
    p = tmp_path / "junk.warc"
    p.write_bytes(b"this is not a warc file at all\n" * 10)
    [r] = list(warc.read(p, CFG))
    assert isinstance(r, SkippedRecord) and r.reason.startswith("not a readable WARC file")


def test_warc_huge_page_skipped(tmp_path: Path) -> None:
    big = page(BODY * 2000).encode()
    p = tmp_path / "big.warc.gz"
    p.write_bytes(gz_members(warc_record("https://x.com/big", big), warc_record("https://x.com/ok", page().encode())))
    res = list(warc.read(p, IngestConfig(max_html_bytes=100_000)))
    assert summary(res)[0][1].startswith("page too large (")
    assert summary(res)[1] == ("https://x.com/ok", "ok")


@pytest.mark.slow
def test_warc_50mb_page(tmp_path: Path) -> None:
    big = page(BODY * (50_000_000 // len(BODY))).encode()
    p = tmp_path / "big.warc"
    p.write_bytes(warc_record("https://x.com/big", big) + warc_record("https://x.com/ok", page().encode()))
    res = list(warc.read(p, CFG))
    assert summary(res)[0][1].startswith("page too large (")
    assert summary(res)[1] == ("https://x.com/ok", "ok")


def test_iter_articles_dedups_warc_urls(tmp_path: Path) -> None:
    rec = warc_record("https://www.a.com/one", page().encode())
    (tmp_path / "a.warc.gz").write_bytes(gz_members(rec, rec))
    res = list(iter_articles([tmp_path], CFG))
    assert next(r.reason if isinstance(r, SkippedRecord) else "ok" for r in res) == "ok"
    assert isinstance(res[1], SkippedRecord) and res[1].reason.startswith("duplicate id (first seen in ")
