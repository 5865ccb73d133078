"""Machine translation cues: seed 000 fires, clean English news does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.config import SignalConfig
from newstrace.signals.mt import detect_machine_translation, machine_translation_score

CFG = SignalConfig()
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

# Hand-written clean English news paragraphs (negatives): names, quotes, numbers, both pronouns, a URL, an
# accented name, weekdays and "this Thursday" used the English way.
CLEAN = [
    (
        "BRUSSELS — European Union finance ministers agreed on Tuesday to extend the bloc's emergency gas measures "
        "for another year, a move that officials said would help keep prices stable through the winter. \"We are "
        "better prepared than we were twelve months ago,\" said Nadia Calviño, Spain's economy minister, who chaired "
        "the meeting. She added that storage levels stood at 96%, well above the 90% target."
    ),
    (
        "The city council voted 7-2 on Monday night to approve a $4.1 million contract for new buses. Mayor John "
        "Whitaker said he expected the first vehicles to arrive in March. \"This is a long-overdue investment,\" he "
        "said. Council member Laura Chen, who voted against the deal, said she worried about maintenance costs. "
        "Details of the contract are posted at www.cityofexample.gov/transit.html."
    ),
    (
        "Shares of the chipmaker fell 8% in early trading after the company cut its revenue forecast, citing weaker "
        "demand from personal computer makers. Chief Executive Lisa Park told analysts on a call that she expected "
        "the slowdown to last into next year. Analysts at two banks lowered their price targets. The company will "
        "hold its annual investor meeting this Thursday in San Jose, California."
    ),
    (
        "Rescue workers pulled two survivors from the rubble of a collapsed apartment building in the port city late "
        "on Sunday, officials said, bringing the number of people found alive to 14. The regional governor said he "
        "had ordered an inquiry into the building's construction. Residents said cracks had appeared in the walls "
        "weeks before the collapse, but their complaints were ignored."
    ),
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_english_news_is_not_flagged(text: str) -> None:
    assert detect_machine_translation(text, "en", CFG) == []
    score, _ = machine_translation_score(text, "en")
    assert score < 0.3


def test_clean_paragraphs_together_are_not_flagged() -> None:
    assert detect_machine_translation("\n\n".join(CLEAN), "en", CFG) == []


def test_seed_000_is_flagged_with_its_marks() -> None:
    path = SEEDS / "000_ad87435f5b9800d0.txt"
    if not path.is_file():
        pytest.skip(f"seed not found at {path}")
    text = path.read_text(encoding="utf-8")
    signals = detect_machine_translation(text, "en", CFG)
    assert signals, "seed 000 carries machine-translation marks"
    assert signals[0].score >= 0.8
    marked = {text[s.start : s.end] for s in signals}
    assert {"Zelenskyduring", "euross", "kyiv", "she"} <= marked


def test_wrong_gender_pronoun_for_a_named_person() -> None:
    text = (
        "Jens Stoltenberg said the alliance would stay. \"We will remain,\" he added.\n\n"
        "Stoltenberg stressed that support would continue. \"Ukraine will win,\" she emphasized.\n\n"
        "Stoltenberg also welcomed the new contracts, and he noted that production was rising."
    )
    _, cues = machine_translation_score(text, "en")
    pronoun = [c for c in cues if c[3].startswith("pronoun")]
    assert len(pronoun) == 1 and text[pronoun[0][0] : pronoun[0][1]] == "she"


def test_two_people_of_different_gender_are_not_a_pronoun_error() -> None:
    text = (
        "Mayor John Whitaker said the plan was ready. He added that work would start soon. Whitaker said he was "
        "confident.\n\nCouncil member Laura Chen said the plan was too costly. She said she would vote against it."
    )
    _, cues = machine_translation_score(text, "en")
    assert not [c for c in cues if c[3].startswith("pronoun")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The president met Zelensky on Monday and spoke with Zelenskyduring a visit.", "glued"),
        ("Support reached 100 billion euross, half of the 200 billion euros pledged.", "doubled"),
        ("The delegation arrived in kyiv on Monday and left for Lviv.", "lowercase"),
        ("The minister said that the reform, según el gobierno, would pass.", "foreign"),
        ("The president of the Government said the plan would be put in march next year.", "calque"),
        ("The summit was held on the day 28 and approved 2,4 billion euros.", "typography"),
    ],
)
def test_each_cue_kind(text: str, kind: str) -> None:
    _, cues = machine_translation_score(text, "en")
    assert any(c[3].startswith(kind) for c in cues), cues


def test_spanish_news_calques_together_are_flagged() -> None:
    text = ("The president of the Government, Pedro Sánchez, has assured this Thursday that the reform will be "
            "approved, according to the EFE agency. The Council of Ministers will meet at 10.30 hours.")
    signals = detect_machine_translation(text, "en", CFG)
    assert signals and signals[0].score >= 0.5


def test_clean_british_dates_are_not_calques() -> None:
    text = ("The committee will meet on Thursday 28 September at 10:30. It met last Tuesday 12th October too, "
            "the AFP-backed group said. Ministers said on Monday that they would vote.")
    _, cues = machine_translation_score(text, "en")
    assert not [c for c in cues if c[3].startswith("calque")], cues


def test_single_typo_is_not_enough() -> None:
    text = "The council met on Monday. Support reached 100 billion euross after 200 billion euros were pledged."
    assert detect_machine_translation(text, "en", CFG) == []


def test_all_caps_text_does_not_fire_on_case() -> None:
    text = "\n\n".join(CLEAN).upper()
    assert detect_machine_translation(text, "en", CFG) == []
