"""Machine translation marks in English text (some cues work in any Latin-script language).

Each cue is a small, explainable pattern with a weight (how much one occurrence alone suggests machine
translation); cues are grouped into kinds, each kind's weights combine as a noisy-OR capped per kind, and the kinds
combine as a noisy-OR into the page score. Kinds:
- ``pronoun``: a named person is "he" several times and "she" once (or the reverse) in speech attributions;
- ``glued``: words glued together ("Zelenskyduring"), or across punctuation ("July.in", "loses“said");
- ``doubled``: a word that is another word of the same text with one letter doubled ("euross" / "euros");
- ``lowercase``: well-known proper nouns, weekdays or months written in lower case ("kyiv", "thursday");
- ``foreign``: runs of Spanish/French/German/Portuguese function words, or accented lower-case words, left
  untranslated;
- ``calque``: literal renderings of Romance phrasing ("said this Thursday", "the president of the Government");
- ``typography``: source-language conventions kept in English ("«…»", "2,4 billion", "(EFE).-").
Page score meaning: < 0.3 nothing unusual; ≥ 0.5 cues of at least two kinds; ≥ 0.8 several kinds. Each kind is
capped below 0.5, so one kind of oddity (a few typos, a quoted Spanish phrase) never reaches the default reporting
threshold alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import regex

from newstrace.config import SignalConfig
from newstrace.model import Signal
from newstrace.signals._text import UPPERS as _UPPERS
from newstrace.signals._text import Needs, flat_text, noisy_or, upper_ratio


@dataclass(frozen=True, slots=True)
class _Cue:
    kind: str
    start: int
    end: int
    weight: float
    detail: str


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Each kind alone stays below the default reporting threshold (0.5): one kind of oddity can be sloppy human
# editing; machine translation leaves several kinds at once. Calques are the exception: two different literal
# renderings of Romance grammar in one English text are themselves strong evidence.
_KIND_CAP = {"pronoun": 0.45, "glued": 0.45, "doubled": 0.4, "lowercase": 0.45, "foreign": 0.45, "calque": 0.6,
             "typography": 0.35}
_MAX_CUES_PER_KIND = 6
_CASE_SAMPLE = 20_000  # characters whose case decides whether the text is all caps (upper_ratio's default)

_WORD = regex.compile(r"[\p{L}\p{M}]+")

# ---- pronoun gender -------------------------------------------------------------------------------------------
_SPEECH = (r"said|says|stressed|emphasized|emphasised|added|highlighted|insisted|warned|noted|explained|assured|"
           r"affirmed|declared|stated|argued|claimed|announced|commented|replied|urged|welcomed|confirmed|"
           r"acknowledged|underlined|recalled|specified|indicated|pointed\s+out|told|asked|called|praised|thanked|"
           r"criticized|criticised|denied|admitted|reiterated|concluded|expressed|reaffirmed|hoped|believes|believed")
_NAMED_SPEAKER = regex.compile(
    rf"(?P<a>\p{{Lu}}[\p{{Ll}}'’\-]+)\s+(?:also\s+|further\s+|again\s+|then\s+)?(?:{_SPEECH})\b"
    rf"|\b(?:{_SPEECH})\s+(?P<b>\p{{Lu}}[\p{{Ll}}'’\-]+)"
)
_PRONOUN_SPEAKER = regex.compile(
    rf"\b(?P<p>[Hh]e|[Ss]he)\s+(?:also\s+|further\s+|again\s+|then\s+|later\s+)?(?:{_SPEECH})\b"
)
_PLACE_PREP = regex.compile(r"\b(?:in|from|against|across|into|toward|towards|throughout|to)\s+(?P<n>\p{Lu}\p{Ll}+)")
_NOT_PERSON = frozenset({"The", "He", "She", "It", "They", "We", "I", "This", "That", "There", "And", "But", "Also",
                         "Then", "When", "After", "Before", "Government", "Ministry", "President", "Minister",
                         "Police", "Officials", "Spokesman", "Spokeswoman", "Spokesmen", "Secretary", "General"})
_WINDOW = 600  # characters back to look for the speaker a pronoun refers to


def _pronoun_cues(text: str) -> list[_Cue]:
    # A cue needs one pronoun of each gender and three in all ("he said" twice, "she said" once): check that first.
    said = [m.group("p").lower() for m in _PRONOUN_SPEAKER.finditer(text)]
    if len(said) < 3 or "he" not in said or "she" not in said:
        return []
    not_person = {m.group("n") for m in _PLACE_PREP.finditer(text)}
    mentions: list[tuple[int, str]] = []
    for m in _NAMED_SPEAKER.finditer(text):
        name = m.group("a") or m.group("b")
        if name not in _NOT_PERSON and name not in not_person:
            pos = m.start("a") if m.group("a") else m.start("b")
            mentions.append((pos, name))
    if not mentions:
        return []
    # Bare later mentions of a known speaker ("Stoltenberg highlighted the …") also count as antecedents.
    speakers = {n for _, n in mentions}
    word_re = regex.compile(r"\b(?:" + "|".join(regex.escape(n) for n in speakers) + r")\b")
    mentions = [(m.start(), m.group()) for m in word_re.finditer(text)]
    uses: list[tuple[str, str, int, int]] = []  # (person, gender, start, end)
    j = 0
    last: list[tuple[int, str]] = []
    for m in _PRONOUN_SPEAKER.finditer(text):
        while j < len(mentions) and mentions[j][0] < m.start():
            last.append(mentions[j])
            j += 1
        recent = {n for p, n in last[-4:] if m.start() - p <= _WINDOW}
        if len(recent) != 1:
            continue  # no named speaker nearby, or two of them: the pronoun is ambiguous
        gender = "m" if m.group("p").lower() == "he" else "f"
        uses.append((recent.pop(), gender, m.start("p"), m.end("p")))
    counts: Counter[tuple[str, str]] = Counter((p, g) for p, g, _, _ in uses)
    cues: list[_Cue] = []
    for person, gender, s, e in uses:
        other = "f" if gender == "m" else "m"
        mine, theirs = counts[(person, gender)], counts[(person, other)]
        if theirs >= 2 and mine * 3 <= mine + theirs:
            word = "she" if gender == "f" else "he"
            cues.append(_Cue("pronoun", s, e, 0.45,
                             f"{person} is {'he' if other == 'm' else 'she'} {theirs} times but {word!r} here"))
    return cues


# ---- glued words and punctuation --------------------------------------------------------------------------------
# Words that MT output glues onto the previous word; shorter or vaguer ones ("is", "or", "where") end too many real
# words ("Iraqis", "Mayor", "Elsewhere").
_GLUE_TAILS = ("during", "and", "the", "that", "which", "while", "after", "before", "with", "from", "said", "says",
               "who", "for")
_GLUE_EXCEPTIONS = frozenset({"worthwhile", "meanwhile", "erstwhile", "forthwith", "herewith", "therewith",
                              "notwithstanding", "nevertheless", "wherewithal", "otherwise", "beforehand"})
_GLUED = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}@#/._-])(?P<head>[\p{L}\p{M}]{4,}?)(?P<tail>" + "|".join(_GLUE_TAILS)
    + r")(?![\p{L}\p{M}\p{N}@._/-])"
)
_PUNCT_GLUE = regex.compile(
    r"(?<=\p{Ll}{3})\.(?=\p{Ll}{2,})"  # "July.in", "artillery.anti-tank"
    r"|(?<=\p{Ll})[.,;]?[“”\"](?=\p{Ll}{2,})"  # "illusions.”while", "loses“said"
    r"|(?<=\p{Ll}{3}),(?=\p{Ll}{3,})"  # "said,that"
)
_LOWER_AFTER_STOP = regex.compile(r"(?<=\p{Ll}{3}\.)[ \t]+(?=\p{Ll}{2,}\b)")
_TLD = regex.compile(r"(?i)\.(?:com|org|net|gov|edu|int|info|io|co|uk|es|fr|de|pt|it|ua|ru|br|mx|ar|eu|us|ca|au|html?"
                     r"|php|aspx?|pdf|jpe?g|png|gif)\b|://|www\.|@")
# Abbreviations after which a lower-case word is normal ("Progress Software Corp. is acquiring").
_ABBREV = _words("approx incl esp dept govt etc resp cont nos vols figs ibid corp inc ltd bros univ assn intl natl "
                 "mfg capt sgt gen col adm gov sen rep jan feb mar apr jun jul aug sep sept oct nov dec ave blvd est "
                 "prof msgr rev")


def _glued_candidates(tokens: Counter[str]) -> bool:
    """Whether some word occurs once and is another word of the text + a glue tail (a glued cue needs one)."""
    for w, n in tokens.items():
        if n == 1 and w.endswith(_GLUE_TAILS):
            for tail in _GLUE_TAILS:
                if w.endswith(tail) and len(w) - len(tail) >= 4 and tokens[w[: -len(tail)]]:
                    return True
    return False


def _glue_cues(text: str, tokens: Counter[str] | None = None) -> list[_Cue]:
    cues: list[_Cue] = []
    if tokens is None:
        tokens = Counter(_WORD.findall(text))
    # The glued word is a whole word of the text: scan for it only when the word list has a candidate.
    for m in _GLUED.finditer(text) if _glued_candidates(tokens) else ():
        tok, head, tail = m.group(), m.group("head"), m.group("tail")
        if tokens[tok] > 1 or tok.lower() in _GLUE_EXCEPTIONS or not tokens[head]:
            continue  # the head must also stand alone in this text ("Zelensky" … "Zelenskyduring")
        if head[0].isupper() and not head.isupper():
            cues.append(_Cue("glued", m.start(), m.end(), 0.45, f"{tok!r} looks like {head!r} + {tail!r}"))
        elif head.islower() and len(head) >= 5:
            cues.append(_Cue("glued", m.start(), m.end(), 0.35, f"{tok!r} looks like {head!r} + {tail!r}"))
    for m in _PUNCT_GLUE.finditer(text):
        chunk = _chunk_at(text, m.start())
        if _TLD.search(chunk):
            continue
        cues.append(_Cue("glued", m.start(), m.end(), 0.2, f"no space after punctuation in {chunk!r}"))
    for m in _LOWER_AFTER_STOP.finditer(text):
        prev = regex.search(r"(\p{L}+)\.$", text[max(0, m.start() - 20) : m.start()])
        if prev and prev.group(1).lower() in _ABBREV:
            continue
        cues.append(_Cue("glued", m.start() - 1, m.end(), 0.15,
                         f"sentence continues in lower case after a full stop: {_chunk_at(text, m.start() - 1)!r}"))
    return cues


def _chunk_at(text: str, pos: int) -> str:
    """The whitespace-delimited chunk around ``pos`` (for evidence and URL checks)."""
    start = pos
    while start > 0 and not text[start - 1].isspace() and pos - start < 40:
        start -= 1
    end = pos
    while end < len(text) and not text[end].isspace() and end - pos < 40:
        end += 1
    return text[start:end]


# ---- doubled letters --------------------------------------------------------------------------------------------
_DOUBLE_OK = frozenset({"choose", "loose", "latter", "dinner", "supper", "dessert", "filling", "hopping", "planned",
                        "planning", "shopping", "stopped", "dropped", "cooper", "matthew", "phillips", "hassan",
                        "dimmer", "boss", "pass", "across", "access", "loss", "press", "class", "cross", "offer",
                        "coma", "comma", "holly", "allah", "ballot", "bitter", "better", "letter", "litter",
                        "batter", "butter", "matter", "fatter", "setter", "taller", "smaller", "caller", "seller"})


_HAS_DOUBLE = regex.compile(r"(?<![\p{L}\p{M}])[\p{L}\p{M}]*(\p{L})\1[\p{L}\p{M}]*(?![\p{L}\p{M}])")


# A line (one word of a newline-joined list) with a character doubled in it.
_DOUBLED_LINE = re.compile(r"(?m)^.*?(.)\1.*$")


def _doubled_variant(w: str, words: Counter[str]) -> bool:
    """Whether dropping one of a doubled character of ``w`` gives another word of the text."""
    return any(w[i] == w[i - 1] and words[w[:i] + w[i + 1 :]] >= 1 for i in range(1, len(w)))


def _doubled_cues(text: str, words: Counter[str] | None = None) -> list[_Cue]:
    if words is None:
        words = Counter(_WORD.findall(text))
    cues: list[_Cue] = []
    # A cue is a word seen once, with a doubled letter, that is another word of the text with one letter fewer: look
    # through the word list before scanning the text for doubled letters.
    once = "\n".join(w for w, n in words.items() if n == 1 and len(w) >= 5)
    if not any(_doubled_variant(m.group(), words) for m in _DOUBLED_LINE.finditer(once)):
        return cues
    seen: set[str] = set()
    for m in _HAS_DOUBLE.finditer(text):
        w = m.group()
        if len(w) < 5 or words[w] > 1 or w.lower() in _DOUBLE_OK or w in seen:
            continue
        for i in range(1, len(w)):
            if w[i] == w[i - 1] and words.get(w[:i] + w[i + 1 :], 0) >= 1:
                seen.add(w)
                cues.append(_Cue("doubled", m.start(), m.end(), 0.4,
                                 f"{w!r} is {w[:i] + w[i + 1:]!r} (used elsewhere in the text) with a letter doubled"))
                break
    return cues


# ---- lower-case proper nouns, weekdays and months in English ---------------------------------------------------
_GAZETTEER = _words("""
kyiv kiev kharkiv odesa odessa lviv donetsk luhansk crimea zaporizhzhia kherson bakhmut mariupol dnipro
ukraine russia moscow kremlin belarus minsk moldova romania poland warsaw hungary budapest slovakia czechia prague
lithuania latvia estonia finland helsinki sweden stockholm norway oslo denmark copenhagen germany berlin france
paris spain madrid barcelona portugal lisbon italy rome milan netherlands amsterdam belgium brussels switzerland
geneva austria vienna greece athens serbia belgrade croatia bulgaria sofia britain london scotland ireland dublin
europe european africa asia america washington beijing shanghai tokyo japan seoul pyongyang taiwan taipei india
delhi pakistan islamabad afghanistan kabul iran tehran iraq baghdad syria damascus lebanon beirut israel jerusalem
gaza palestine egypt cairo saudi riyadh qatar doha yemen libya tunisia algeria morocco nigeria kenya ethiopia
sudan mexico brazil argentina colombia venezuela caracas peru chile bolivia ecuador cuba havana canada ottawa
australia canberra indonesia philippines vietnam thailand nato zelensky zelenskyy putin biden stoltenberg macron
scholz sánchez erdogan netanyahu ukrainian russian belarusian german spanish italian portuguese british american
european chinese japanese israeli palestinian iranian syrian mexican brazilian argentine colombian venezuelan
monday tuesday wednesday thursday friday saturday sunday
january february april june july september october november december
""")
_LOWER_WORD = regex.compile(r"(?<![\p{L}\p{N}@#/._\-])\p{Ll}[\p{Ll}\-]{2,}(?![\p{L}\p{N}@_/]|\.[a-z]{2,3}\b)")


_MARK = regex.compile(r"\p{M}")


def _lowercase_cues(text: str, tokens: Counter[str] | None = None) -> list[_Cue]:
    cues: list[_Cue] = []
    # Gazetteer entries are single words of lower-case letters, so without combining marks in the text a hit is also
    # a whole word of the text: most texts have none.
    if tokens is not None and _GAZETTEER.isdisjoint(tokens) and not _MARK.search(text):
        return cues
    seen: set[str] = set()
    for m in _LOWER_WORD.finditer(text):
        w = m.group()
        if w in _GAZETTEER and w not in seen:
            seen.add(w)
            cues.append(_Cue("lowercase", m.start(), m.end(), 0.35,
                             f"proper noun, weekday or month {w!r} in lower case"))
    return cues


# ---- untranslated function words ------------------------------------------------------------------------------
# Distinctive function words (not English words, not common in names) of the languages news is translated from.
_FOREIGN = {
    "es": _words("según también pero porque desde hasta sobre entre cuando donde muy más está están fue fueron "
                    "hay los las del una unos unas esta este estos estas sus por que como aunque mientras durante "
                    "dijo señaló afirmó aseguró gobierno además tras ante"),
    "fr": _words("selon aussi mais parce depuis jusqu sur entre quand où très plus est sont été était les des "
                    "une du au aux cette ces ses leur pour que qui comme alors pendant avec dans nous vous ils elles "
                    "gouvernement"),
    "de": _words("laut auch aber weil seit bis über zwischen wenn wo sehr mehr ist sind wurde wurden gibt der die "
                    "das des dem den eine einer einen sein seine ihre für dass wie während mit nach bei nicht und "
                    "regierung"),
    "pt": _words("segundo também mas porque desde até sobre entre quando onde muito mais está estão foi foram "
                    "há os das dos uma umas esta este estes estas seus suas pelo pela para que como enquanto durante "
                    "disse governo não"),
}
# Words of those lists that are also English or frequent in English names: never enough on their own.
_WEAK_FOREIGN = _words("die des den sein for bis was will mit und est son more plus sur entre dans une")


# Lower-case words with Romance/German diacritics are untranslated source words ("adornáronle") unless they are
# loanwords English keeps.
_ACCENT_CHAR = re.compile(r"[áíóúñàâçèêëîïôûùäöüßãõ]")
_LOANWORDS = _words("café cafés cliché clichés résumé résumés naïve fiancé fiancée protégé décor élite élites déjà "
                    "señor señora señorita jalapeño jalapeños piñata façade über doppelgänger crème première premières "
                    "entrée exposé rosé soupçon touché attaché communiqué communiqués détente régime régimes naïveté "
                    "mañana à coöperation outré passé blasé cortège mêlée tête rôle rôles soirée hôtel château "
                    "fête pâté purée sauté née émigré émigrés ménage cañon piñon jalapeño vis")


def _run_pattern(vocab: frozenset[str]) -> regex.Pattern[str]:
    """Two or more words of ``vocab`` in a row (separated by spaces only)."""
    return regex.compile(r"(?<![\p{L}\p{M}])\L<v>(?:[ \t]+\L<v>)+(?![\p{L}\p{M}])", v=sorted(vocab))


_FOREIGN_RUNS = {lang: _run_pattern(vocab) for lang, vocab in _FOREIGN.items()}


def _foreign_cues(text: str, tokens: Counter[str] | None = None) -> list[_Cue]:
    cues: list[_Cue] = []
    done = -1
    for m in _ACCENT_CHAR.finditer(text):
        if m.start() < done:
            continue  # a second accent in a word already seen
        start, end = m.start(), m.end()
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and text[end].isalpha():
            end += 1
        done = end
        word = text[start:end]
        glued = (start > 0 and text[start - 1] in "'’-") or (end < len(text) and text[end] in "'’-")
        if word.islower() and not glued and word not in _LOANWORDS and len(word) >= 3:
            cues.append(_Cue("foreign", start, end, 0.25, f"untranslated word {word!r}"))
    for lang, rx in _FOREIGN_RUNS.items():
        # A run is two or more words of the list in a row, each a whole word of the text.
        if tokens is not None and sum(tokens[w] for w in _FOREIGN[lang].intersection(tokens)) < 2:
            continue
        for m in rx.finditer(text):
            run = m.group().split()
            strong = [w for w in run if w not in _WEAK_FOREIGN]
            if (len(run) >= 3 and len(strong) >= 2) or (len(run) == 2 and len(strong) == 2):
                cues.append(_Cue("foreign", m.start(), m.end(), 0.35,
                                 f"untranslated {lang} function words {m.group()!r}"))
    return cues


# ---- calques ----------------------------------------------------------------------------------------------------
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_CALQUES: tuple[tuple[str, float, str], ...] = (
    (rf"\b(?:said|assured|affirmed|stated|declared|indicated|stressed|explained|warned|announced|reported|confirmed|"
     rf"denied|specified|highlighted|emphasized|insisted)\s+this\s+{_WD}\b", 0.3,
     "verb + 'this <weekday>' (Spanish/Portuguese 'este jueves' order; English says 'on Thursday')"),
    (r"\bassured\s+(?:that|last|on|today|yesterday)\b", 0.2, "'assured' without an object ('aseguró que')"),
    (r"\b(?:the\s+)?(?:president|head|vice-president|vice\s+president)\s+of\s+the\s+[Gg]overnment\b", 0.35,
     "'president of the Government' ('presidente del Gobierno')"),
    (r"\bin\s+(?:statements|declarations)\s+(?:to|made\s+to)\b", 0.35, "'in statements to' ('en declaraciones a')"),
    (r"\bmade\s+(?:some\s+|these\s+)?declarations\b", 0.3, "'made declarations' ('hizo declaraciones')"),
    (r"\bcelebrated\s+an?\s+(?:meeting|session|hearing|summit|plenary)\b", 0.35,
     "'celebrated a meeting' ('celebrar una reunión' = hold)"),
    (rf"\bthe\s+past\s+(?:{_WD}|January|February|March|April|June|July|September|October|November|December)\b", 0.35,
     "'the past Thursday' ('el pasado jueves')"),
    (r"\bthe\s+also\s+\p{Ll}+", 0.4, "'the also minister' ('el también ministro')"),
    (r"\bcounted\s+(?:with|on\s+the\s+(?:presence|participation))\b", 0.35, "'counted with' ('contó con')"),
    (r"\bgave\s+account\s+of\b", 0.3, "'gave account of' ('dio cuenta de')"),
    (r"\bput\s+in\s+(?:march|evidence|value)\b", 0.35, "'put in march' ('poner en marcha')"),
    (r"\b(?:realized|realised)\s+an?\s+(?:visit|meeting|trip|operation|call|tour)\b", 0.35,
     "'realized a visit' ('realizar una visita')"),
    (r"\baccording\s+to\s+what\s+(?:he|she|they|was|the)\b", 0.3, "'according to what he said' ('según lo que')"),
    (r"\bsupposes?\s+an?\s+(?:risk|threat|challenge|change|blow|step|increase|decrease|cost)\b", 0.3,
     "'supposes a risk' ('supone un riesgo')"),
    (r"\b(?:reckless|dangerous|irresponsible)\s+and\s+destabilizers\b", 0.35, "adjective in plural agreement"),
    (rf"\bha(?:s|ve)\s+(?:said|assured|affirmed|stated|declared|indicated|stressed|explained|warned|announced|"
     rf"reported|confirmed|denied|insisted|\w+ed)\s+(?:this|on|last)\s+{_WD}\b", 0.35,
     "present perfect with a past day ('ha asegurado este jueves')"),
    (r"\bha(?:s|ve)\s+\w+ed\s+(?:yesterday|last\s+night)\b", 0.35,
     "present perfect with 'yesterday' ('ha dicho ayer')"),
    (r"\bthe\s+(?:AFP|EFE)\b(?![-‐/])", 0.3, "article before the agency ('l'AFP', 'la EFE')"),
    (r"\bat\s+\d{1,2}[.:]\d{2}\s+hours\b", 0.3, "'at 10.30 hours' ('a las 10.30 horas')"),
    (rf"\b(?:last|this|on|past)\s+{_WD}\s+\d{{1,2}}\b(?!(?:st|nd|rd|th)?,?\s+(?:January|February|March|April|May|"
     r"June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b)"
     r"(?![.:]\d)", 0.3, "weekday + day number without a month ('el jueves 28')"),
)
# With each pattern, words every match of it contains (where they can be worked out): a substring test skips most
# scans.
_CALQUE_RES = tuple((regex.compile(p), w, d, Needs([p])) for p, w, d in _CALQUES)
# What any of the calques whose needs are known needs, in one search.
_ANY_CALQUE = Needs([p for (p, _, _), (_, _, _, needs) in zip(_CALQUES, _CALQUE_RES, strict=True) if needs.known])


_TYPOGRAPHY: tuple[tuple[str, float, str], ...] = (
    (r"«[^»\n]{1,300}»", 0.3, "Spanish/French/Portuguese quotation marks in English text"),
    (r"[¡¿]\p{L}", 0.4, "Spanish inverted punctuation in English text"),
    (r"\((?:EFE|Efe|EUROPA PRESS|Europa Press|AFP|Lusa|ANSA)\)\s?\.-", 0.3, "Spanish-style dateline '(EFE).-'"),
    (r"\b\d{1,3},\d{1,2}\s+(?:billion|million|thousand|percent|per\s+cent|%|euros|dollars|kilometers|kilometres)\b",
     0.25, "decimal comma (Romance/German convention)"),
    (r"\bthe\s+(?:past\s+)?day\s+\d{1,2}\b", 0.35, "'the day 28' ('el día 28')"),
)
_TYPOGRAPHY_RES = tuple((regex.compile(p), w, d) for p, w, d in _TYPOGRAPHY)


def _typography_cues(text: str) -> list[_Cue]:
    return [_Cue("typography", m.start(), m.end(), w, f"{d}: {m.group()[:40]!r}")
            for rx, w, d in _TYPOGRAPHY_RES for m in rx.finditer(text)]


def _calque_cues(text: str) -> list[_Cue]:
    flat = flat_text(text) if _ANY_CALQUE.possible(text) else ""
    return [_Cue("calque", m.start(), m.end(), w, f"{d}: {m.group()!r}")
            for rx, w, d, needs in _CALQUE_RES if not needs.known or needs.possible_in(flat)
            for m in rx.finditer(text)]


_EN_STOP = _words("the and of to in is that for was on with said it as by at from he she has have are were")


def _looks_english(text: str, tokens: Counter[str] | None = None) -> bool:
    """For texts of unknown language: English function words make up a good share of the words.

    ``tokens`` (the words of ``text`` and their counts) stand for the words of a text of up to 5,000 characters:
    lower-casing keeps letters letters and the rest not, so it changes no word boundary.
    """
    if tokens is not None and len(text) <= 5000:
        total = sum(tokens.values())
        return bool(total) and sum(n for w, n in tokens.items() if w.lower() in _EN_STOP) / total >= 0.12
    words = _WORD.findall(text[:5000].lower())
    return bool(words) and sum(w in _EN_STOP for w in words) / len(words) >= 0.12


def _upper_share(text: str, tokens: Counter[str]) -> float:
    """``upper_ratio(text)``, counting the letters from the word list when it holds exactly the sampled letters."""
    if len(text) > _CASE_SAMPLE or _MARK.search(text):
        return upper_ratio(text, _CASE_SAMPLE)
    letters = sum(len(w) * n for w, n in tokens.items())
    return sum(map(len, _UPPERS.findall(text))) / letters if letters else 0.0


def machine_translation_score(text: str, lang: str | None) -> tuple[float, list[tuple[int, int, float, str]]]:
    """Page score 0-1 and the cues behind it as ``(start, end, weight, detail)``."""
    tokens = Counter(_WORD.findall(text))  # the text's words, shared by the cue finders
    english = lang == "en" or (lang is None and _looks_english(text, tokens))
    caps = _upper_share(text, tokens) > 0.6  # all-caps text: case-based cues mean nothing
    cues: list[_Cue] = []
    if not caps:
        cues += _glue_cues(text, tokens) + _doubled_cues(text, tokens)
        if english:
            cues += _pronoun_cues(text) + _lowercase_cues(text, tokens)
    if english:
        cues += _foreign_cues(text, tokens) + _calque_cues(text) + _typography_cues(text)
    by_kind: dict[str, list[_Cue]] = {}
    for c in sorted(cues, key=lambda c: -c.weight):
        by_kind.setdefault(c.kind, []).append(c)
    kept: list[_Cue] = []
    kind_scores: list[float] = []
    for kind, items in by_kind.items():
        items = items[:_MAX_CUES_PER_KIND]
        kept += items
        kind_scores.append(min(_KIND_CAP[kind], noisy_or([c.weight for c in items])))
    score = noisy_or(kind_scores)
    return score, [(c.start, c.end, c.weight, f"{c.kind}: {c.detail}") for c in sorted(kept, key=lambda c: c.start)]


def detect_machine_translation(text: str, lang: str | None, config: SignalConfig) -> list[Signal]:
    """One ``machine_translation`` signal per cue, all carrying the page score, when that score is high enough."""
    score, cues = machine_translation_score(text, lang)
    if score < config.mt_min_score:
        return []
    return [Signal("machine_translation", s, e, round(score, 3), f"{detail} (cue weight {w:.2f}, page {score:.2f})")
            for s, e, w, detail in cues]
