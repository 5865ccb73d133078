"""Credit forms in en/es/fr/de/pt, and mentions that are not credits."""

from __future__ import annotations

import pytest

from newstrace.config import SignalConfig
from newstrace.signals import detect_credits

CFG = SignalConfig()


def names(text: str) -> list[str]:
    return [c.name for c in detect_credits(text, CFG)]


@pytest.mark.parametrize(
    ("text", "expected", "form"),
    [
        # English datelines, bylines, closings and attributions.
        ("KYIV, Ukraine (AP) — Russia launched a wave of drones overnight.", "Associated Press", "dateline"),
        ("LONDON, Sept 28 (Reuters) - Oil prices rose on Thursday.", "Reuters", "dateline"),
        ("(Reuters) - Oil prices rose on Thursday.", "Reuters", "dateline"),
        ("PARIS (AFP) - Le gouvernement a annoncé mardi", "AFP", "dateline"),
        ("Officials met on Monday.\n\nEFE", "EFE", "closing"),
        ("Officials met on Monday.\n\nEFE ar/jm", "EFE", "closing"),
        ("Officials met on Monday. — AFP", "AFP", "closing"),
        ("Officials met on Monday. (AFP)", "AFP", "closing"),
        ("By Jane Doe, Reuters\n\nOfficials met on Monday.", "Reuters", "byline"),
        ("By The Associated Press\n\nOfficials met on Monday.", "Associated Press", "line"),
        ("Officials met on Monday.\nSource: AFP", "AFP", "closing"),
        ("The plant was hit, according to Reuters.", "Reuters", "according_to"),
        ("The plant was hit, according to a Reuters tally.", "Reuters", "according_to"),
        ("The plant was hit, according to the Russian news agency TASS.", "TASS", "according_to"),
        ("A senior official told The Associated Press on Monday.", "Associated Press", "told"),
        ("The mayor told AFP the town had no power.", "AFP", "told"),
        ("Reuters could not independently verify the report.", "Reuters", "reported"),
        ("A Reuters witness said three people were killed.", "Reuters", "reported"),
        ("The Associated Press contributed to this report.", "Associated Press", "contributed"),
        ("With inputs from PTI", "PTI", "contributed"),
        ("The ministry said in a statement sent to Reuters that it disagreed.", "Reuters", "told"),
        ("Jane Doe, Reuters\n\nOfficials met on Monday.", "Reuters", "byline"),
        ("Reuters Staff\n\nOfficials met on Monday.", "Reuters", "line"),
        ("Reuters contributed reporting.", "Reuters", "contributed"),
        ("The victim's family told the PA news agency they were shocked.", "PA Media", "told"),
        ("Police in Harrisburg, PA (AP) — Officials said.", "Associated Press", "dateline"),
        ("The account is based on reporting by The Associated Press.", "Associated Press", "contributed"),
        ("Reuters | 28 Sep 2023\n\nOil prices rose.", "Reuters", "line"),
        # Spanish.
        ("Madrid, 28 sep (EFE).- El presidente del Gobierno dijo hoy", "EFE", "dateline"),
        ("El acuerdo se firmó ayer.\nFuente: Reuters", "Reuters", "closing"),
        ("El ministro dijo este jueves a EFE que no dimitirá.", "EFE", "told"),
        ("Según informó la agencia Europa Press, el acuerdo se firmó ayer.", "Europa Press", "according_to"),
        ("El portavoz explicó en declaraciones a Efe que no habrá cambios.", "EFE", "told"),
        ("El texto termina aquí.\n\nCon información de EFE", "EFE", "closing"),
        # French.
        ("selon l'AFP, le bilan est lourd.", "AFP", "according_to"),
        ("« Nous n'abandonnerons pas », a-t-il déclaré à l'AFP.", "AFP", "told"),
        ("Le bilan a été confirmé, rapporte l'agence Reuters.", "Reuters", "reported"),
        ("Interrogé par l'AFP, le ministre n'a pas souhaité commenter.", "AFP", "told"),
        ("Sur place, l'AFP a constaté que les bâtiments étaient détruits.", "AFP", "reported"),
        ("Le bilan est lourd.\n\nLe Monde avec AFP", "AFP", "closing"),
        # German.
        ("Berlin (dpa) - Die Regierung hat am Donnerstag", "dpa", "dateline"),
        ("Die Regierung hat beschlossen.\n\ndpa/lno", "dpa", "closing"),
        ("Das sagte er am Donnerstag der Deutschen Presse-Agentur.", "dpa", "told"),
        ("Laut dpa kamen mindestens 20 Menschen ums Leben.", "dpa", "according_to"),
        ("Das berichtete die Nachrichtenagentur Reuters am Abend.", "Reuters", "reported"),
        ("Die Regierung hat beschlossen.\n\nQuelle: dpa", "dpa", "closing"),
        # Portuguese.
        ("Los daños, que EFE pudo constatar, son graves.", "EFE", "reported"),
        ("O ministro disse à Lusa que não haverá alterações.", "Lusa", "told"),
        ("Segundo a agência Reuters, o acordo foi assinado.", "Reuters", "according_to"),
        ("O texto termina aqui.\n\nCom informações da Reuters", "Reuters", "closing"),
        ("Fonte: Agência Brasil", "Agência Brasil", "line"),
    ],
)
def test_credit_forms(text: str, expected: str, form: str) -> None:
    credits = detect_credits(text, CFG)
    assert [c.name for c in credits] == [expected], text
    c = credits[0]
    assert c.form == form
    # The span is the written name, and it normalises to the reported name.
    from newstrace.signals import canonical_agency

    assert canonical_agency(text[c.start : c.end]) == expected


def test_several_agencies_in_one_dateline() -> None:
    text = "Berlin (dpa/AFP) - Die Regierung hat am Donnerstag beschlossen."
    assert names(text) == ["dpa", "AFP"]


@pytest.mark.parametrize(
    "text",
    [
        "A Reuters reporter was injured in the blast on Monday.",
        "The Associated Press (AP) is a news agency based in New York.",
        "AFP's headquarters in Paris were evacuated after a bomb threat.",
        "Thomson Reuters shares rose 2% after the results.",
        "Photo: AFP",
        "(Photo: AFP)",
        "REUTERS/Gleb Garanich",
        "The reporter, who has worked for Reuters and the BBC, was released on bail.",
        "Reuters said in a statement it was deeply saddened by the death of its videographer.",
        "The AP Stylebook changed its guidance on the term last year.",
        "Foto: EFE / Juan Pérez",
        "Un periodista de EFE resultó herido durante la protesta.",
        "Ein dpa-Fotograf wurde bei der Demonstration verletzt.",
        "The minister spoke to reporters in Madrid on Tuesday.",
        "AP Photo/Efrem Lukatsky",
        "The fine was imposed by Ireland's data regulator, according to the DPA.",
        "The AAP reported gains in the Delhi municipal election, according to AAP leaders.",
        "The guidance was published by the APA in its diagnostic manual, according to APA officials.",
    ],
)
def test_mentions_are_not_credits(text: str) -> None:
    assert names(text) == [], text


def test_independent_story_quoting_a_wire_story_about_itself() -> None:
    # An independent report about an agency: the agency is the subject of the story, not its source.
    text = (
        "The Committee to Protect Journalists condemned the strike that killed a Reuters videographer.\n\n"
        "Agence France-Presse said two of its journalists were also wounded, and the organisation demanded an "
        "inquiry into the attack."
    )
    assert names(text) == []


def test_credit_in_a_long_article_is_found_and_offsets_are_exact() -> None:
    body = "The council voted on the budget after a long debate. " * 200
    text = "WASHINGTON (AP) — " + body + "\n\nThe Associated Press contributed to this report."
    credits = detect_credits(text, CFG)
    assert [c.name for c in credits] == ["Associated Press", "Associated Press"]
    assert all(text[c.start : c.end] in ("AP", "The Associated Press") for c in credits)
