"""Reports without a model: `score` a predictions file, `compare` two reports on the same held-out file.

    python -m tunesmith_trainer score --predictions generated_predictions.jsonl --heldout data/test.jsonl
    python -m tunesmith_trainer score --predictions out.jsonl --layout columns --reference answer --tuned output
    python -m tunesmith_trainer compare --base runA/evaluations/final.json --tuned runB/evaluations/final.json

A line that cannot be used (invalid JSON, a missing or mistyped field, a base output missing where the
other lines have one) becomes a problem naming it, and the rest is scored."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import report as report_mod
from .errors import TrainerError
from .report import Item

LAYOUTS: dict[str, dict[str, str]] = {
    # Our evaluation.jsonl rows of before version 1 reports.
    "tunesmith": {"prompt": "prompt", "reference": "reference", "base": "base", "tuned": "tuned", "line": "line"},
    # LLaMA-Factory's generated_predictions.jsonl: one system.
    "llamafactory": {"prompt": "prompt", "reference": "label", "tuned": "predict"},
}
MAX_PROBLEMS = 200
LLAMAFACTORY_NOTE = ("LLaMA-Factory's own BLEU-4 and ROUGE for this file are character-level NLTK BLEU with method3 "
                     "smoothing and jieba-based ROUGE averaged per example: not comparable with sacreBLEU's or "
                     "rouge-score's numbers here.")


class Problems:
    """The problems of one input, at most MAX_PROBLEMS listed and the rest counted."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.more = 0

    def add(self, line: int | None, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append({"line": line, "message": message} if line else {"message": message})
        else:
            self.more += 1

    def listed(self) -> list[dict[str, Any]]:
        extra = [{"message": f"{self.more} more lines have problems (only the first {MAX_PROBLEMS} are listed)."}]
        return self.items + (extra if self.more else [])


def _split_lines(raw: bytes) -> list[bytes]:
    lines = re.split(rb"\r\n|\n|\r", raw)
    return lines[:-1] if lines and lines[-1] == b"" else lines


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), type(value).__name__)


def _detect(rows: list[tuple[int, Any]], path: Path) -> str:
    for number, value in rows:
        if isinstance(value, dict):
            if "predict" in value and "label" in value:
                return "llamafactory"
            if "reference" in value and "tuned" in value:
                return "tunesmith"
            raise TrainerError(
                "data", f"{path.name}:{number}: cannot tell the layout from its fields ({', '.join(sorted(value))[:200]})",
                "Pass --layout columns with --reference COL and --tuned COL (and --prompt, --base).",
                file=str(path), line=number)
    raise TrainerError("data", f"{path.name}: no JSON object on any line", "Check the predictions file.", file=str(path))


def _turns(value: Any) -> list[dict[str, str]] | None:
    if isinstance(value, list) and value and all(
        isinstance(t, dict) and isinstance(t.get("role"), str) and isinstance(t.get("content"), str) for t in value
    ):
        return [{"role": t["role"], "content": t["content"]} for t in value]
    return None


def _heldout_messages(text: str) -> list[dict[str, str]] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    turns = _turns(value.get("messages")) if isinstance(value, dict) else None
    return turns[:-1] if turns else None


def _safe_id(text: str) -> str:
    cleaned = re.sub(r"[^\w.-]+", "-", text).strip("-") or "report"
    return "report" if cleaned in (".", "..") else cleaned


def score(predictions: str, *, layout: str = "auto", prompt: str | None = None, reference: str | None = None,
          base: str | None = None, tuned: str | None = None, heldout: str | None = None,
          output: str | None = None) -> dict[str, Any]:
    path = Path(predictions)
    if not path.is_file():
        raise TrainerError("data", f"predictions file not found: {path}", "Pass the path of a JSONL file.", file=str(path))
    flags = {k: v for k, v in {"prompt": prompt, "reference": reference, "base": base, "tuned": tuned}.items() if v}
    problems = Problems()
    parsed: list[tuple[int, bytes, Any]] = []
    for number, raw in enumerate(_split_lines(path.read_bytes()), start=1):
        if not raw.strip():
            continue
        try:
            parsed.append((number, raw, json.loads(raw.decode("utf-8"))))
        except UnicodeDecodeError:
            problems.add(number, "not UTF-8 text")
        except ValueError as exc:
            problems.add(number, f"not valid JSON ({getattr(exc, 'msg', exc)})")
    if layout == "auto":
        layout = "columns" if flags else _detect([(n, v) for n, _, v in parsed], path)
    if layout == "columns" and not ("reference" in flags and "tuned" in flags):
        raise TrainerError("config", "--layout columns needs --reference COL and --tuned COL",
                           "Name the fields that hold the reference and the model's output.")
    columns = {**LAYOUTS.get(layout, {}), **flags}
    if heldout and not Path(heldout).is_file():
        raise TrainerError("data", f"held-out file not found: {heldout}", "Pass the held-out JSONL.", file=heldout)
    held = report_mod.read_lines(heldout) if heldout else None

    items: list[Item] = []
    held_lines: list[int | None] = []
    for number, raw, value in parsed:
        row = _row(number, raw, value, columns, problems)
        if row is not None:
            items.append(row[0])
            held_lines.append(row[1])
    _pair_lengths(items, problems)
    if held is not None:
        _attach_heldout(items, held[1], held_lines if any(n is not None for n in held_lines) else None, problems)
    for i, item in enumerate(items):
        item.index = i
    out_path = Path(output) if output else path.with_name(f"{path.stem}.evaluation.json")
    source: dict[str, Any] = {"kind": "score", "predictions": {
        "path": str(path), "layout": layout, "columns": {k: columns[k] for k in ("prompt", "reference", "base", "tuned", "line") if k in columns}}}
    if held is not None:
        source["heldout"] = held[0]
    notes = [LLAMAFACTORY_NOTE] if layout == "llamafactory" else []
    built = report_mod.build(items, kind="score", id=_safe_id(out_path.name.removesuffix(".json")), source=source,
                             problems=problems.listed(), notes=notes)
    report_mod.write(built.report, out_path)
    return report_mod.summary(built.report, out_path)


def _row(number: int, raw: bytes, value: Any, columns: dict[str, str],
         problems: Problems) -> tuple[Item, int | None] | None:
    """The line as an example, and the held-out line it names (its line column), or None and a problem."""
    if not isinstance(value, dict):
        problems.add(number, f"the line is {_type_name(value)}, not an object")
        return None
    texts: dict[str, str] = {}
    for role in ("reference", "tuned"):
        key = columns[role]
        if key not in value:
            problems.add(number, f"no {key!r} field ({'the reference' if role == 'reference' else 'the output'})")
            return None
        if not isinstance(value[key], str):
            problems.add(number, f"{key!r} is {_type_name(value[key])}, not text")
            return None
        texts[role] = value[key]
    outputs = {"tuned": texts["tuned"]}
    if "base" in columns and columns["base"] in value:
        if isinstance(value[columns["base"]], str):
            outputs["base"] = value[columns["base"]]
        else:
            problems.add(number, f"{columns['base']!r} is {_type_name(value[columns['base']])}, not text")
    prompt_value = value.get(columns.get("prompt", ""), "") if "prompt" in columns else ""
    messages = _turns(prompt_value)
    if messages is not None:
        prompt_value = "\n".join(f"{t['role']}: {t['content']}" for t in messages)
    elif not isinstance(prompt_value, str):
        problems.add(number, f"{columns['prompt']!r} is {_type_name(prompt_value)}, not text: shown empty")
        prompt_value = ""
    item = Item(index=0, prompt=prompt_value, reference=texts["reference"], outputs=outputs, messages=messages,
                line=number, line_hash=report_mod.line_hash(raw.decode("utf-8")))
    held = value.get(columns["line"]) if "line" in columns else None
    return item, held if isinstance(held, int) and not isinstance(held, bool) and held >= 1 else None


def _pair_lengths(items: list[Item], problems: Problems) -> None:
    with_base = sum("base" in it.outputs for it in items)
    if 0 < with_base < len(items):
        for it in items:
            if "base" not in it.outputs:
                it.error = (f"no base output on this line: base and tuned have different lengths "
                            f"({with_base} vs {len(items)} lines)")
                problems.add(it.line, it.error)


def _attach_heldout(items: list[Item], lines: list[str], named: list[int | None] | None, problems: Problems) -> None:
    """Points each example at its held-out line: the one its line column names, else by order when the
    counts agree (LLaMA-Factory writes its predictions in the dataset's order)."""
    examples = [i + 1 for i, text in enumerate(lines) if text.strip()]
    if named is None and len(examples) != len(items):
        problems.add(None, f"the held-out file has {len(examples)} examples and the predictions {len(items)} "
                           "usable lines: lines are those of the predictions file")
        return
    for k, it in enumerate(items):
        target = named[k] if named is not None else examples[k]
        if target is None or target > len(lines):
            problems.add(it.line, f"held-out line {target} does not exist: line is that of the predictions file")
            continue
        it.line, it.line_hash = target, report_mod.line_hash(lines[target - 1])
        it.messages = it.messages or _heldout_messages(lines[target - 1])
