import pytest

from clustering.nonanswers import is_non_answer


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "n/a",
        "N/A",
        "na",
        "NA.",
        "nothing",
        "Nothing really",
        "Nothing comes to mind atm",
        "nothing right now",
        "none",
        "None.",
        "no comment",
        "No comments",
        "-",
        "--",
        "...",
        "?!",
        "no",
        "Nope",
        "idk",
        "IDK!",
        "I don't know",
        "not sure",
        "nothing at the moment",
        "no issues this week",
        None,
        "42",
    ],
)
def test_non_answers_are_recognised(text: str | None) -> None:
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    [
        "no coffee in the kitchen",
        "VPN drops every hour",
        "none of the printers work",
        "nothing works after the update",
        "nothing works atm",
        "Jira is slow",
    ],
)
def test_real_answers_are_kept(text: str) -> None:
    assert not is_non_answer(text)
