from pathlib import Path

import pytest

from clustering.csv_tool import cluster_csv, format_themes_table
from clustering.errors import ClusteringInputError
from tests.clustering.synthetic import HashingEmbedder

TOPICS = {
    "vpn": ["vpn connection drops", "vpn connection slow", "vpn connection lost daily"],
    "expenses": ["expense report approval slow", "expense report rejected", "expense report late"],
    "rooms": ["meeting room double booked", "meeting room screen broken", "meeting room cold"],
}


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


def _survey(tmp_path: Path) -> Path:
    lines = ["id,answer,team"]
    n = 0
    for week in range(4):
        for answers in TOPICS.values():
            for a in answers:
                n += 1
                lines.append(f'{n},"{a}",week {week}')
    lines.append(f"{n + 1},n/a,ops")
    return _write(tmp_path / "survey.csv", "\r\n".join(lines) + "\r\n", encoding="utf-8-sig")


def test_end_to_end_writes_theme_columns(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    rows, themes = cluster_csv(_survey(tmp_path), "answer", out, embedder=HashingEmbedder())
    assert len(rows) == 37
    assert len(themes) == 3
    by_topic = {}
    for row in rows[:-1]:
        topic = next(t for t, a in TOPICS.items() if any(row["answer"].startswith(x) for x in a))
        by_topic.setdefault(topic, set()).add(row["theme_id"])
    assert all(len(ids) == 1 and "" not in ids for ids in by_topic.values())
    assert rows[-1]["theme_id"] == "" and rows[-1]["theme_title"] == ""
    assert {t.theme_id for t in themes} == {1, 2, 3}
    titles = {t.title for t in themes}
    assert any("VPN" in t for t in titles) and any("Expense" in t for t in titles)
    written = out.read_text(encoding="utf-8").splitlines()
    assert written[0] == "id,answer,team,theme_id,theme_title"
    assert len(written) == 38
    table = format_themes_table(themes)
    assert "Items" in table and "VPN" in table and len(table.splitlines()) == 5


def test_missing_column_lists_the_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "id,comment\n1,hello\n")
    with pytest.raises(ClusteringInputError, match=r"'answer' not found.*'id', 'comment'"):
        cluster_csv(path, "answer", embedder=HashingEmbedder())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("answer\n", "no rows"),
        ('answer\n"unterminated quote\n', "not valid CSV"),
        ("answer,x\n1,2,3\n", "row 2 has 3 fields"),
    ],
)
def test_malformed_or_empty_csv(tmp_path: Path, content: str, message: str) -> None:
    path = _write(tmp_path / "bad.csv", content)
    with pytest.raises(ClusteringInputError, match=message):
        cluster_csv(path, "answer", embedder=HashingEmbedder())


def test_not_utf8_or_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("answer\ncaf\xe9 is closed\n".encode("latin-1"))
    with pytest.raises(ClusteringInputError, match="not UTF-8"):
        cluster_csv(path, "answer", embedder=HashingEmbedder())
    with pytest.raises(ClusteringInputError, match="cannot read"):
        cluster_csv(tmp_path / "nope.csv", "answer", embedder=HashingEmbedder())


def test_too_few_answers(tmp_path: Path) -> None:
    path = _write(tmp_path / "few.csv", "answer\nvpn slow\nn/a\nprinter jam\n")
    with pytest.raises(ClusteringInputError, match="Not enough reports yet"):
        cluster_csv(path, "answer", embedder=HashingEmbedder())


def test_format_empty_table() -> None:
    assert format_themes_table([]) == "No themes found."
