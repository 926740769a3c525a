"""`score` on each predictions layout, with the broken lines a real file has, and `compare` of two
reports; both through the real command line, which prints one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import validate_report
from tunesmith_trainer.cli import main
from tunesmith_trainer.report import line_hash

QUESTIONS = [("Peru", "Lima"), ("France", "Paris"), ("Japan", "Tokyo"), ("Kenya", "Nairobi"), ("Chile", "Santiago"),
             ("Egypt", "Cairo")]


def heldout(tmp_path: Path) -> Path:
    path = tmp_path / "test.jsonl"
    lines = [json.dumps({"messages": [{"role": "user", "content": f"Capital of {c}?"},
                                      {"role": "assistant", "content": f"The capital of {c} is {city} ."}]})
             for c, city in QUESTIONS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(list(args))
    return code, json.loads(capsys.readouterr().out)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_our_evaluation_jsonl_with_broken_lines_is_scored_and_each_problem_names_its_line(tmp_path, capsys):
    held = heldout(tmp_path)
    rows = []
    for i, (country, city) in enumerate(QUESTIONS):
        ref = f"The capital of {country} is {city} ."
        rows.append({"index": i, "line": i + 1, "prompt": f"Capital of {country}?", "reference": ref,
                     "base": "I do not know.", "tuned": ref})
    lines = [json.dumps(r) for r in rows]
    lines[1] = lines[1][:-5]  # cut off: invalid JSON
    lines[2] = json.dumps({**rows[2], "tuned": None})  # mistyped
    lines[3] = json.dumps({k: v for k, v in rows[3].items() if k != "base"})  # base and tuned lengths differ
    lines[4] = json.dumps({**rows[4], "tuned": ""})  # an empty output is scored
    lines.append(json.dumps({**rows[5], "line": 6, "tuned": "Cairo " * 170_000}))  # ~1 MB, scored
    lines.append("[1, 2]")
    predictions = write_lines(tmp_path / "evaluation.jsonl", lines)
    code, summary = run(capsys, "score", "--predictions", str(predictions), "--heldout", str(held))
    assert code == 0
    out = tmp_path / "evaluation.evaluation.json"
    assert summary["report"] == str(out) and summary["examples"] == 5
    report = validate_report(json.loads(out.read_text()))
    assert report["source"]["predictions"]["layout"] == "tunesmith"
    problems = {p.get("line"): p["message"] for p in report["problems"]}
    assert problems[2].startswith("not valid JSON")
    assert problems[3] == "'tuned' is null, not text"
    assert problems[4].startswith("no base output on this line: base and tuned have different lengths")
    assert problems[8] == "the line is a list, not an object"
    by_line = {e["line"]: e for e in report["examples"]}
    assert by_line[4]["outcome"] == "error" and "base" not in by_line[4]["outputs"]
    assert by_line[5]["outputs"]["tuned"] == "" and by_line[5]["scores"]["tuned"]["f1"] == 0.0
    assert by_line[1]["outcome"] == "improved" and by_line[1]["correct"]["tuned"]
    held_lines = held.read_text().splitlines()
    assert by_line[1]["line_hash"] == line_hash(held_lines[0])
    assert by_line[1]["messages"] == [{"role": "user", "content": "Capital of Peru?"}]
    assert report["source"]["heldout"]["lines"] == 6


def test_llamafactory_predictions_are_one_system_matched_to_the_heldout_file_by_order(tmp_path, capsys):
    held = heldout(tmp_path)
    lines = [json.dumps({"prompt": f"Capital of {c}?", "predict": f"The capital of {c} is {city} .",
                         "label": f"The capital of {c} is {city} ."}) for c, city in QUESTIONS]
    lines[0] = json.dumps({"prompt": "Capital of Peru?", "predict": "Lima.", "label": "The capital of Peru is Lima ."})
    predictions = write_lines(tmp_path / "generated_predictions.jsonl", lines)
    code, summary = run(capsys, "score", "--predictions", str(predictions), "--heldout", str(held),
                        "--output", str(tmp_path / "lf.json"))
    assert code == 0 and summary["exact_match"] == {"tuned": 5 / 6} and "outcomes" not in summary
    report = validate_report(json.loads((tmp_path / "lf.json").read_text()))
    assert report["id"] == "lf" and report["source"]["predictions"]["columns"] == {
        "prompt": "prompt", "reference": "label", "tuned": "predict"}
    assert report["comparison"] is None and "base" not in report["metrics"]
    assert [e["line"] for e in report["examples"]] == [1, 2, 3, 4, 5, 6]
    assert any("LLaMA-Factory's own BLEU-4" in note for note in report["notes"])


def test_any_jsonl_with_a_column_mapping(tmp_path, capsys):
    lines = [json.dumps({"q": [{"role": "user", "content": "2+2?"}], "gold": "4", "old": "5", "new": "4"}),
             json.dumps({"q": "3+3?", "gold": "6", "old": "6", "new": "six"}),
             json.dumps({"q": "1+1?", "gold": "2", "new": "2"})]
    predictions = write_lines(tmp_path / "mine.jsonl", lines)
    code, _ = run(capsys, "score", "--predictions", str(predictions), "--prompt", "q", "--reference", "gold",
                  "--base", "old", "--tuned", "new")
    assert code == 0
    report = validate_report(json.loads((tmp_path / "mine.evaluation.json").read_text()))
    assert report["source"]["predictions"]["layout"] == "columns"
    first = report["examples"][0]
    assert first["messages"] == [{"role": "user", "content": "2+2?"}] and first["prompt"] == "user: 2+2?"
    assert first["line"] == 1 and first["line_hash"] == line_hash(lines[0])  # no held-out file: its own lines
    assert [p["line"] for p in report["problems"]] == [3]


def test_an_unknown_layout_or_a_missing_mapping_is_a_clear_error(tmp_path, capsys):
    predictions = write_lines(tmp_path / "odd.jsonl", [json.dumps({"question": "q", "answer": "a"})])
    code, printed = run(capsys, "score", "--predictions", str(predictions))
    assert code == 1 and "cannot tell the layout" in printed["error"]["message"]
    assert printed["error"]["line"] == 1 and "--layout columns" in printed["error"]["hint"]
    code, printed = run(capsys, "score", "--predictions", str(predictions), "--layout", "columns", "--reference", "answer")
    assert code == 1 and "--tuned" in printed["error"]["message"]
    bad = write_lines(tmp_path / "bad.jsonl", ["{not json", json.dumps({"reference": 1, "tuned": "x"})])
    code, printed = run(capsys, "score", "--predictions", str(bad), "--layout", "tunesmith")
    assert code == 1 and printed["error"]["message"].startswith("no example could be scored (first: not valid JSON")


def test_compare_makes_run_a_the_base_and_says_what_could_not_be_matched(tmp_path, capsys):
    held = heldout(tmp_path)
    held_lines = held.read_text().splitlines()

    def predictions(name, outputs, skip=()):
        rows = [json.dumps({"prompt": "p", "predict": out, "label": f"The capital of {c} is {city} ."})
                for i, ((c, city), out) in enumerate(zip(QUESTIONS, outputs)) if i not in skip]
        path = write_lines(tmp_path / f"{name}.jsonl", rows)
        code, summary = run(capsys, "score", "--predictions", str(path), "--heldout", str(held))
        assert code == 0
        return summary["report"]

    refs = [f"The capital of {c} is {city} ." for c, city in QUESTIONS]
    a = predictions("a", ["no"] * 3 + refs[3:])
    b = predictions("b", refs[:5] + ["no"])
    code, summary = run(capsys, "compare", "--base", a, "--tuned", b)
    assert code == 0
    report = validate_report(json.loads(Path(summary["report"]).read_text()))
    assert report["source"]["reports"] == {"base": a, "tuned": b}
    assert report["systems"]["base"]["label"] == "a.evaluation (tuned)" and report["systems"]["base"]["report"] == a
    assert summary["outcomes"] == {"improved": 3, "regressed": 1, "unchanged": 2, "error": 0}
    assert report["examples"][0]["outputs"] == {"base": "no", "tuned": refs[0]}
    assert report["examples"][0]["line_hash"] == line_hash(held_lines[0])

    # B scored on a held-out file whose first line changed and without its last line: those are listed.
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join([held_lines[0].replace("Peru", "Peru!")] + held_lines[1:5]) + "\n", encoding="utf-8")
    rows = [json.dumps({"prompt": "p", "predict": r, "label": r}) for r in [refs[0].replace("Peru", "Peru!")] + refs[1:5]]
    path = write_lines(tmp_path / "c.jsonl", rows)
    code, c_summary = run(capsys, "score", "--predictions", str(path), "--heldout", str(changed))
    code, summary = run(capsys, "compare", "--base", a, "--tuned", c_summary["report"])
    assert code == 0 and summary["examples"] == 4
    report = validate_report(json.loads(Path(summary["report"]).read_text()))
    messages = [p["message"] for p in report["problems"]]
    assert messages == ["2 examples of a.evaluation have no match in c.evaluation (lines 1, 6)",
                        "1 example of c.evaluation has no match in a.evaluation (lines 1)"]
    assert any("held-out file changed" in note for note in report["notes"])


def test_compare_refuses_what_is_not_a_report(tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"format": "something else"}))
    code, printed = run(capsys, "compare", "--base", str(path), "--tuned", str(path))
    assert code == 1 and "is not an evaluation report (version 1)" in printed["error"]["message"]
