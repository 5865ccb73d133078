"""Credits: the agencies and outlets a text names as the source of its content, with character spans.

A credit is a *form* of attribution, not any mention: "KYIV (AP) —", a closing "EFE", "Fuente: Reuters",
"according to Reuters", "told The Associated Press", "Reuters could not verify" are credits; "a Reuters reporter was
injured" or "AFP's headquarters" are mentions and are not reported. Each form is one regular expression; the names
inside a match are then found with the agency table, and each credit's span is the written name itself.
"""

from __future__ import annotations

import logging

import regex

from newstrace.config import SignalConfig
from newstrace.model import Credit
from newstrace.signals._text import Needs
from newstrace.signals.agencies import names_pattern, surface_forms

logger = logging.getLogger(__name__)

_FORMS = surface_forms(include_short=True)
_N = names_pattern(include_short=True)  # one written name, in credit lines, datelines and bylines
_P = names_pattern(include_short=True, prose=True)  # one written name in running prose
_LONG = names_pattern(include_short=False)  # names unambiguous enough to appear inside a dateline prefix
_SEP = r"\s*(?:/|,|;|&|\+|\s(?:and|y|e|et|und)\s)\s*"
_L = rf"{_N}(?:{_SEP}{_N})*"  # a list of names: "AFP/dpa", "Reuters and AP"
_PL = rf"{_P}(?:{_SEP}{_P})*"
_NAME_RE = regex.compile(_N)
_LONG_RE = regex.compile(_LONG)

# Words that make a short line a photo/graphic caption rather than a text credit.
_PHOTO = regex.compile(r"(?i)\b(?:photo|photos|foto|fotos|image|imagen|imagem|bild|bilder|video|vídeo|graphic|gráfico"
                       r"|illustration|pictures?|getty|caption|crédito|credit)\b")

# Prefixes of a line (usually the last) that says where the text's material comes from.
_LINE_PREFIX = (
    r"(?:[Ww]ith|[Cc]on\s+(?:información|informaciones|datos)\s+de(?:\s+la\s+agencia|\s+las\s+agencias)?|"
    r"[Aa]vec|[Mm]it\s+Material\s+(?:von|der|des)|[Cc]om\s+informações\s+d[aoe]s?(?:\s+agências?)?|"
    r"(?:[Ww]ith\s+|[Aa]dditional\s+)?reporting\s+(?:by|from)|[Ss]ources?\s?:|[Ff]uentes?\s?:|[Qq]uellen?\s?:|"
    r"[Ff]ontes?\s?:|[Bb]y|BY|[Pp]or|[Pp]ar|[Vv]on|[Dd]e|[Ff]rom|[Ww]ritten\s+by|[Rr]edacción|©|[Cc]opyright|\(c\))"
)

# Patterns with a ``names`` group. Order matters only for the ``form`` label kept when two patterns hit one name.
_RAW_PATTERNS: tuple[tuple[str, str], ...] = (
    # Datelines: "KYIV, Ukraine (AP) —", "Madrid, 28 sep (EFE).-", "(Reuters) -", "Berlin (dpa/AFP) -".
    ("dateline", rf"\(\s*(?P<names>{_L})\s*\)(?=\s*(?:\.\s*)?[-–—:])"),
    # A parenthesised credit closing a paragraph: "... said. (AFP)".
    ("closing", rf"\(\s*(?P<names>{_L})\s*\)(?=[ \t.]*(?:\n|\Z))"),
    # A short line made only of credits, optionally with a lead-in and the wire's initials: "EFE", "— AFP",
    # "Con información de EFE", "EFE ar/jm", "(Reuters)", "AFP/dpa", "By The Associated Press".
    (
        "line",
        rf"(?m)^[ \t]*(?:[-–—(\[*][ \t]*)*(?:{_LINE_PREFIX}[ \t]*(?:the[ \t]+)?)?(?:\d{{4}}[ \t]+)?(?P<names>{_L})"
        rf"(?:[ \t]+(?:[Ss]taff|STAFF|[Nn]ewsroom|[Rr]edacción|[Rr]édaction|[Rr]edaktion))?"
        rf"[ \t]*[)\]*]?[ \t]*(?:\.?[ \t]*[-–—][ \t]*)?(?:(?:[ \t]+|/)[a-z]{{1,4}}(?:/[a-z]{{1,4}})*)?[ \t]*\.?[ \t]*$",
    ),
    # An outlet or desk "with" an agency: "Le Monde avec AFP", "Redacción con EFE", "Agencias y EFE".
    (
        "line",
        rf"(?m)^[ \t]*(?:{_N}|[Rr]edacción|[Rr]édaction|[Rr]edaktion|[Rr]edação|[Aa]gencias|[Aa]gences|[Aa]genturen|"
        rf"[Ss]taff)[ \t]+(?:avec|with|mit|con|com|y|et|und|e)[ \t]+(?:l['’])?(?P<names>{_L})[ \t]*\.?[ \t]*$",
    ),
    # A source line with a date: "Reuters | 28 Sep 2023", "AFP · 10:32".
    ("line", rf"(?m)^[ \t]*(?P<names>{_L})[ \t]*[|·•][ \t]*[^\n]{{0,40}}\d[^\n]{{0,30}}$"),
    # A credit glued to the end of the text: "... she said. — AFP", "... dijo. EFE".
    ("closing", rf"(?<=[.!?”\"’»])[ \t]*[-–—]?[ \t]*(?P<names>{_L})[ \t]*\.?[ \t]*\Z"),
    # Bylines: "By Jane Doe, Reuters", "By JOHN DOE Associated Press", "Por María Pérez (EFE)".
    (
        "byline",
        rf"(?m)^[ \t]*(?:By|BY|Por|POR|Par|PAR|Von|VON)[ \t]+[^\n]{{0,80}}?(?:,|\||\(|–|—|-|\s(?:and|of|for|y|et|und))"
        rf"[ \t]*(?:the[ \t]+)?(?P<names>{_L})[ \t]*\)?[ \t]*$",
    ),
    # Bylines without "By": "Jane Doe, Reuters", "María Pérez | EFE".
    (
        "byline",
        rf"(?m)^[ \t]*\p{{Lu}}\p{{Ll}}+(?:[ \t]+\p{{Lu}}[\p{{Ll}}.'’\-]+){{1,3}}[ \t]*(?:,|\||–|—)[ \t]*(?P<names>{_L})"
        rf"[ \t]*$",
    ),
    # Source lines: "Source: AFP", "Fuente: Reuters", "Quelle: dpa", "Fonte: Lusa", "Sources : AFP, Reuters".
    (
        "source",
        rf"(?:Sources?|SOURCES?|Fuentes?|FUENTES?|Quellen?|QUELLEN?|Fontes?|FONTES?)[ \t]?:[ \t]*(?:the[ \t]+)?"
        rf"(?:(?:agencia|agence|agência|Nachrichtenagentur)[ \t]+)?(?P<names>{_L})",
    ),
    ("copyright", rf"(?:©|[Cc]opyright|\(c\))[ \t]*(?:\d{{4}}[ \t]*)?(?:the[ \t]+)?(?P<names>{_L})"),
    # English attribution in running text.
    (
        "according_to",
        rf"\b[Aa]ccording\s+to\s+(?:(?:the|an?)\s+)?(?:(?:[\p{{L}}-]+\s+){{0,2}}?(?:news\s+agency|agency|newspaper|"
        rf"daily|broadcaster|outlet|wire\s+service|network)\s+)?(?P<names>{_P})",
    ),
    (
        "told",
        r"\b(?:told|tells|telling|said\s+to|speaking\s+to|speaking\s+with|talking\s+to|talked\s+to|spoke\s+to|"
        r"spoke\s+with|interview\s+with|statement\s+to|statement\s+sent\s+to|comments\s+to|remarks\s+to|emailed\s+to|"
        r"confirmed\s+to|interviewed\s+by|contacted\s+by|reached\s+by|seen\s+by|reviewed\s+by|obtained\s+by|"
        r"shared\s+with|provided\s+to|sent\s+to|quoted\s+by|cited\s+by|reported\s+by|confirmed\s+by|verified\s+by|"
        r"published\s+by|compiled\s+by|conducted\s+by|commissioned\s+by)"
        rf"\s+(?:the\s+)?(?:(?:[\p{{L}}-]+\s+)?news\s+agency\s+)?(?P<names>{_P})",
    ),
    (
        "reported",
        rf"(?P<names>{_P})(?:\s+(?:news\s+agency|agency|newswire))?(?:\s+(?:also|has|had|first|previously|exclusively|"
        r"earlier|later|last\s+week|on\s+\p{Lu}\p{Ll}+))*\s+(?:reported|reports|could\s+not|cannot|can\s+not|"
        r"couldn't|was\s+unable|were\s+unable|is\s+unable|has\s+not\s+been\s+able|had\s+not\s+been\s+able|"
        r"was\s+not\s+able|has\s+learned|learned|learnt|has\s+seen|reviewed|obtained|understands|was\s+told|revealed|"
        r"calculations?|tally|count|analysis|"
        r"(?:reporters?|journalists?|photographers?|witness(?:es)?|correspondents?|cameram[ae]n|team)\s+"
        r"(?:in\s+\p{Lu}\p{L}+\s+)?(?:said|saw|reported|witnessed|counted|heard|observed|at\s+the\s+scene|"
        r"on\s+the\s+scene|there|on\s+the\s+ground))\b",
    ),
    (
        "reported",
        rf"\b(?:news\s+agency|agency|newspaper|broadcaster|daily)\s+(?P<names>{_P})\s+(?:said|says|reported|reports|"
        r"quoted|cited|wrote|writes)\b",
    ),
    ("reported", rf"(?P<names>{_P})\s+news\s+agency\s+(?:said|says|quoted|cited)\b"),
    ("reported", rf"(?P<names>{_P})(?:'s|’s|'|’)\s+(?:tally|count|calculations?)\b"),
    # The agency as the subject of a reporting verb in es/fr/de/pt: "l'AFP a constaté", "EFE pudo constatar".
    (
        "reported",
        rf"(?P<names>{_P})\s+(?:a\s+(?:appris|constaté|pu\s+constater|rapporté|révélé|indiqué)|rapporte|"
        r"informó|informa|reportó|publicó|pudo\s+(?:constatar|confirmar|saber)|constató|ha\s+podido\s+(?:constatar|"
        r"confirmar|saber)|berichtete|berichtet|meldete|meldet|erfuhr|erfuhren|noticiou|apurou|informou|"
        r"constatou|confirmou\s+que)\b",
    ),
    (
        "contributed",
        rf"(?P<names>{_PL})\s+(?:also\s+)?contributed\s+(?:reporting|to\s+this\s+(?:report|story|article))",
    ),
    (
        "contributed",
        rf"\b[Bb]ased\s+on\s+(?:reporting|reports?|information)\s+(?:by|from)\s+(?:the\s+)?(?P<names>{_PL})",
    ),
    (
        "contributed",
        r"\b(?:[Ww]ith|[Aa]dditional|[Ii]ncludes?|[Cc]ontains?)\s+(?:inputs?|reporting|material|information)\s+"
        rf"(?:from|by)\s+(?:the\s+)?(?:news\s+agenc(?:y|ies)\s+)?(?P<names>{_PL})",
    ),
    (
        "contributed",
        rf"\b(?:[Rr]eporters?|[Ww]riters?|[Jj]ournalists?|[Rr]eporting)\s+(?:from|of|with|by)\s+(?:the\s+)?(?P<names>{_PL})"
        r"\s+(?:also\s+)?contributed",
    ),
    # Spanish.
    (
        "according_to",
        r"\b[Ss]egún\s+(?:(?:informó|informa|publica|publicó|recoge|recogió|reportó|reporta|indicó|indica|difundió|"
        r"citó|cita)\s+)?(?:(?:la|el|los|las)\s+)?(?:(?:agencia|diario|periódico|cadena|medio|agencias)\s+"
        rf"(?:de\s+noticias\s+)?(?:\p{{Ll}}+\s+)?)?(?P<names>{_PL})",
    ),
    (
        "told",
        r"\b(?:dijo|declaró|explicó|aseguró|afirmó|indicó|señaló|confirmó|precisó|detalló|contó|comentó|manifestó|"
        r"relató|reveló|informó|respondió|adelantó|subrayó|insistió|advirtió|apuntó|añadió|agregó|expresó|dice|"
        r"explica|asegura|afirma|señala|indica|cuenta|comenta|confirma|dicho|explicado|asegurado|señalado|"
        r"confirmado|declarado|indicado|afirmado)(?:\s+\p{L}+){0,3}?\s+(?:a\s+(?:la\s+)?(?:agencia\s+|cadena\s+)?|"
        rf"al\s+(?:diario\s+|periódico\s+|canal\s+)?)(?P<names>{_P})",
    ),
    (
        "told",
        r"\ben\s+(?:declaraciones|una\s+entrevista|entrevista|conversación|un\s+comunicado\s+enviado|"
        r"un\s+correo(?:\s+electrónico)?\s+enviado)\s+(?:a|con|al)\s+(?:la\s+)?(?:agencia\s+|diario\s+)?"
        rf"(?P<names>{_P})",
    ),
    (
        "reported",
        r"\b(?:informó|informa|informaron|reportó|reporta|publicó|publica|recoge|recogió|difundió|difunde|adelantó|"
        r"adelanta|avanzó|avanza|citó|cita)\s+(?:este\s+\p{L}+\s+|hoy\s+)?(?:(?:la|el)\s+(?:agencia|diario|periódico|"
        rf"cadena)\s+(?:de\s+noticias\s+)?(?:\p{{Ll}}+\s+)?)?(?P<names>{_P})",
    ),
    (
        "told",
        r"\b(?:consultad[oa]s?|contactad[oa]s?|citad[oa]s?|entrevistad[oa]s?|preguntad[oa]s?)\s+por\s+"
        rf"(?:la\s+agencia\s+|el\s+diario\s+)?(?P<names>{_P})",
    ),
    # French.
    (
        "according_to",
        r"\b(?:[Ss]elon|[Dd]['’]après)\s+(?:(?:l['’]|la\s+|le\s+|les\s+)?(?:(?:agence|quotidien|journal|chaîne)\s+"
        rf"(?:de\s+presse\s+)?(?:\p{{Ll}}+\s+)?)?)?(?P<names>{_PL})",
    ),
    (
        "told",
        r"\b(?:déclaré|indiqué|dit|affirmé|assuré|confié|expliqué|précisé|raconté|confirmé|souligné|annoncé|estimé|"
        r"ajouté|témoigné|répondu|déclare|indique|explique|confie|raconte|assure|affirme|précise)"
        rf"(?:[\s-]+\p{{L}}+){{0,3}}?\s+à\s+(?:l['’]|la\s+)?(?:agence\s+)?(?P<names>{_P})",
    ),
    (
        "told",
        r"\b(?i:interrogée?s?|contactée?s?|jointe?s?|sollicitée?s?|citée?s?|consultée?s?|questionnée?s?)\s+par\s+"
        rf"(?:l['’]|la\s+|le\s+)?(?:agence\s+)?(?P<names>{_P})",
    ),
    (
        "reported",
        r"\b(?:rapporte|a\s+rapporté|rapportait|annonce|a\s+annoncé|indique|a\s+indiqué|a\s+constaté|constate|"
        r"a\s+appris|apprend|a\s+pu\s+constater|relate|révèle|a\s+révélé|écrit|a\s+écrit)\s+(?:ce\s+\p{L}+\s+)?"
        rf"(?:l['’]|la\s+|le\s+)(?:(?:agence|quotidien|journal)\s+(?:de\s+presse\s+)?(?:\p{{Ll}}+\s+)?)?(?P<names>{_P})",
    ),
    (
        "reported",
        r"\b(?:constaté|vu|observé|aperçu)(?:\s+\p{L}+){0,2}?\s+(?:un|une|des|les)\s+(?:journalistes?|photographes?|"
        rf"correspondante?s?|vidéastes?|reporters?|équipes?)\s+de\s+(?:l['’])?(?P<names>{_P})",
    ),
    # German.
    (
        "according_to",
        r"\b[Ll]aut\s+(?:(?:der|dem|einem|einer|des)\s+)?(?:(?:Bericht|Berichten|Meldung|Informationen|Angaben)\s+"
        r"(?:der|des|von)\s+)?(?:(?:\p{Ll}+\s+)?(?:Nachrichtenagentur|Agentur|Zeitung|Zeitschrift|Magazin|Sender|"
        rf"Nachrichtenmagazin)\s+)?(?P<names>{_PL})",
    ),
    (
        "reported",
        r"\b(?:berichtet|berichtete|berichten|berichteten|meldet|meldete|meldeten|schreibt|schrieb|erfuhr|erfährt|"
        r"zitiert|zitierte)\s+(?:(?:am|an)\s+\p{L}+\s+)?(?:(?:die|der|das)\s+)?(?:(?:\p{Ll}+\s+)?(?:Nachrichtenagentur"
        rf"|Agentur|Zeitung|Zeitschrift|Magazin|Sender|Nachrichtenmagazin)\s+)?(?P<names>{_P})",
    ),
    (
        "reported",
        r"\b[Ww]ie\s+(?:(?:die|der|das)\s+)?(?:(?:\p{Ll}+\s+)?(?:Nachrichtenagentur|Agentur|Zeitung|Sender)\s+)?"
        rf"(?P<names>{_P})\s+(?:berichtet|berichtete|meldet|meldete|erfuhr|schreibt|schrieb|unter\s+Berufung)",
    ),
    (
        "told",
        r"\b(?:sagte|sagt|sagten|erklärte|erklärt|erklärten|teilte|teilt|bestätigte|bestätigt|schilderte|betonte|"
        r"versicherte)(?:\s+\p{L}+){0,3}?\s+(?:der|dem|gegenüber(?:\s+(?:der|dem))?)\s+"
        rf"(?:Nachrichtenagentur\s+|Agentur\s+)?(?P<names>{_P})",
    ),
    ("told", rf"\b[Gg]egenüber\s+(?:(?:der|dem)\s+)?(?:Nachrichtenagentur\s+|Agentur\s+)?(?P<names>{_P})"),
    ("according_to", rf"(?P<names>{_P})(?:-Informationen|\s+zufolge)\b"),
    (
        "according_to",
        r"\b[Uu]nter\s+Berufung\s+auf\s+(?:(?:die|den|das|einen\s+Bericht\s+der)\s+)?(?:(?:\p{Ll}+\s+)?"
        rf"(?:Nachrichtenagentur|Agentur|Zeitung|Sender)\s+)?(?P<names>{_P})",
    ),
    # Portuguese.
    (
        "according_to",
        r"\b(?:[Ss]egundo|[Cc]onforme|[Dd]e\s+acordo\s+com)\s+(?:(?:a|o|as|os)\s+)?(?:(?:agência|jornal|diário|emissora|"
        rf"agências)\s+(?:de\s+notícias\s+)?(?:\p{{Ll}}+\s+)?)?(?P<names>{_PL})",
    ),
    (
        "told",
        r"\b(?:disse|afirmou|declarou|explicou|contou|revelou|confirmou|garantiu|indicou|adiantou|assegurou|referiu|"
        r"sublinhou|acrescentou|precisou|relatou|diz|afirma|explica)(?:\s+\p{L}+){0,3}?\s+(?:à|ao|a)\s+"
        rf"(?:(?:agência|jornal|emissora|rádio|canal)\s+)?(?P<names>{_P})",
    ),
    (
        "reported",
        r"\b(?:informou|informa|noticiou|noticia|relatou|publicou|divulgou|avançou|avança|apurou|escreve|escreveu)\s+"
        r"(?:(?:a|o)\s+)?(?:(?:agência|jornal|diário|emissora)\s+(?:de\s+notícias\s+)?(?:\p{Ll}+\s+)?)?"
        rf"(?P<names>{_P})",
    ),
    (
        "told",
        r"\bem\s+(?:declarações|entrevista|conversa)\s+(?:à|ao|a|com\s+a|com\s+o)\s+(?:(?:agência|jornal)\s+)?"
        rf"(?P<names>{_P})",
    ),
    (
        "told",
        r"\b(?:ouvid[oa]s?|contactad[oa]s?|consultad[oa]s?|citad[oa]s?|questionad[oa]s?)\s+pel[ao]s?\s+"
        rf"(?:(?:agência|jornal)\s+)?(?P<names>{_P})",
    ),
    # Italian, the commonest forms.
    ("according_to", rf"\b[Ss]econdo\s+(?:l['’]|la\s+|il\s+)?(?:agenzia\s+)?(?P<names>{_P})"),
    ("told", rf"\b(?:detto|dichiarato|spiegato|raccontato|riferito)\s+all['’](?:agenzia\s+)?(?P<names>{_P})"),
)

_PATTERNS: tuple[tuple[str, regex.Pattern[str]], ...] = tuple((form, regex.compile(p)) for form, p in _RAW_PATTERNS)


def _lead_needs(pattern: str) -> Needs | None:
    """What the opening word list of a pattern ("\\b(?:told|tells|…)") needs, when it opens with one: every match
    starts with one of those words, so a text without any of them is not scanned."""
    m = regex.match(r"\\b(\(\?:[^()]*\))", pattern)
    needs = Needs([m.group(1)]) if m else None
    return needs if needs is not None and needs.known else None


_LEAD_NEEDS = tuple(_lead_needs(p) for _, p in _RAW_PATTERNS)
# Patterns that open with the name itself are tried only where a name starts: scanning every position with a
# 300-way alternation is the slowest part of credit detection.
_AT_NAMES = frozenset(i for i, (_, p) in enumerate(_RAW_PATTERNS) if p.startswith("(?P<names>"))
_END_WINDOW = 400  # the glued closing credit ("... said. — AFP") is looked for only this close to the end

# A written name starts at a whole word (a run of letters and digits) that is its own first word, and holds each of
# its words as a whole word. So a text without the longest word of any name has none, and elsewhere the name
# alternation is tried only at words that open a name (the same matches as scanning every position).
_RUN = regex.compile(r"[\p{L}\p{N}]+")
_FIRST_WORDS = frozenset(_RUN.findall(f)[0] for f in _FORMS)
# Each name's longest word (capitalised ones first on a tie: "the BBC" → "BBC").
_KEY_WORDS = frozenset(max(_RUN.findall(f), key=lambda w: (len(w), not w.islower())) for f in _FORMS)


def _name_starts(text: str) -> list[int]:
    """Where written names start in ``text`` (as ``_NAME_RE.finditer`` finds them), ascending."""
    words = _RUN.findall(text)
    if _KEY_WORDS.isdisjoint(words):
        return []
    opening = [i for i, w in enumerate(words) if w in _FIRST_WORDS]
    if not opening:
        return []
    offsets = [m.start() for m in _RUN.finditer(text)]
    starts: list[int] = []
    done = -1
    for i in opening:
        pos = offsets[i]
        if pos < done:
            continue
        m = _NAME_RE.match(text, pos)
        if m is not None:
            starts.append(pos)
            done = m.end()
    return starts


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _accept(form: str, text: str, m: regex.Match[str], config: SignalConfig) -> bool:
    """Context checks a single regex cannot express cheaply."""
    line_start, line_end = _line_bounds(text, m.start("names"))
    line = text[line_start:line_end]
    if form in ("line", "byline", "source", "closing") and _PHOTO.search(line[: m.start("names") - line_start]):
        return False  # "Photo: AFP", "Foto: EFE / Juan Pérez"
    if form == "line" and len(line.strip()) > config.credit_line_max_chars:
        return False
    if form == "byline" and len(line.strip()) > config.byline_max_chars:
        return False
    if form == "dateline":
        # "The Associated Press (AP) —" expands an abbreviation; a dateline's prefix is a place and date.
        prefix = text[line_start : m.start()]
        if _LONG_RE.search(prefix):
            return False
    return True


def detect_credits(text: str, config: SignalConfig) -> tuple[Credit, ...]:
    """Agencies and outlets ``text`` credits, each with the span of the written name, in text order."""
    found: dict[tuple[int, int], Credit] = {}
    name_starts = _name_starts(text)
    if not name_starts:
        return ()
    for i, (form, pattern) in enumerate(_PATTERNS):
        lead = _LEAD_NEEDS[i]
        if lead is not None and not lead.possible(text):
            continue
        try:
            matches = _matches(i, pattern, text, name_starts, config)
        except TimeoutError:
            logger.warning("credit pattern %r timed out on a %d-char text; skipped", form, len(text))
            continue
        for m in matches:
            if not _accept(form, text, m, config):
                continue
            form_label = "closing" if form == "line" and _is_tail(text, m.start(), m.end(), config) else form
            for nm in _NAME_RE.finditer(text, m.start("names"), m.end("names")):
                name = _FORMS.get(nm.group())
                key = (nm.start(), nm.end())
                if name and key not in found:
                    found[key] = Credit(name, nm.start(), nm.end(), form_label)
    return tuple(sorted(found.values(), key=lambda c: (c.start, c.end)))


def _matches(i: int, pattern: regex.Pattern[str], text: str, name_starts: list[int],
             config: SignalConfig) -> list[regex.Match[str]]:
    if i in _AT_NAMES:
        found = (pattern.match(text, pos, timeout=config.regex_timeout_s) for pos in name_starts)
        return [m for m in found if m is not None]
    start = max(0, len(text) - _END_WINDOW) if pattern.pattern.endswith(r"\Z") else 0
    return list(pattern.finditer(text, start, timeout=config.regex_timeout_s))


def _is_tail(text: str, start: int, end: int, config: SignalConfig) -> bool:
    """Whether ``text[start:end]`` lies in the last few non-empty lines of the text, after some body text."""
    after = sum(1 for ln in text[end:].splitlines() if ln.strip())
    return after < config.credit_tail_lines and bool(text[:start].strip())
