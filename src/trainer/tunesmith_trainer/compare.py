"""`compare`: two reports on the same held-out file as one, A's tuned outputs as `base` and B's as
`tuned`, so run A vs run B (or checkpoint vs checkpoint) gets the same paired statistics as base vs tuned.

    python -m tunesmith_trainer compare --base runA/evaluations/final.json --tuned runB/evaluations/final.json

Examples are matched by ``line_hash`` (the held-out line's text) when both reports have it, else by
``line``, else by position; a pair whose references differ is not a match. What could not be matched
is listed in ``problems`` and left out."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from . import report as report_mod
from .errors import TrainerError
from .predictions import Problems, _safe_id
from .report import Item
from .schema import load_schema


def load_report(path: str | Path) -> dict[str, Any]:
    import jsonschema

    path = Path(path)
    try:
        value = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise TrainerError("data", f"report not found: {path}", "Pass an evaluation report (.json).", file=str(path))
    except (OSError, ValueError) as exc:
        raise TrainerError("data", f"{path.name} is not JSON: {exc}", "Pass an evaluation report (.json).", file=str(path))
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(load_schema("evaluation-report")).iter_errors(value)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise TrainerError("data", f"{path.name} is not an evaluation report (version 1): {where}: {error.message[:200]}",
                           "Pass a report written by evaluate, score or compare.", file=str(path))
    return value


def _key_mode(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str:
    for field in ("line_hash", "line"):
        if all(field in e for e in a) and all(field in e for e in b):
            return field
    return "index"


def _label(report: dict[str, Any], path: Path) -> str:
    run = report.get("run")
    return f"{Path(run['dir']).name}/{report['id']}" if run else report["id"] if report["id"] != "report" else path.stem


def _count(examples: list[dict[str, Any]]) -> str:
    return f"{len(examples)} example{'' if len(examples) == 1 else 's'}"


def _lines(examples: list[dict[str, Any]]) -> str:
    shown = ", ".join(str(e.get("line", e["index"] + 1)) for e in examples[:10])
    return shown + (", …" if len(examples) > 10 else "")


def compare(base: str, tuned: str, output: str | None = None) -> dict[str, Any]:
    paths = Path(base), Path(tuned)
    a, b = load_report(paths[0]), load_report(paths[1])
    mode = _key_mode(a["examples"], b["examples"])
    waiting: dict[Any, deque[dict[str, Any]]] = defaultdict(deque)
    for example in a["examples"]:
        waiting[example[mode]].append(example)
    problems = Problems()
    items: list[Item] = []
    unmatched_b, differing = [], []
    for eb in b["examples"]:
        queue = waiting.get(eb[mode])
        if not queue:
            unmatched_b.append(eb)
            continue
        ea = queue.popleft()
        if ea["reference"] != eb["reference"]:
            differing.append(eb)
            continue
        items.append(_item(len(items), ea, eb))
    unmatched_a = [e for queue in waiting.values() for e in queue]
    labels = _label(a, paths[0]), _label(b, paths[1])
    for missing, here, there in ((unmatched_a, labels[0], labels[1]), (unmatched_b, labels[1], labels[0])):
        if missing:
            problems.add(None, f"{_count(missing)} of {here} {'has' if len(missing) == 1 else 'have'} no match in "
                               f"{there} (lines {_lines(missing)})")
    if differing:
        problems.add(None, f"{_count(differing)} {'has' if len(differing) == 1 else 'have'} different references in "
                           f"the two reports (lines {_lines(differing)})")
    if not items:
        raise TrainerError("data", f"no example of {paths[0].name} matches one of {paths[1].name} (by {mode})",
                           "Compare two reports on the same held-out file.")
    notes = [f"Examples matched by {mode}."]
    held_a, held_b = a["source"].get("heldout"), b["source"].get("heldout")
    if held_a and held_b and held_a.get("sha256") != held_b.get("sha256"):
        notes.append(f"The held-out file changed between the two evaluations ({held_a['path']} and {held_b['path']}); "
                     "only lines with the same text are compared.")
    report_id = _safe_id(f"compare-{labels[0]}-{labels[1]}".replace("/", "."))
    out_path = Path(output) if output else paths[1].parent / f"{report_id}.json"
    source: dict[str, Any] = {"kind": "compare", **({"heldout": held_b} if held_b else {}),
                              "reports": {"base": str(paths[0]), "tuned": str(paths[1])}}
    systems = {name: {**{k: v for k, v in r["systems"]["tuned"].items() if k in ("model", "weights")},
                      "label": f"{label} ({r['systems']['tuned']['label']})", "report": str(path)}
               for name, r, label, path in (("base", a, labels[0], paths[0]), ("tuned", b, labels[1], paths[1]))}
    built = report_mod.build(items, kind="compare", id=report_id, source=source, systems=systems,
                             problems=problems.listed(), notes=notes)
    report_mod.write(built.report, out_path)
    return report_mod.summary(built.report, out_path)


def _item(index: int, ea: dict[str, Any], eb: dict[str, Any]) -> Item:
    tokens = None
    ta, tb = ea.get("tokens"), eb.get("tokens")
    if ta and tb and ta["text"] == tb["text"]:
        tokens = {"text": tb["text"], "base": ta["tuned"], "tuned": tb["tuned"]}
    # An example with outcome error in its own report lacked a base output; its tuned output, the one used
    # here, is fine.
    return Item(
        index=index, prompt=eb["prompt"], reference=eb["reference"],
        outputs={"base": ea["outputs"]["tuned"], "tuned": eb["outputs"]["tuned"]},
        line=eb.get("line"), line_hash=eb.get("line_hash"), messages=eb.get("messages"), tokens=tokens,
        truncated=[name for name, e in (("base", ea), ("tuned", eb)) if "tuned" in e.get("truncated", [])],
    )
