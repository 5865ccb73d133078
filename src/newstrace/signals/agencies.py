"""Canonical names of news agencies and outlets, their surface forms in text, and their web hosts.

One table is the single home of these names: credits found in text, and the outlet a site belongs to, are both
expressed as the canonical name here, so the provenance stage can compare them with ``==``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex


@dataclass(frozen=True, slots=True)
class Outlet:
    """One agency or outlet: its canonical name, how texts write it, and the hosts it publishes on."""

    name: str
    forms: tuple[str, ...]  # case-sensitive surface forms that are unambiguous in running text
    short: tuple[str, ...] = ()  # ambiguous short codes ("AP", "PA"): only trusted in dateline/closing/source forms
    hosts: tuple[str, ...] = ()
    agency: bool = True  # a wire agency (credited in datelines and closing lines) rather than a newspaper/broadcaster


OUTLETS: tuple[Outlet, ...] = (
    # Wire agencies.
    Outlet("Reuters", ("Reuters", "REUTERS", "Thomson Reuters", "Reuters news agency"), (), ("reuters.com",)),
    Outlet(
        "Associated Press",
        ("The Associated Press", "the Associated Press", "Associated Press", "ASSOCIATED PRESS"),
        ("AP",),
        ("apnews.com", "ap.org"),
    ),
    Outlet(
        "AFP",
        ("AFP", "Agence France-Presse", "Agence France Presse", "AGENCE FRANCE-PRESSE", "France-Presse",
         "France Presse"),
        (),
        ("afp.com",),
    ),
    Outlet("EFE", ("EFE", "Efe", "Agencia EFE", "Agencia Efe", "Agência EFE"), (), ("efe.com", "agenciaefe.es")),
    Outlet(
        "dpa",
        ("dpa", "Deutsche Presse-Agentur", "Deutschen Presse-Agentur", "German Press Agency", "dpa-AFX"),
        ("DPA",),
        ("dpa.com", "dpa.de", "dpa-international.com"),
    ),
    Outlet("Europa Press", ("Europa Press", "EUROPA PRESS"), (), ("europapress.es",)),
    Outlet("ANSA", ("ANSA", "Ansa"), (), ("ansa.it",)),
    Outlet("Xinhua", ("Xinhua", "XINHUA", "Xinhua News Agency"), (), ("xinhuanet.com", "news.cn")),
    Outlet("TASS", ("TASS", "Tass", "ITAR-TASS"), (), ("tass.com", "tass.ru")),
    Outlet("RIA Novosti", ("RIA Novosti", "RIA-Novosti", "RIA news agency"), ("RIA",), ("ria.ru",)),
    Outlet("Interfax", ("Interfax", "INTERFAX", "Interfax-Ukraine"), (),
           ("interfax.com", "interfax.ru", "interfax.com.ua")),
    Outlet("Kyodo", ("Kyodo", "Kyodo News", "KYODO"), (), ("kyodonews.net",)),
    Outlet("Jiji Press", ("Jiji Press", "Jiji"), (), ("jiji.com",)),
    Outlet("Yonhap", ("Yonhap", "YONHAP", "Yonhap News Agency"), (), ("yna.co.kr",)),
    Outlet("PTI", ("Press Trust of India",), ("PTI",), ("ptinews.com",)),
    Outlet("ANI", ("Asian News International",), ("ANI",), ("aninews.in",)),
    Outlet("IANS", ("IANS", "Indo-Asian News Service"), (), ("ians.in",)),
    Outlet("Bloomberg", ("Bloomberg", "Bloomberg News"), (), ("bloomberg.com",)),
    Outlet("Lusa", ("Lusa", "LUSA", "Agência Lusa", "agência Lusa"), (), ("lusa.pt",)),
    Outlet("Agência Brasil", ("Agência Brasil", "Agencia Brasil"), (), ("agenciabrasil.ebc.com.br",)),
    Outlet("Notimex", ("Notimex",), (), ("notimex.gob.mx",)),
    Outlet("Anadolu Agency", ("Anadolu Agency", "Anadolu", "Anadolu Ajansı"), (), ("aa.com.tr",)),
    Outlet("Ukrinform", ("Ukrinform",), (), ("ukrinform.net", "ukrinform.ua")),
    Outlet("UNIAN", ("UNIAN",), (), ("unian.net", "unian.info", "unian.ua")),
    Outlet("PAP", ("Polish Press Agency",), ("PAP",), ("pap.pl",)),
    Outlet("Belga", ("Belga", "BELGA"), (), ("belga.be",)),
    Outlet("ANP", ("ANP",), (), ("anp.nl",)),
    Outlet("Keystone-SDA", ("Keystone-SDA", "Keystone-ATS"), ("SDA", "ATS"), ("keystone-sda.ch",)),
    Outlet("APA", ("Austria Presse Agentur",), ("APA",), ("apa.at",)),
    Outlet("AAP", ("Australian Associated Press",), ("AAP",), ("aap.com.au",)),
    Outlet("Canadian Press", ("The Canadian Press", "the Canadian Press", "Canadian Press"), ("CP",),
           ("thecanadianpress.com",)),
    Outlet("PA Media", ("PA Media", "Press Association", "the Press Association", "PA news agency"), ("PA",),
           ("pamediagroup.com",)),
    Outlet("Sputnik", ("Sputnik",), (), ("sputniknews.com", "sputnikglobe.com")),
    Outlet("Prensa Latina", ("Prensa Latina",), (), ("prensa-latina.cu",)),
    Outlet("Télam", ("Télam", "Telam"), (), ("telam.com.ar",)),
    Outlet("Bernama", ("Bernama", "BERNAMA"), (), ("bernama.com",)),
    Outlet("Antara", ("Antara", "ANTARA"), (), ("antaranews.com",)),
    Outlet("APP", ("Associated Press of Pakistan",), ("APP",), ("app.com.pk",)),
    Outlet("UPI", ("United Press International",), ("UPI",), ("upi.com",)),
    Outlet("KNA", ("Katholische Nachrichten-Agentur",), ("KNA",), ("kna.de",)),
    Outlet("epd", ("Evangelischer Pressedienst",), ("epd",), ("epd.de",)),
    Outlet("Agerpres", ("Agerpres", "AGERPRES"), (), ("agerpres.ro",)),
    Outlet("IRNA", ("IRNA",), (), ("irna.ir",)),
    Outlet("WAFA", ("WAFA",), (), ("wafa.ps",)),
    Outlet("KCNA", ("KCNA", "Korean Central News Agency"), (), ("kcna.kp",)),
    Outlet("SANA", ("Syrian Arab News Agency",), ("SANA",), ("sana.sy",)),
    Outlet("Ritzau", ("Ritzau",), (), ("ritzau.dk",)),
    Outlet("NTB", ("Norsk Telegrambyrå",), ("NTB",), ("ntb.no",)),
    Outlet("TT", ("Tidningarnas Telegrambyrå",), ("TT",), ("tt.se",)),
    Outlet("ČTK", ("ČTK", "CTK"), (), ("ctk.cz",)),
    Outlet("MTI", ("Magyar Távirati Iroda",), ("MTI",), ("mti.hu",)),
    Outlet("Colprensa", ("Colprensa",), (), ("colprensa.com",)),
    # Newspapers, broadcasters and sites that are credited in running text ("according to The New York Times").
    Outlet("BBC", ("BBC", "BBC News", "the BBC"), (), ("bbc.co.uk", "bbc.com"), False),
    Outlet("CNN", ("CNN",), (), ("cnn.com",), False),
    Outlet("The New York Times", ("The New York Times", "the New York Times", "New York Times", "NYT"), (),
           ("nytimes.com",), False),
    Outlet("The Washington Post", ("The Washington Post", "the Washington Post", "Washington Post"), (),
           ("washingtonpost.com",), False),
    Outlet("The Wall Street Journal", ("The Wall Street Journal", "the Wall Street Journal", "Wall Street Journal"), (),
           ("wsj.com",), False),
    Outlet("The Guardian", ("The Guardian", "the Guardian"), (), ("theguardian.com", "guardian.co.uk"), False),
    Outlet("Financial Times", ("Financial Times", "the Financial Times"), (), ("ft.com",), False),
    Outlet("Al Jazeera", ("Al Jazeera",), (), ("aljazeera.com", "aljazeera.net"), False),
    Outlet("Politico", ("Politico", "POLITICO"), (), ("politico.com", "politico.eu"), False),
    Outlet("Axios", ("Axios",), (), ("axios.com",), False),
    Outlet("NPR", ("NPR",), (), ("npr.org",), False),
    Outlet("Fox News", ("Fox News",), (), ("foxnews.com",), False),
    Outlet("NBC News", ("NBC News",), (), ("nbcnews.com",), False),
    Outlet("CBS News", ("CBS News",), (), ("cbsnews.com",), False),
    Outlet("ABC News", ("ABC News",), (), ("abcnews.go.com",), False),
    Outlet("Sky News", ("Sky News",), (), ("news.sky.com",), False),
    Outlet("Deutsche Welle", ("Deutsche Welle",), ("DW",), ("dw.com",), False),
    Outlet("France 24", ("France 24", "FRANCE 24"), (), ("france24.com",), False),
    Outlet("RFI", ("RFI", "Radio France Internationale"), (), ("rfi.fr",), False),
    Outlet("Euronews", ("Euronews",), (), ("euronews.com",), False),
    Outlet("The Kyiv Independent", ("The Kyiv Independent", "the Kyiv Independent", "Kyiv Independent"), (),
           ("kyivindependent.com",), False),
    Outlet("Ukrainska Pravda", ("Ukrainska Pravda",), (), ("pravda.com.ua",), False),
    Outlet("The Times", ("The Times of London",), (), ("thetimes.co.uk",), False),
    Outlet("The Telegraph", ("The Telegraph", "the Telegraph", "The Daily Telegraph"), (), ("telegraph.co.uk",), False),
    Outlet("The Independent", ("The Independent",), (), ("independent.co.uk",), False),
    Outlet("Daily Mail", ("Daily Mail", "the Daily Mail", "MailOnline"), (), ("dailymail.co.uk",), False),
    Outlet("El País", ("El País", "EL PAÍS", "El Pais"), (), ("elpais.com",), False),
    Outlet("El Mundo", ("El Mundo",), (), ("elmundo.es",), False),
    Outlet("ABC (Spain)", ("diario ABC",), (), ("abc.es",), False),
    Outlet("La Vanguardia", ("La Vanguardia",), (), ("lavanguardia.com",), False),
    Outlet("Infobae", ("Infobae",), (), ("infobae.com",), False),
    Outlet("Clarín", ("Clarín", "Clarin"), (), ("clarin.com",), False),
    Outlet("La Nación", ("La Nación",), (), ("lanacion.com.ar",), False),
    Outlet("Le Monde", ("Le Monde", "le Monde"), (), ("lemonde.fr",), False),
    Outlet("Le Figaro", ("Le Figaro", "le Figaro"), (), ("lefigaro.fr",), False),
    Outlet("Libération", ("Libération",), (), ("liberation.fr",), False),
    Outlet("Der Spiegel", ("Der Spiegel", "Spiegel", "SPIEGEL"), (), ("spiegel.de",), False),
    Outlet("Bild", ("BILD", "Bild-Zeitung"), ("Bild",), ("bild.de",), False),
    Outlet("Süddeutsche Zeitung", ("Süddeutsche Zeitung", "Süddeutschen Zeitung"), ("SZ",), ("sueddeutsche.de",),
           False),
    Outlet("Frankfurter Allgemeine Zeitung", ("Frankfurter Allgemeine Zeitung", "Frankfurter Allgemeinen"), ("FAZ",),
           ("faz.net",), False),
    Outlet("Die Zeit", ("Die Zeit", "ZEIT ONLINE", "Zeit Online"), (), ("zeit.de",), False),
    Outlet("Die Welt", ("Die Welt",), ("WELT",), ("welt.de",), False),
    Outlet("Tagesschau", ("Tagesschau", "tagesschau.de"), (), ("tagesschau.de",), False),
    Outlet("Folha de S.Paulo", ("Folha de S.Paulo", "Folha de São Paulo"), ("Folha",), ("folha.uol.com.br",), False),
    Outlet("O Globo", ("O Globo",), (), ("oglobo.globo.com",), False),
    Outlet("g1", (), ("g1", "G1"), ("g1.globo.com",), False),
    Outlet("Estadão", ("Estadão", "O Estado de S. Paulo"), (), ("estadao.com.br",), False),
    Outlet("Público", ("jornal Público",), ("Público",), ("publico.pt",), False),
    Outlet("Observador", (), ("Observador",), ("observador.pt",), False),
    Outlet("Corriere della Sera", ("Corriere della Sera",), (), ("corriere.it",), False),
    Outlet("la Repubblica", ("la Repubblica", "La Repubblica"), (), ("repubblica.it",), False),
    Outlet("The Times of India", ("The Times of India", "Times of India"), (), ("timesofindia.indiatimes.com",), False),
    Outlet("Hindustan Times", ("Hindustan Times",), (), ("hindustantimes.com",), False),
    Outlet("NDTV", ("NDTV",), (), ("ndtv.com",), False),
)

_BY_NAME = {o.name: o for o in OUTLETS}


def _key(name: str) -> str:
    """Loose lookup key: accents and case folded, leading articles and punctuation dropped."""
    s = unicodedata.normalize("NFKD", name).casefold()
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = regex.sub(r"[^\p{L}\p{N}]+", " ", s).strip()
    s = regex.sub(r"^(?:the|la|le|el|der|die|das|a|o|l|agencia|agence|agentur|agencia de noticias|agência|agencia)\s+",
                  "", s)
    s = regex.sub(r"\s+(?:news agency|agency|news|newswire|wire)$", "", s)
    return s


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for o in OUTLETS:
        for form in (o.name, *o.forms, *o.short):
            table.setdefault(_key(form), o.name)
    return table


_ALIASES = _alias_table()


def canonical_agency(name: str) -> str | None:
    """Canonical agency/outlet name for a written name ("the Associated Press", "agencia Efe"), or None if unknown."""
    if not name or not name.strip():
        return None
    return _ALIASES.get(_key(name))


def is_agency(name: str) -> bool:
    """Whether a canonical name is a wire agency (as opposed to a newspaper or broadcaster)."""
    outlet = _BY_NAME.get(name)
    return bool(outlet and outlet.agency)


def _host_table() -> dict[str, str]:
    return {h: o.name for o in OUTLETS for h in o.hosts}


_HOSTS = _host_table()


def site_outlet(site: str) -> str | None:
    """Canonical outlet of a site host or URL ("www.reuters.com", "https://news.bbc.co.uk/x"), or None if unknown."""
    if not site:
        return None
    host = site.strip().casefold()
    host = regex.sub(r"^[a-z][a-z0-9+.\-]*://", "", host)
    host = host.split("/", 1)[0].split("?", 1)[0].split("@")[-1].split(":", 1)[0].rstrip(".")
    # Try the host and each parent domain ("uk.reuters.com" → "reuters.com"), but never a bare public suffix.
    labels = host.split(".")
    for i in range(len(labels) - 1):
        hit = _HOSTS.get(".".join(labels[i:]))
        if hit:
            return hit
    return None


# Short codes that, written in capitals, almost never mean anything else in news prose ("told AP", "PTI reported").
# The others ("PA", "CP", "AAP", "APA", "DPA", "Bild" …) are trusted only in datelines, credit lines and bylines.
PROSE_SAFE_SHORT = frozenset({"AP", "PTI", "ANI", "UPI"})


def surface_forms(include_short: bool, prose: bool = False) -> dict[str, str]:
    """Case-sensitive written form → canonical name; short ambiguous codes only when asked for (and, for running
    prose, only the safe ones)."""
    forms: dict[str, str] = {}
    for o in OUTLETS:
        short = o.short if include_short else ()
        if prose:
            short = tuple(c for c in short if c in PROSE_SAFE_SHORT)
        for form in (*o.forms, *short):
            forms.setdefault(form, o.name)
    return forms


def names_pattern(include_short: bool, prose: bool = False) -> str:
    """A regex alternation matching any written form as a whole word (longest forms first)."""
    forms = sorted(surface_forms(include_short, prose), key=len, reverse=True)
    alternation = "|".join(regex.escape(f) for f in forms)
    return rf"(?<![\p{{L}}\p{{N}}])(?:{alternation})(?![\p{{L}}\p{{N}}])"
