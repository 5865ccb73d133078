"""Generic filler: sentences and closing paragraphs that state no fact of the story.

Rewriting tools and LLM "spinners" pad a copied story with sentences that carry no name, number, place or quote
("serves as a testament to the resilience…", "the international community must rally…"), most often as a closing
paragraph. A sentence's genericness (0-1) starts from whether it carries facts at all, rises with stock phrases and
abstract vocabulary, and falls with each number, quote and proper noun. Score meaning: < 0.3 a factual sentence;
0.5 fact-free; ≥ 0.75 fact-free and built from stock phrases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container

import regex

from newstrace.config import SignalConfig
from newstrace.model import Signal
from newstrace.signals._text import ODD_FOLDS, SEGMENT, Needs, Phrases, paragraphs, sentences, upper_ratio

_STOCK_PHRASES: tuple[str, ...] = (
    # English.
    r"serves?\s+as\s+an?\s+(?:testament|reminder|beacon|symbol|catalyst)",
    r"(?:a|is\s+a|stands\s+as\s+a|as\s+a)\s+(?:powerful\s+|stark\s+|poignant\s+)?testament\s+to",
    r"(?:stark|poignant|sobering|powerful)\s+reminder",
    r"the\s+international\s+community\s+(?:must|should|needs\s+to|has\s+a\s+responsibility)",
    r"remains?\s+to\s+be\s+seen", r"only\s+time\s+will\s+tell",
    r"it\s+is\s+(?:crucial|essential|important|imperative|vital|worth\s+noting)\s+(?:to|that|for)",
    r"plays?\s+an?\s+(?:crucial|vital|pivotal|key|significant|critical)\s+role",
    r"in\s+today['’]s\s+(?:world|rapidly|fast-paced|interconnected)",
    r"(?:underscores?|highlights?|emphasizes?|underlines?)\s+the\s+(?:importance|need|significance|urgency)",
    r"moving\s+forward|going\s+forward|looking\s+ahead",
    r"as\s+the\s+situation\s+(?:unfolds|continues|evolves|develops)", r"continues?\s+to\s+(?:evolve|unfold)",
    r"(?:resilience|determination|courage|unity|solidarity|strength)\s*,?\s+and\s+(?:the\s+)?(?:determination|"
    r"resilience|courage|unity|solidarity|strength|perseverance|resolve)",
    r"in\s+the\s+face\s+of\s+(?:adversity|challenges|aggression|uncertainty)", r"pave\s+the\s+way",
    r"navigate\s+the\s+complexities", r"shed\s+light\s+on",
    r"an?\s+(?:peaceful|just|lasting|sustainable)\s+(?:and\s+(?:just|lasting|peaceful|sustainable)\s+)?"
    r"(?:resolution|solution|peace)",
    r"rally\s+(?:behind|around)", r"stand\s+(?:united|together|in\s+solidarity)",
    r"the\s+(?:road|path|way)\s+ahead", r"remains?\s+(?:committed|steadfast)",
    r"(?:crucial|critical|pivotal|defining)\s+(?:moment|juncture|time)",
    r"it\s+is\s+clear\s+that|there\s+is\s+no\s+doubt\s+that|undoubtedly|without\s+a\s+doubt",
    r"\bin\s+conclusion\b|\bin\s+summary\b|\bto\s+sum\s+up\b|\ball\s+in\s+all\b",
    r"for\s+(?:years|generations)\s+to\s+come", r"beacon\s+of\s+hope",
    r"(?:ever-changing|ever-evolving|rapidly\s+changing)\s+(?:world|landscape)",
    r"the\s+(?:gravity|severity|magnitude)\s+of\s+the\s+situation",
    r"an?\s+(?:additional|new|extra)\s+layer\s+of",
    r"(?:significant|serious|grave)\s+threat\s+to\s+(?:regional|global|international)\s+(?:stability|security|peace)",
    r"(?:collective|concerted)\s+efforts?", r"(?:its|their)\s+fight\s+for\s+freedom",
    r"(?:opportunities|challenges)\s+(?:and\s+(?:the\s+)?(?:opportunities|challenges)\s+)?ahead",
    r"one\s+thing\s+is\s+(?:certain|clear)", r"remains?\s+an\s+open\s+question", r"(?:is\s+)?only\s+just\s+beginning",
    r"(?:highlights?|underscores?)\s+(?:both\s+)?the\s+(?:growing|increasing)", r"how\s+this\s+story\s+unfolds",
    r"(?:crucial|critical|vital|pivotal|key)\s+role\s+that", r"in\s+the\s+daily\s+lives\s+of",
    # Spanish.
    r"sirve\s+como\s+(?:testimonio|recordatorio)", r"(?:un|es\s+un)\s+testimonio\s+de",
    r"la\s+comunidad\s+internacional\s+(?:debe|tiene\s+que|necesita)", r"queda\s+por\s+ver",
    r"solo\s+el\s+tiempo\s+(?:lo\s+)?dirá",
    r"es\s+(?:crucial|fundamental|esencial|imprescindible|vital)\s+(?:que|para)",
    r"cabe\s+(?:destacar|señalar|resaltar)", r"sin\s+lugar\s+a\s+dudas|sin\s+duda\s+alguna|no\s+cabe\s+duda",
    r"(?:juega|desempeña)\s+un\s+papel\s+(?:crucial|fundamental|clave|vital)",
    r"en\s+el\s+mundo\s+actual|en\s+un\s+mundo\s+cada\s+vez\s+más",
    r"(?:resiliencia|determinación|valentía|unidad|solidaridad)\s+y\s+(?:la\s+)?(?:determinación|resiliencia|"
    r"valentía|unidad|solidaridad|fortaleza)",
    r"\ben\s+conclusión\b|\ben\s+definitiva\b", r"allanar\s+el\s+camino",
    r"una\s+solución\s+(?:pacífica|justa|duradera)", r"a\s+medida\s+que\s+la\s+situación",
    r"frente\s+a\s+la\s+adversidad", r"faro\s+de\s+esperanza",
    r"(?:subraya|destaca|pone\s+de\s+(?:manifiesto|relieve))\s+la\s+(?:\w+\s+)?(?:importancia|necesidad)",
    r"lo\s+que\s+está\s+claro\s+es\s+que", r"seguirá\s+(?:muy\s+)?presente", r"creciente\s+importancia",
    # French.
    r"(?:sert|constitue|est)\s+un\s+(?:témoignage|rappel)", r"témoigne\s+de\s+la\s+(?:résilience|détermination)",
    r"la\s+communauté\s+internationale\s+(?:doit|devrait)", r"(?:il\s+)?reste\s+à\s+voir",
    r"seul\s+l['’]avenir\s+(?:nous\s+)?le\s+dira", r"il\s+est\s+(?:crucial|essentiel|primordial|impératif|vital)\s+"
    r"(?:de|que)", r"joue\s+un\s+rôle\s+(?:crucial|essentiel|clé|majeur|déterminant)",
    r"dans\s+le\s+monde\s+(?:actuel|d['’]aujourd['’]hui)",
    r"(?:résilience|détermination|courage|unité|solidarité)\s+et\s+(?:la\s+|le\s+)?(?:détermination|résilience|"
    r"courage|unité|solidarité)",
    r"\ben\s+définitive\b|\ben\s+somme\b", r"ouvrir\s+la\s+voie", r"une\s+(?:solution|résolution)\s+"
    r"(?:pacifique|juste|durable)", r"face\s+à\s+l['’]adversité",
    r"sans\s+aucun\s+doute|il\s+ne\s+fait\s+aucun\s+doute",
    r"plus\s+que\s+jamais", r"(?:phare|symbole)\s+d['’]espoir",
    r"une\s+chose\s+est\s+sûre", r"reste\s+une\s+question\s+ouverte", r"ne\s+fait\s+que\s+commencer",
    r"(?:souligne|met\s+en\s+lumière|met\s+en\s+évidence)\s+l['’](?:importance|urgence|nécessité)",
    # German.
    r"bleibt\s+abzuwarten", r"die\s+internationale\s+Gemeinschaft\s+(?:muss|sollte)",
    r"ist\s+ein\s+(?:Zeugnis|Beweis)\s+für", r"zeugt\s+von", r"spielt\s+eine\s+(?:entscheidende|zentrale)\s+Rolle",
    r"es\s+ist\s+(?:entscheidend|unerlässlich|von\s+entscheidender\s+Bedeutung)",
    r"in\s+der\s+heutigen\s+(?:Welt|Zeit)",
    r"(?:Widerstandskraft|Entschlossenheit|Mut|Einigkeit|Solidarität)\s+und\s+(?:Entschlossenheit|Widerstandskraft|"
    r"Mut|Einigkeit|Solidarität)",
    r"zusammenfassend|abschließend\s+lässt\s+sich", r"den\s+Weg\s+ebnen",
    r"eine\s+(?:friedliche|gerechte|dauerhafte)\s+Lösung", r"nur\s+die\s+Zeit\s+wird", r"mehr\s+denn\s+je",
    r"unterstreicht\s+die\s+(?:Bedeutung|Notwendigkeit)",
    r"eines\s+ist\s+sicher", r"steht\s+erst\s+am\s+Anfang",
    # Portuguese.
    r"serve\s+como\s+(?:testemunho|lembrete)", r"(?:um|é\s+um)\s+testemunho\s+d[aoe]",
    r"a\s+comunidade\s+internacional\s+(?:deve|precisa)", r"resta\s+(?:saber|ver)", r"só\s+o\s+tempo\s+dirá",
    r"é\s+(?:crucial|fundamental|essencial|imprescindível|vital)\s+(?:que|para)", r"desempenha\s+um\s+papel",
    r"no\s+mundo\s+(?:atual|de\s+hoje)",
    r"(?:resiliência|determinação|coragem|unidade|solidariedade)\s+e\s+(?:a\s+)?(?:determinação|resiliência|coragem|"
    r"unidade|solidariedade)",
    r"\bem\s+suma\b|\bem\s+resumo\b", r"abrir\s+caminho", r"uma\s+(?:solução|resolução)\s+(?:pacífica|justa|duradoura)",
    r"mais\s+do\s+que\s+nunca",
    r"uma\s+coisa\s+é\s+certa", r"está\s+(?:apenas|só)\s+(?:a\s+)?começ(?:ando|ar)",
    r"farol\s+de\s+esperança", r"(?:sublinha|destaca|ressalta)\s+a\s+(?:importância|"
    r"necessidade)",
)
_STOCK = Phrases(_STOCK_PHRASES, ignorecase=True)
_STOCK_POSSIBLE = Needs(_STOCK_PHRASES, ignorecase=True)



def _listed(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


# Abstract words that carry no checkable fact (en/es/fr/de/pt stems, matched at word start).
_ABSTRACT_STEMS = _listed(
    "resilien determinat determinac détermin entschlossen commitment compromis engagement importan significan signific "
    "stabilit estabilid unity unidad unité solidarit hope esperanz espoir future futur zukunft challeng desafío défi "
    "peace paz paix frieden security segurid sécurit cooperat cooperac coopérat prosperit crucial vital essential "
    "esencial essentiel ongoing effort esfuerz commun comunidad communaut situation situación crisis crise krise "
    "freedom libertad liberté freiheit resolution resolución résolution necessar necesari nécessair profound profund "
    "gravity ideolog motivation significance efforts journey landscape testament reminder symbol people pueblo peuple "
    "volk"
)
_ABSTRACT = Phrases(_ABSTRACT_STEMS, ignorecase=True, suffix=r"\w*")
_NUMBER_WORDS_LIST = _listed(
    "one two three four five six seven eight nine ten eleven twelve dozens? hundreds? thousands? millions? billions? "
    "half percent dos tres cuatro cinco seis siete ocho nueve diez cientos miles millones deux trois quatre cinq sept "
    "huit neuf dix centaines milliers zwei drei vier fünf sechs sieben acht neun zehn hunderte tausende duas quatro "
    "centenas milhares milhões"
)
_NUMBER_WORDS = Phrases(_NUMBER_WORDS_LIST, ignorecase=True, suffix=r"\b")
# The number words above, spelled out ("dozens?" is "dozen" or "dozens"), for counting lower-cased words.
_NUMBER_SET = frozenset(w for p in _NUMBER_WORDS_LIST for w in ((p[:-2], p[:-1]) if p.endswith("s?") else (p,)))
_TOKEN = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_QUOTE_MARKS = frozenset("“”\"«»„")
_QUOTE = re.compile(r"[“\"«„»]\s*\S+(?:\s+\S+){2,}?[^“\"«„»]*[”\"»“]")
_WORD = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’\-]*")
# Capitalised words that are not facts of a story even mid-sentence.
_GENERIC_CAPS = frozenset({"I", "The", "A", "An", "It", "This", "That", "These", "Those", "As", "In", "On", "At", "But",
                           "And", "Moreover", "However", "Furthermore", "Additionally", "El", "La", "Los", "Las", "Le",
                           "Les", "Der", "Die", "Das", "O", "Os", "Un", "Une", "Una", "Ein", "Eine"})


def _proper_nouns(sentence: str, lang: str | None, words: list[str] | None = None) -> list[str]:
    """Capitalised words that are not the sentence's first word (nouns in German are all capitalised: none).

    ``words`` are the sentence's words when the caller already has them.
    """
    if lang == "de" or upper_ratio(sentence) > 0.6:
        return []
    if words is None:
        words = _WORD.findall(sentence)
    return [w for w in words[1:] if w[0].isupper() and w not in _GENERIC_CAPS]


def _word_counts(sentence: str) -> tuple[int, int]:
    """How many matches ``_ABSTRACT`` and ``_NUMBER_WORDS`` have in ``sentence``.

    Both match whole words (``\\w`` runs) from their start, so lower-cased words give the same counts, except with
    the few letters IGNORECASE folds otherwise; then the patterns themselves count.
    """
    if any(ch in sentence for ch in ODD_FOLDS):
        return _ABSTRACT.count(sentence), _NUMBER_WORDS.count(sentence)
    words = [w.lower() for w in _TOKEN.findall(sentence)]
    return sum(w.startswith(_ABSTRACT_STEMS) for w in words), sum(w in _NUMBER_SET for w in words)


def _genericness(sentence: str, lang: str | None, topic: Container[str],
                 need: float = 0.0) -> tuple[float, list[str]]:
    """Score 0-1 and the stock phrases found; ``topic`` names (frequent across the article) count as weak facts.

    When even two stock phrases could not lift the score to ``need``, the phrase search is skipped (returns 0).
    """
    words = _WORD.findall(sentence)
    if len(words) < 4:
        return 0.0, []  # headings, credits and fragments are not filler
    numbers = _DIGIT.search(sentence) is not None
    head = sentence.lstrip()[:1]
    # A quotation, or a sentence of one cut by the splitter (opening or closing mark only), is a fact: someone said it.
    quotes = _QUOTE.search(sentence) is not None or head in _QUOTE_MARKS or sentence.rstrip()[-1:] in _QUOTE_MARKS
    score = 0.0 if (numbers or quotes) else 0.4
    abstract, number_words = _word_counts(sentence)
    score += min(0.25, 1.2 * abstract / len(words))
    score -= 0.35 * numbers + 0.35 * quotes
    score -= 0.1 * min(2, number_words)
    penalty = 0.0
    for name in _proper_nouns(sentence, lang, words):
        penalty += 0.05 if name in topic else 0.15
    score -= min(penalty, 0.45)
    if score + 0.7 < need:
        return 0.0, []
    stock = [m.group() for m in _STOCK.finditer(sentence)] if _STOCK_POSSIBLE.possible(sentence) else []
    score += 0.35 * min(len(stock), 2)
    return max(0.0, min(1.0, score)), stock


def is_generic_sentence(sentence: str, lang: str | None = None) -> float:
    """How fact-free a sentence is, 0-1 (≥ 0.5: states no name, number or quote; ≥ 0.75: also stock phrases)."""
    return round(_genericness(sentence, lang, frozenset())[0], 3)


def _topic_names(text: str, paras: list[tuple[int, int]], lang: str | None) -> frozenset[str]:
    """Proper nouns found in at least two paragraphs: the story's subject, not a new fact when repeated."""
    seen: Counter[str] = Counter()
    for s, e in paras:
        seen.update(set(_proper_nouns(text[s:e], lang)))
    return frozenset(n for n, c in seen.items() if c >= 2)


# The sentence splitter cuts inside a word only in a run of this many characters without a space (a quarter of its
# longest sentence); only then can a phrase match inside one sentence and not across the text (see below).
_UNCUT_RUN = re.compile(rf"\S{{{SEGMENT.max_sentence_chars // 4}}}")


def _stock_spans(text: str) -> list[tuple[int, int]] | None:
    """Spans of the stock phrases in the whole text, or None when they cannot stand for the phrases of its sentences.

    A stock phrase inside one sentence is also a match of the same pattern in the whole text, or lies inside one,
    as long as no sentence boundary falls between two word characters (the pattern's word boundaries then read
    the same): so a sentence can only hold a stock phrase if it overlaps one of these spans.
    """
    if _UNCUT_RUN.search(text):
        return None
    if not _STOCK_POSSIBLE.possible(text):
        return []  # no text that a stock phrase needs: no stock phrase (the usual case)
    return [m.span() for m in _STOCK.finditer(text)]


class _EveryName:
    """Stands for a topic that holds every name: names then cost least, so a sentence scores its highest."""

    def __contains__(self, name: object) -> bool:
        return True


_EVERY_NAME = _EveryName()


def detect_filler(text: str, lang: str | None, config: SignalConfig) -> list[Signal]:
    """``generic_filler`` signals: a fact-free closing paragraph, and single very generic sentences elsewhere."""
    paras = paragraphs(text)
    if not paras:
        return []
    closing: tuple[int, int] | None = None
    # The closing unit: the last paragraph with a real sentence in it (skipping a trailing credit line like "EFE").
    for s, e in reversed(paras[1:] if len(paras) > 1 else []):
        if len(_WORD.findall(text[s:e])) >= 8:
            closing = (s, e)
            break
    # A lone sentence is reported only with a stock phrase: most texts have none, and need no sentence scoring.
    stock = _stock_spans(text)
    if closing is None and stock == []:
        return []
    topic: frozenset[str] | None = None
    out: list[Signal] = []
    if closing is not None:
        sents = sentences(text, *closing)
        # The story's own names only lower the penalty of a name, so scoring with every name as one bounds the mean
        # from above: a paragraph that cannot reach the threshold even so needs no topic names (most of them).
        highest = [_genericness(text[s:e], lang, _EVERY_NAME)[0] for s, e in sents]
        if sum(highest) / len(highest) >= config.filler_paragraph_score:
            topic = _topic_names(text, paras, lang)
    if closing is not None and topic is not None:
        scored = [(_genericness(text[s:e], lang, topic), s, e) for s, e in sents]
        mean = sum(sc for (sc, _), _, _ in scored) / len(scored)
        if mean >= config.filler_paragraph_score:
            phrases = [p for (_, st), _, _ in scored for p in st]
            evidence = (f"closing paragraph of {len(sents)} sentence(s) states no number or quote and no name of its "
                        f"own (mean genericness {mean:.2f})")
            if phrases:
                evidence += "; stock phrases: " + ", ".join(repr(p) for p in phrases[:4])
            out.append(Signal("generic_filler", closing[0], closing[1], round(mean, 3), evidence))
    for ps, pe in paras:
        if closing is not None and out and (ps, pe) == closing:
            continue
        if stock is not None and not any(a < pe and b > ps for a, b in stock):
            continue
        for s, e in sentences(text, ps, pe):
            if stock is not None and not any(a < e and b > s for a, b in stock):
                continue
            if topic is None:
                topic = _topic_names(text, paras, lang)
            sc, found = _genericness(text[s:e], lang, topic, config.filler_sentence_score)
            if sc >= config.filler_sentence_score and found:
                out.append(Signal("generic_filler", s, e, round(sc, 3),
                                  "sentence states no number, quote or new name; stock phrases: "
                                  + ", ".join(repr(p) for p in found[:3])))
    return out
