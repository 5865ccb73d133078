"""The persisted candidate index beside a store, and the look-ups ``check`` makes in it.

``check`` must find one article's candidates without reading the store: the postings (LSH band key → articles,
anchor → articles) and the document vectors of everything traced so far are written beside the store as sorted
arrays and a usearch file, memory-mapped by each lookup. Measured at 10M band rows, DuckDB's ART index answered a
100-key IN list in 50–110 ms of CPU in a fresh process (it deserialises nodes on first use); a binary search in a
memory-mapped sorted array takes microseconds. Articles added later (a ``check`` that persists, a ``trace`` that
has not refreshed the index yet) have ``seq`` above the covered one recorded in ``meta`` and are read from the
tables themselves, so answers stay exact between refreshes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.candidates import Member, VectorIndex, vector_key
from newstrace.config import CandidateConfig
from newstrace.embed import DIM, dequantize
from newstrace.errors import StoreError
from newstrace.fingerprint import band_keys
from newstrace.model import (
    PubDate,
)
from newstrace.serialize import (
    pubdate_from_iso,
)
from newstrace.store import Store, _in

log = logging.getLogger(__name__)

INDEX_DIR_KEY = "index_dir"
INDEX_SEQ_KEY = "index_seq"
_STRINGS = ("ids", "dates")


def anchor_hash(anchor: str) -> int:
    """64-bit key of an anchor in the index: the low half of its MD5, as DuckDB's ``md5_number_lower`` gives it."""
    return int.from_bytes(hashlib.md5(anchor.encode("utf-8", "surrogatepass")).digest()[8:], "little")


def _write_strings(folder: Path, name: str, values: Sequence[str]) -> None:
    encoded = [v.encode("utf-8", "surrogatepass") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    (folder / f"{name}.bin").write_bytes(b"".join(encoded))
    np.save(folder / f"{name}.off.npy", offsets)


class _Strings:
    """A memory-mapped string table written by :func:`_write_strings`."""

    def __init__(self, folder: Path, name: str) -> None:
        self.offsets = np.load(folder / f"{name}.off.npy", mmap_mode="r")
        with (folder / f"{name}.bin").open("rb") as fh:
            # mmap slices are plain bytes (numpy memmap slicing costs ~10x more per lookup); empty files cannot map.
            size = fh.seek(0, 2)
            self.blob: mmap.mmap | bytes = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        lo, hi = self.offsets[i : i + 2].tolist()
        return self.blob[lo:hi].decode("utf-8", "surrogatepass")

    def many(self, idx: np.ndarray) -> list[str]:
        """Strings at positions ``idx`` (one vectorised offset read instead of one per string)."""
        idx = np.asarray(idx, dtype=np.int64)
        los, his = self.offsets[idx].tolist(), self.offsets[idx + 1].tolist()
        return [self.blob[lo:hi].decode("utf-8", "surrogatepass") for lo, hi in zip(los, his, strict=True)]


def _sorted_postings(keys: np.ndarray, ords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((ords, keys))
    return keys[order], ords[order]


def save_index(store: Store, config: CandidateConfig, vectors: VectorIndex | None = None) -> Path:
    """Write the candidate index of every article with features (see :meth:`Store.save_index`).

    ``vectors``: ``candidates.vector_index`` of exactly those articles' document vectors, when the caller has it
    (``trace`` built it for its candidates); saved as it is instead of built again.
    """
    con = store.con
    covered = int(con.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchall()[0][0])
    root = store.path.with_name(store.path.name + ".index")
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"seq{covered}-{time.time_ns()}"
    tmp = root / (folder.name + ".tmp")
    tmp.mkdir()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _index_ords AS SELECT (row_number() OVER (ORDER BY a.seq) - 1)::INTEGER AS ord,"
        " a.id, a.date FROM articles a JOIN features f ON f.article_id = a.id WHERE a.seq <= ?",
        [covered],
    )
    ids, dates = [], []
    for i, d in con.execute("SELECT id, coalesce(date, '') FROM _index_ords ORDER BY ord").fetchall():
        ids.append(i)
        dates.append(d)
    _write_strings(tmp, "ids", ids)
    _write_strings(tmp, "dates", dates)
    for name, sql, dtype in (
        ("bands", "SELECT b.band_key AS k, o.ord FROM lsh_bands b JOIN _index_ords o ON o.id = b.article_id", np.int64),
        (
            "anchors",
            "SELECT md5_number_lower(n.anchor) AS k, o.ord FROM anchors n JOIN _index_ords o ON o.id = n.article_id",
            np.uint64,
        ),
    ):
        got = con.execute(sql).fetchnumpy()
        keys, ords = _sorted_postings(np.asarray(got["k"], dtype), np.asarray(got["ord"], np.int32))
        np.save(tmp / f"{name}.keys.npy", keys)
        np.save(tmp / f"{name}.ords.npy", ords)
    vkeys = np.array([vector_key(i) for i in ids], dtype=np.uint64)
    if vectors is not None and len(vectors) <= len(ids):
        index = vectors
    else:
        index = VectorIndex(config)
        reader = con.sql(
            "SELECT o.ord, f.doc_vector FROM features f JOIN _index_ords o ON o.id = f.article_id ORDER BY o.ord"
        ).to_arrow_reader(20_000)
        for batch in reader or ():
            ord_col = np.asarray(batch.column(0).to_numpy(), dtype=np.int64)
            blobs = batch.column(1).to_pylist()
            vecs = np.stack([dequantize(np.frombuffer(b or bytes(DIM), dtype=np.int8)) for b in blobs])
            index.add(vkeys[ord_col], vecs)
    index.save(tmp / "vectors.usearch")
    vk, vo = _sorted_postings(vkeys, np.arange(len(ids), dtype=np.int32))
    np.save(tmp / "vectors.keys.npy", vk)
    np.save(tmp / "vectors.ords.npy", vo)
    con.execute("DROP TABLE _index_ords")
    tmp.replace(folder)
    with store.transaction() as tx:
        tx.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [INDEX_DIR_KEY, folder.name])
        tx.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [INDEX_SEQ_KEY, str(covered)])
    # Readers that opened an older index keep their memory maps (the files live on until they close them).
    for old in root.iterdir():
        if old.name != folder.name:
            shutil.rmtree(old, ignore_errors=True)
    log.info("index: %d articles, %d band postings, %d anchor postings, %d vectors → %s",
             len(ids), len(np.load(folder / "bands.keys.npy", mmap_mode="r")),
             len(np.load(folder / "anchors.keys.npy", mmap_mode="r")), len(index), folder)
    return folder


def _window_signatures(blob: bytes, config: CandidateConfig) -> np.ndarray:
    """A stored signature BLOB back to its (n_windows, num_perm) shape (it is stored flat)."""
    flat = np.frombuffer(blob, dtype="<u4")
    if flat.size % config.num_perm:
        raise StoreError(
            f"a stored MinHash signature has {flat.size} values, not a multiple of num_perm={config.num_perm}",
            hint="check with the candidate settings the store was traced with",
        )
    return flat.reshape(-1, config.num_perm)


@dataclass(frozen=True, slots=True)
class _TailRecord:
    id: str
    date: PubDate | None
    band_keys: frozenset[int]
    anchors: frozenset[str]
    vector: np.ndarray | None


class StoreIndexState:
    """``candidates.IndexState`` over a store: the saved index (memory-mapped) plus the articles added since.

    A bucket or anchor is returned with at most ``max_bucket + 1`` (``anchor_max_df + 1``) members: enough for the
    caller to see that it is over its cap, without reading a boilerplate bucket's thousands of members.
    """

    def __init__(self, store: Store, config: CandidateConfig) -> None:
        self.store = store
        self.config = config
        self.stats: Counter[str] = Counter()
        meta = dict(store.con.execute("SELECT key, value FROM meta").fetchall())
        root = store.path.with_name(store.path.name + ".index")
        folder = root / meta[INDEX_DIR_KEY] if INDEX_DIR_KEY in meta else None
        self.covered = 0
        self.vectors: VectorIndex | None = None
        empty64 = np.zeros(0, np.int64)
        empty32 = np.zeros(0, np.int32)
        self.band_keys, self.band_ords = empty64, empty32
        self.anchor_keys, self.anchor_ords = empty64.astype(np.uint64), empty32
        self.vec_keys, self.vec_ords = empty64.astype(np.uint64), empty32
        self.ids: _Strings | None = None
        self.dates: _Strings | None = None
        if folder is not None and folder.is_dir():
            self.covered = int(meta.get(INDEX_SEQ_KEY, "0"))
            self.ids, self.dates = _Strings(folder, "ids"), _Strings(folder, "dates")
            self.band_keys = np.load(folder / "bands.keys.npy", mmap_mode="r")
            self.band_ords = np.load(folder / "bands.ords.npy", mmap_mode="r")
            self.anchor_keys = np.load(folder / "anchors.keys.npy", mmap_mode="r")
            self.anchor_ords = np.load(folder / "anchors.ords.npy", mmap_mode="r")
            self.vec_keys = np.load(folder / "vectors.keys.npy", mmap_mode="r")
            self.vec_ords = np.load(folder / "vectors.ords.npy", mmap_mode="r")
            if len(self.vec_keys):
                self.vectors = VectorIndex.load(folder / "vectors.usearch", view=True)
        elif store.article_count():
            log.warning(
                "store %s has no saved candidate index: every article is read per lookup (slow on a big store)",
                store.path,
            )
        self.tail = self._read_tail(config)
        self._tail_ids = {t.id for t in self.tail}
        self._by_ord: dict[int, Member | None] = {}
        self._pubdates: dict[str, PubDate | None] = {}

    def refresh(self) -> None:
        """See the articles written since this state was made (a persisted check): the tail is read again.

        The ordinal cache is dropped too: an indexed article that was written again now belongs to the tail.
        """
        self.tail = self._read_tail(self.config)
        self._tail_ids = {t.id for t in self.tail}
        self._by_ord.clear()

    def _read_tail(self, config: CandidateConfig) -> list[_TailRecord]:
        """Articles added after the index was saved, with their postings rebuilt from the stored features."""
        # Two steps: ``seq`` is skipped by zone maps, and the few ids found are then point lookups.
        found = self.store.con.execute(
            "SELECT id, date FROM articles WHERE seq > ? ORDER BY seq", [self.covered]
        ).fetchall()
        self.stats["tail"] = len(found)
        if not found:
            return []
        where, params = _in("article_id", [r[0] for r in found])
        feats = {
            r[0]: r[1:]
            for r in self.store.con.execute(
                f"SELECT article_id, signature, anchors, doc_vector FROM features WHERE {where}", params
            ).fetchall()
        }
        out = []
        for i, d in found:
            if i not in feats:
                continue  # not enriched yet: no postings either
            sig, anchors_json, vec = feats[i]
            v = np.frombuffer(vec, dtype=np.int8) if vec else None
            out.append(
                _TailRecord(
                    id=i,
                    date=pubdate_from_iso(d),
                    band_keys=frozenset(band_keys(_window_signatures(sig, config), config)),
                    anchors=frozenset(json.loads(anchors_json or "[]")),
                    vector=dequantize(v) if v is not None and np.any(v) else None,
                )
            )
        return out

    def _resolve(self, ords: np.ndarray) -> None:
        """Cache ``(id, date)`` of the ordinals not seen yet; re-added articles map to None (the tail has them)."""
        todo = np.setdiff1d(np.unique(ords), np.fromiter(self._by_ord, dtype=np.int64, count=len(self._by_ord)))
        if not len(todo):
            return
        assert self.ids is not None and self.dates is not None
        for o, aid, iso in zip(todo.tolist(), self.ids.many(todo), self.dates.many(todo), strict=True):
            if iso not in self._pubdates:
                self._pubdates[iso] = pubdate_from_iso(iso)
            self._by_ord[o] = None if aid in self._tail_ids else (aid, self._pubdates[iso])

    def _member(self, ord_: int) -> Member | None:
        if ord_ not in self._by_ord:
            self._resolve(np.array([ord_], dtype=np.int64))
        return self._by_ord[ord_]

    def _postings(
        self, sorted_keys: np.ndarray, ords: np.ndarray, wanted: Sequence[int], dtype: type[np.integer[Any]], cap: int
    ) -> dict[int, list[Member]]:
        if not len(wanted) or not len(sorted_keys):
            return {}
        q = np.asarray(wanted, dtype=dtype)
        lo = np.searchsorted(sorted_keys, q, side="left")
        hi = np.minimum(np.searchsorted(sorted_keys, q, side="right"), lo + cap)
        slices = {key: np.asarray(ords[a:b], dtype=np.int64) for key, a, b in zip(wanted, lo, hi, strict=True) if b > a}
        if not slices:
            return {}
        self._resolve(np.concatenate(list(slices.values())))
        out: dict[int, list[Member]] = {}
        for key, found in slices.items():
            self.stats["postings_read"] += len(found)
            members = [m for o in found.tolist() if (m := self._by_ord[o]) is not None]
            if members:
                out[key] = members
        return out

    def bucket_members(self, keys: Sequence[int]) -> Mapping[int, Sequence[Member]]:
        cap = self.config.max_bucket + 1
        keys = list(dict.fromkeys(int(k) for k in keys))
        out = self._postings(self.band_keys, self.band_ords, keys, np.int64, cap)
        wanted = set(keys)
        for t in self.tail:
            for k in t.band_keys & wanted:
                out.setdefault(k, []).append((t.id, t.date))
        return {k: v[:cap] for k, v in out.items()}

    def anchor_members(self, anchors: Iterable[str]) -> Mapping[str, Sequence[Member]]:
        cap = self.config.anchor_max_df + 1
        names = list(dict.fromkeys(anchors))
        hashes = [anchor_hash(a) for a in names]
        by_hash = self._postings(self.anchor_keys, self.anchor_ords, hashes, np.uint64, cap)
        out = {a: list(by_hash[h]) for a, h in zip(names, hashes, strict=True) if h in by_hash}
        wanted = set(names)
        for t in self.tail:
            for a in t.anchors & wanted:
                out.setdefault(a, []).append((t.id, t.date))
        return {a: v[:cap] for a, v in out.items()}

    def vector_neighbours(self, vector: np.ndarray, k: int) -> Sequence[tuple[str, PubDate | None, float]]:
        query = np.asarray(vector, dtype=np.float32)
        found: dict[str, tuple[PubDate | None, float]] = {}
        if self.vectors is not None and len(self.vec_keys):
            keys, sims = self.vectors.search(query[None, :], k)
            for key, sim in zip(keys[0], sims[0], strict=True):
                if not np.isfinite(sim):
                    continue
                pos = int(np.searchsorted(self.vec_keys, np.uint64(key)))
                if pos < len(self.vec_keys) and int(self.vec_keys[pos]) == int(key):
                    m = self._member(int(self.vec_ords[pos]))
                    if m is not None:
                        found[m[0]] = (m[1], float(sim))
        # Articles added since the index was saved: exact cosine (they are few).
        tail = [t for t in self.tail if t.vector is not None]
        if tail:
            sims_t = np.stack([t.vector for t in tail if t.vector is not None]) @ query
            for t, sim in zip(tail, sims_t, strict=True):
                found[t.id] = (t.date, float(sim))
        ranked = sorted(found.items(), key=lambda kv: (-kv[1][1], kv[0]))[:k]
        return [(aid, d, s) for aid, (d, s) in ranked]
