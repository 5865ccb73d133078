"""Canonical agency names and site → outlet mapping."""

from __future__ import annotations

import pytest

from newstrace.signals import canonical_agency, is_agency, site_outlet


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Reuters", "Reuters"),
        ("REUTERS", "Reuters"),
        ("the Associated Press", "Associated Press"),
        ("AP", "Associated Press"),
        ("Agence France-Presse", "AFP"),
        ("agencia Efe", "EFE"),
        ("Agencia EFE", "EFE"),
        ("Deutsche Presse-Agentur", "dpa"),
        ("DPA", "dpa"),
        ("Europa Press", "Europa Press"),
        ("Agência Lusa", "Lusa"),
        ("El Pais", "El País"),
        ("The New York Times", "The New York Times"),
    ],
)
def test_canonical_agency(written: str, canonical: str) -> None:
    assert canonical_agency(written) == canonical


@pytest.mark.parametrize("unknown", ["", "   ", "John Smith", "the ministry", "Ukraine"])
def test_canonical_agency_unknown(unknown: str) -> None:
    assert canonical_agency(unknown) is None


@pytest.mark.parametrize(
    ("site", "outlet"),
    [
        ("reuters.com", "Reuters"),
        ("www.reuters.com", "Reuters"),
        ("uk.reuters.com", "Reuters"),
        ("https://apnews.com/article/x", "Associated Press"),
        ("efe.com", "EFE"),
        ("afp.com", "AFP"),
        ("dpa.com", "dpa"),
        ("elpais.com", "El País"),
        ("news.bbc.co.uk", "BBC"),
        ("bbc.co.uk", "BBC"),
        ("WWW.LEMONDE.FR:443", "Le Monde"),
    ],
)
def test_site_outlet(site: str, outlet: str) -> None:
    assert site_outlet(site) == outlet


@pytest.mark.parametrize("site", ["", "example.com", "co.uk", "notreuters.com", "reuters.com.evil.net"])
def test_site_outlet_unknown(site: str) -> None:
    assert site_outlet(site) is None


def test_credit_names_and_site_names_share_one_namespace() -> None:
    assert site_outlet("apnews.com") == canonical_agency("The Associated Press")
    assert is_agency("EFE") and not is_agency("El País")
