"""The evaluation report (schemas/evaluation-report.schema.json, docs/evaluation.md): one builder for
`evaluate`, `score` and `compare`, so the three agree on every number, and one writer that replaces
the previous file only once the new one is complete."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Sequence

import numpy as np

from . import paired, structure
from .errors import TrainerError
from .metrics import METRICS, SystemScores, corpus, example_scores, score_systems

FORMAT, VERSION = "tunesmith-evaluation", 1
Kind = Literal["evaluate", "score", "compare"]
LINE_BREAK = re.compile(r"\r\n|\n|\r")  # what VS Code (and Python's text mode) ends a line with
NON_LATIN_SHARE = 0.5


@dataclass
class Item:
    """One example to score. ``outputs`` has ``tuned`` and, for a comparison, ``base``. An item with an
    ``error`` is listed (outcome ``error``) but left out of every aggregate."""

    index: int
    prompt: str
    reference: str
    outputs: dict[str, str]
    line: int | None = None
    line_hash: str | None = None
    messages: list[dict[str, str]] | None = None
    tokens: dict[str, list[Any]] | None = None
    truncated: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Built:
    report: dict[str, Any]
    scores: dict[str, SystemScores]
    """Per system, over the scored examples (those without an error)."""


def line_hash(text: str) -> str:
    """Hex SHA-256 of a line's text (UTF-8, without its line break): what the editor compares to mark a result stale."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_lines(path: str | Path) -> tuple[dict[str, Any], list[str]]:
    """The ``source.heldout`` entry of a file (path, SHA-256 of its bytes, line count) and its lines."""
    raw = Path(path).read_bytes()
    lines = LINE_BREAK.split(raw.decode("utf-8", errors="replace"))
    if lines and lines[-1] == "":
        lines.pop()
    return {"path": str(path), "sha256": hashlib.sha256(raw).hexdigest(), "lines": len(lines)}, lines


def _primary(labels: list[str] | None, non_latin: bool) -> str:
    if labels:
        return "exact_normalized"
    return "chrf" if non_latin else "f1"


def _mostly_non_latin(text: str) -> bool:
    if text.isascii():  # every ASCII letter or digit is a-z0-9 once lower-cased (and isascii is C, this loop is not)
        return False
    letters = [c for c in text.lower() if c.isalnum()]
    return bool(letters) and sum(not ("a" <= c <= "z" or "0" <= c <= "9") for c in letters) > len(letters) / 2


def _outcome(delta: float) -> str:
    return "improved" if delta > 1e-9 else "regressed" if delta < -1e-9 else "unchanged"


def build(items: Sequence[Item], *, kind: Kind, id: str = "report", source: dict[str, Any] | None = None,
          systems: dict[str, dict[str, Any]] | None = None, run: dict[str, Any] | None = None,
          generation: dict[str, Any] | None = None, problems: Sequence[dict[str, Any]] = (),
          notes: Sequence[str] = (), resamples: int = 1000, seed: int = 0, workers: int | None = None) -> Built:
    scored = [it for it in items if it.error is None]
    if not scored:
        first = f" (first: {problems[0]['message']})" if problems else ""
        raise TrainerError("data", f"no example could be scored{first}", "Fix the lines named in the problems.")
    has_base = any("base" in it.outputs for it in scored)
    names = ("base", "tuned") if has_base else ("tuned",)
    references = [it.reference for it in items]
    all_scores, signatures = score_systems(
        references, {name: [it.outputs.get(name, "") for it in items] for name in names}, workers=workers
    )
    keep = np.array([it.error is None for it in items])
    scores = {name: s.subset(keep) for name, s in all_scores.items()}
    scored_refs = [it.reference for it in scored]
    labels = structure.label_set(scored_refs)
    non_latin = sum(map(_mostly_non_latin, scored_refs)) > NON_LATIN_SHARE * len(scored_refs)
    primary = _primary(labels, non_latin)

    metrics: dict[str, Any] = {name: corpus(scores[name]) for name in names}
    if has_base:
        metrics["delta"] = {m: metrics["tuned"][m] - metrics["base"][m] for m in METRICS}
    metrics["signatures"] = signatures
    all_notes = list(notes)
    # BLEU statistics: [sys_len, ref_len, matches of orders 1-4, totals of orders 1-4]; column 9 = output 4-grams.
    no_4grams = [name for name in names if int(scores[name].bleu_stats[:, 9].sum()) == 0]
    comparison = None
    if has_base:
        comparison = _comparison(scores["base"], scores["tuned"], primary, resamples, seed,
                                 skip=("bleu",) if no_4grams else ())
        comparison["outcomes"]["error"] = len(items) - len(scored)
    report: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "id": id,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **({"run": run} if run else {}),
        "source": source or {"kind": kind},
        "systems": systems or {name: {"label": name} for name in names},
        **({"generation": generation} if generation else {}),
        "primary": primary,
        "metrics": metrics,
        "comparison": comparison,
    }
    outputs = {name: [it.outputs.get(name, "") for it in scored] for name in names}
    if labels:
        report["classification"], left_out = structure.classification(labels, scored_refs, outputs)
        if left_out:
            all_notes.append(f"{left_out} examples whose reference is none of the {len(labels)} labels are left out "
                             "of the classification metrics.")
    json_section = structure.json_report(scored_refs, outputs)
    if json_section:
        report["json"] = json_section
    report["examples"] = _examples(items, all_scores, names, primary)
    report["problems"] = list(problems)
    report["notes"] = all_notes + _notes(items, scored, names, non_latin, has_base, generation, no_4grams)
    return Built(report, scores)


def _comparison(base: SystemScores, tuned: SystemScores, primary: str, resamples: int, seed: int,
                skip: Sequence[str] = ()) -> dict[str, Any]:
    flips = paired.flip_tables(base, tuned)
    intervals = paired.bootstrap(base, tuned, resamples=resamples, seed=seed)
    exact_b, exact_t = base.values["exact"] == 1, tuned.values["exact"] == 1
    discordant = (int(np.sum(exact_b & ~exact_t)), int(np.sum(~exact_b & exact_t)))
    n = len(base.values["exact"])
    deltas = tuned.values[primary] - base.values[primary]
    outcomes = {"improved": int(np.sum(deltas > 1e-9)), "regressed": int(np.sum(deltas < -1e-9))}
    outcomes["unchanged"] = n - outcomes["improved"] - outcomes["regressed"]
    return {
        "outcomes": outcomes,
        "flips": flips,
        "bootstrap": {"resamples": resamples, "seed": seed, "confidence": 0.95, "metrics": intervals},
        "verdict": paired.verdict(n, intervals, flips, discordant, skip=skip),
    }


def _examples(items: Sequence[Item], scores: dict[str, SystemScores], names: Sequence[str],
              primary: str) -> list[dict[str, Any]]:
    examples = []
    for i, it in enumerate(items):
        present = [name for name in names if name in it.outputs]
        example: dict[str, Any] = {"index": it.index}
        if it.line is not None:
            example["line"] = it.line
        if it.line_hash is not None:
            example["line_hash"] = it.line_hash
        example["prompt"] = it.prompt
        if it.messages is not None:
            example["messages"] = it.messages
        example["reference"] = it.reference
        example["outputs"] = {name: it.outputs[name] for name in present}
        example["scores"] = {name: example_scores(scores[name], i) for name in present}
        if it.error is not None:
            example["outcome"] = "error"
        elif "base" in present:
            example["outcome"] = _outcome(scores["tuned"].values[primary][i] - scores["base"].values[primary][i])
        else:
            example["outcome"] = "unchanged"
        example["correct"] = {name: bool(scores[name].values["exact_normalized"][i] == 1) for name in present}
        if it.tokens is not None:
            example["tokens"] = it.tokens
        if it.truncated:
            example["truncated"] = list(it.truncated)
        if it.error is not None:
            example["error"] = it.error
        examples.append(example)
    return examples


def _notes(items: Sequence[Item], scored: Sequence[Item], names: Sequence[str], non_latin: bool,
           has_base: bool, generation: dict[str, Any] | None, no_4grams: list[str]) -> list[str]:
    notes = []
    if non_latin:
        notes.append("Most references are mostly in scripts other than a-z: rouge-score keeps only a-z0-9, so ROUGE "
                     "is near 0 for them, and SQuAD F1 splits on spaces only. Read chrF (character n-grams).")
    for name in names:
        cut = sum(name in it.truncated for it in scored)
        if cut:
            limit = f" ({generation['max_new_tokens']} tokens)" if generation else ""
            notes.append(f"{cut} of the {len(scored)} {name} outputs stopped at max_new_tokens{limit}: "
                         "raise evaluation.max_new_tokens if the references are longer.")
    if no_4grams:
        notes.append(f"No {' or '.join(no_4grams)} output has four 13a tokens, so its sacreBLEU corpus BLEU (4-gram "
                     "precision) is 0 by definition and BLEU is left out of the verdict: read the per-example BLEU "
                     "(effective order), chrF or F1.")
    errors = len(items) - len(scored)
    if errors:
        notes.append(f"{errors} examples could not be scored (outcome error) and are left out of every aggregate.")
    empty = sum(not it.reference.strip() for it in scored)
    if empty:
        notes.append(f"{empty} references are empty: their length ratio is undefined and their SQuAD F1 is 0.")
    if has_base and len(scored) < paired.MIN_BOOTSTRAP_EXAMPLES:
        notes.append(f"Only {len(scored)} examples: the bootstrap intervals are too narrow to trust at this n.")
    return notes


def write(report: dict[str, Any], path: str | Path) -> Path:
    """Writes ``report`` to ``path`` through a temporary file in the same folder and a rename, so a
    killed or cancelled evaluation leaves the previous file as it was."""
    path = Path(path)
    write_json_atomic(path, report)
    return path


def write_json_atomic(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, allow_nan=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def summary(report: dict[str, Any], path: Path) -> dict[str, Any]:
    """What the commands print and `eval_finished` carries: the report's path, the run panel's fields
    (`output`, `examples`, `exact_match`) and the headline numbers."""
    metrics = report["metrics"]
    headline = ("exact_normalized", "f1", "rougeL", "bleu", "chrf")
    names = [name for name in ("base", "tuned") if name in metrics]
    out: dict[str, Any] = {
        "output": str(path),
        "report": str(path),
        "id": report["id"],
        "examples": len(report["examples"]),
        "exact_match": {name: metrics[name]["exact"] for name in names},
        "primary": report["primary"],
        "metrics": {name: {m: metrics[name][m] for m in headline} for name in names},
        "problems": len(report["problems"]),
    }
    if report["comparison"] is not None:
        out["outcomes"] = report["comparison"]["outcomes"]
        out["verdict"] = report["comparison"]["verdict"]
    return out
