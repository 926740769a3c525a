"""The report builder: every report fits the schema; classification and JSON references are detected
and scored; errors are listed but left out; the writer never leaves a half-written report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import precision_recall_fscore_support

from conftest import validate_report
from tunesmith_trainer import report as report_mod
from tunesmith_trainer import structure
from tunesmith_trainer.report import Item


def items(references, base, tuned):
    return [Item(index=i, prompt=f"q{i}", reference=r, outputs={"base": b, "tuned": t}, line=i + 1)
            for i, (r, b, t) in enumerate(zip(references, base, tuned))]


def test_a_comparison_report_fits_the_schema_and_its_numbers_agree():
    refs = [f"The capital of country {i} is city {i} ." for i in range(12)]
    base = ["I do not know ."] * 6 + refs[6:]
    tuned = refs[:10] + ["The capital is elsewhere ."] * 2
    built = report_mod.build(items(refs, base, tuned), kind="score", resamples=200)
    report = validate_report(built.report)
    assert report["primary"] == "f1" and report["comparison"]["outcomes"] == {
        "improved": 6, "regressed": 2, "unchanged": 4, "error": 0}
    assert report["metrics"]["delta"]["exact"] == pytest.approx(report["metrics"]["tuned"]["exact"] - report["metrics"]["base"]["exact"])
    assert report["metrics"]["tuned"]["exact"] == pytest.approx(10 / 12)
    first = report["examples"][0]
    assert first["outcome"] == "improved" and first["correct"] == {"base": False, "tuned": True}
    assert "classification" not in report and "json" not in report
    assert report["comparison"]["verdict"].startswith("n = 12.")
    json.dumps(report, allow_nan=False)


def test_one_system_has_no_comparison():
    refs = ["yes", "no", "maybe"]
    report = validate_report(report_mod.build(
        [Item(index=i, prompt="", reference=r, outputs={"tuned": r}) for i, r in enumerate(refs)], kind="score").report)
    assert report["comparison"] is None and set(report["metrics"]) == {"tuned", "signatures"}
    assert report["examples"][0]["outcome"] == "unchanged" and "base" not in report["examples"][0]["outputs"]


def test_a_small_label_set_gets_scikit_learns_metrics_with_an_other_column():
    labels = ["negative", "neutral", "positive"]
    refs = [labels[i % 3] for i in range(15)]
    tuned = [r if i % 5 else ("Positive." if r == "positive" else "I think so") for i, r in enumerate(refs)]
    base = ["neutral"] * 15
    built = report_mod.build(items(refs, base, tuned), kind="score", resamples=50)
    report = validate_report(built.report)
    assert report["primary"] == "exact_normalized"
    section = report["classification"]
    assert section["labels"] == labels
    tuned_report = section["systems"]["tuned"]
    predicted = [structure._predicted(t, set(labels), {label: label for label in labels}) for t in tuned]
    assert [predicted[i] for i in (0, 5, 10)] == ["(other)", "positive", "(other)"]  # "Positive." is a label
    assert tuned_report["columns"] == labels + ["(other)"]
    precision, recall, f1, support = precision_recall_fscore_support(refs, predicted, labels=labels, zero_division=0)
    assert [row["precision"] for row in tuned_report["per_label"]] == pytest.approx(list(precision))
    assert [row["support"] for row in tuned_report["per_label"]] == list(support)
    assert sum(map(sum, tuned_report["confusion"])) == 15 and len(tuned_report["confusion"]) == 3
    assert section["systems"]["base"]["columns"] == labels  # base never strays from the labels
    assert section["systems"]["base"]["accuracy"] == pytest.approx(5 / 15)


@pytest.mark.parametrize("references, expected", [
    (["a", "b"] * 4, None),  # fewer than 10 examples
    ([f"label{i % 21}" for i in range(63)], None),  # 21 labels
    ([f"free text answer {i}" for i in range(30)], None),  # nothing repeats
    (["yes"] * 8 + ["no"] * 8 + [f"odd {i}" for i in range(5)], None),  # labels cover 16 of 21 = 76%
    (["yes"] * 9 + ["no"] * 9 + [f"odd {i}" for i in range(4)], ["no", "yes"]),  # 18 of 22 = 82%
])
def test_the_label_set_rule(references, expected):
    assert structure.label_set(references) == expected


def test_json_references_get_parse_rate_and_key_set_match():
    refs = ['{"name": "Ada", "age": 36}'] * 8 + ["not json", "[1, 2]"]
    tuned = ['{"name": "Ada", "age": 36}'] * 5 + ['{"name": "Ada"}', "{broken", "Sure! {\"name\": 1}", "x", "[3]"]
    base = ["nothing"] * 10
    report = validate_report(report_mod.build(items(refs, base, tuned), kind="score", resamples=20).report)
    section = report["json"]
    assert section["references"] == pytest.approx(0.9)
    assert section["systems"]["tuned"] == {"parses": pytest.approx(7 / 9), "same_keys": pytest.approx(6 / 7)}
    assert section["systems"]["base"] == {"parses": 0.0, "same_keys": 0.0}


def test_an_example_with_an_error_is_listed_but_left_out_of_every_aggregate():
    refs = ["one", "two", "three"]
    rows = items(refs, ["one", "x", "three"], ["one", "two", "three"])
    rows[1].error = "no base output on this line"
    del rows[1].outputs["base"]
    report = validate_report(report_mod.build(rows, kind="score", resamples=20).report)
    assert report["examples"][1]["outcome"] == "error" and report["examples"][1]["error"].startswith("no base")
    assert set(report["examples"][1]["scores"]) == {"tuned"}
    assert report["comparison"]["outcomes"] == {"improved": 0, "regressed": 0, "unchanged": 2, "error": 1}
    assert report["metrics"]["base"]["exact"] == 1.0  # the two scored examples only
    assert any("could not be scored" in note for note in report["notes"])


def test_non_latin_references_get_chrf_as_primary_and_a_note():
    refs = ["北京是中国的首都。", "東京は日本の首都です。", "Москва — столица России."]
    report = validate_report(report_mod.build(items(refs, ["不知道"] * 3, refs), kind="score", resamples=20).report)
    assert report["primary"] == "chrf"
    assert any("rouge-score keeps only a-z0-9" in note for note in report["notes"])
    assert report["metrics"]["tuned"]["rouge1"] < 0.5 and report["metrics"]["tuned"]["chrf"] == 100.0


def test_short_references_leave_corpus_bleu_out_of_the_verdict():
    refs = [f"b{i} b{i + 1}" for i in range(12)]
    report = report_mod.build(items(refs, ["x y z w v"] * 12, refs), kind="score", resamples=50).report
    assert report["metrics"]["tuned"]["bleu"] == 0.0  # sacreBLEU: no 4-grams at all
    assert "BLEU is left out of the verdict" in report["comparison"]["verdict"]
    assert "BLEU (" not in report["comparison"]["verdict"]


def test_the_writer_keeps_the_previous_report_when_writing_fails(tmp_path):
    path = tmp_path / "evaluations" / "final.json"
    report_mod.write({"id": "old"}, path)
    with pytest.raises(ValueError):
        report_mod.write({"id": "new", "broken": float("nan")}, path)  # fails half-way through the dump
    assert json.loads(path.read_text()) == {"id": "old"}
    assert [p.name for p in path.parent.iterdir()] == ["final.json"]


def test_line_hashes_are_sha256_of_the_line_without_its_break(tmp_path):
    path = tmp_path / "held.jsonl"
    path.write_bytes('{"a": "é"}\r\n{"b": 2}\n\n{"c": 3}'.encode())
    info, lines = report_mod.read_lines(path)
    assert lines == ['{"a": "é"}', '{"b": 2}', "", '{"c": 3}'] and info["lines"] == 4
    import hashlib

    assert report_mod.line_hash(lines[0]) == hashlib.sha256('{"a": "é"}'.encode("utf-8")).hexdigest()
    assert info["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_recorded_fixture_fits_the_schema_and_the_demo_file():
    """test/fixtures/evaluation-report.recorded.json (tests/record_evaluation.py) is what the TypeScript
    tests read: it must stay a valid report whose hashes are those of the demo's validation file."""
    root = Path(__file__).resolve().parents[3]
    report = validate_report(json.loads((root / "test/fixtures/evaluation-report.recorded.json").read_text("utf-8")))
    lines = (root / report["source"]["heldout"]["path"]).read_text("utf-8").splitlines()
    assert [e["line_hash"] for e in report["examples"]] == [report_mod.line_hash(lines[e["line"] - 1])
                                                          for e in report["examples"]]
    # The demo shows the difference in more than exact match.
    delta = report["metrics"]["delta"]
    assert delta["f1"] > 0.5 and delta["chrf"] > 50 and delta["rougeL"] > 0.5
