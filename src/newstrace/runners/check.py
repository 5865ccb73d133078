"""``check``: one new article against an existing store, without recomputing the rest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newstrace import candidates
from newstrace.config import RunConfig
from newstrace.model import Article, Link
from newstrace.pipeline import assemble_links, candidate_record, enrich_articles, judge_pair, verdict_links
from newstrace.store import Store


@dataclass(frozen=True)
class CheckResult:
    """Links of one looked-up article (as derived or as source) against a store."""

    article_id: str
    links: list[Link]


def check_article(
    store_path: Path, article: Article, config: RunConfig | None = None, *, persist: bool = True
) -> CheckResult:
    """Look one article up against an existing store; with ``persist`` it is added to the store.

    Only the new article is analysed and only its candidate pairs are aligned; everything else is read
    from the store.
    """
    config = config or RunConfig()
    with Store(store_path, config.store, read_only=not persist) as store:
        if persist:
            store.upsert_articles([article])
        feats_new = enrich_articles([article], config)[0]
        ids = [i for i in store.article_ids() if i != article.id]
        arts = store.get_articles(ids)
        feats = store.get_features(ids, with_bands=True)
        arts[article.id] = article
        feats[article.id] = feats_new
        records = [candidate_record(arts[i], feats[i]) for i in [*ids, article.id] if i in feats]
        mine = [
            c for c in candidates.generate_candidates(records, config.candidates) if article.id in (c.derived, c.source)
        ]
        verdicts = [
            judge_pair(
                arts[c.derived],
                arts[c.source],
                feats[c.derived],
                feats[c.source],
                config,
                undirected=c.undirected,
                via=c.via,
            )
            for c in mine
        ]
        # Only the new verdicts become new links; the stored links of everyone else are kept as picked,
        # except for articles whose choice of source the new article can change.
        sigs = {i: f.signals for i, f in feats.items()}
        new_raw, new_related = verdict_links(arts, sigs, verdicts, config)
        affected = {k.derived for k in new_raw}
        existing = [k for k in store.links() if article.id not in (k.derived, k.source)]
        keep = [k for k in existing if k.derived not in affected]
        raw = [k for k in existing if k.derived in affected] + new_raw
        related = [
            (v.derived, v.source)
            for v in store.iter_pairs()
            if v.relation is None and v.independent and article.id not in (v.derived, v.source)
        ] + new_related
        links, stories, sites = assemble_links(raw, related, arts, config, keep=keep)
        if persist:
            store.put_features([feats_new])
            store.put_pairs(verdicts)
            store.replace_results(links, stories, sites)
    return CheckResult(article.id, [k for k in links if article.id in (k.derived, k.source)])
