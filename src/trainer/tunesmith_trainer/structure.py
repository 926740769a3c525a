"""What the references look like, and the metrics that follow: a small label set (classification-style
data, scored with scikit-learn) or JSON (parse rate and key-set match). docs/evaluation.md states the
rules; both are plain functions of the references so `evaluate`, `score` and `compare` agree."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Sequence

from .metrics import normalize_answer

OTHER = "(other)"
"""The confusion matrix's column for outputs that are none of the labels."""
MIN_EXAMPLES = 10
MAX_LABELS = 20
MIN_COVERAGE = 0.8
MAX_LABEL_CHARS = 50
JSON_MIN_SHARE = 0.5


def label_set(references: Sequence[str]) -> list[str] | None:
    """The labels when the references come from a small set: at least MIN_EXAMPLES examples; the
    references that occur at least twice (stripped) are 2 to MAX_LABELS labels of at most
    MAX_LABEL_CHARS characters on one line, and they cover at least MIN_COVERAGE of the examples.
    Sorted, for a stable confusion matrix."""
    if len(references) < MIN_EXAMPLES:
        return None
    counts = Counter(r.strip() for r in references)
    labels = sorted(label for label, count in counts.items() if count >= 2)
    if not 2 <= len(labels) <= MAX_LABELS:
        return None
    if any(not label or len(label) > MAX_LABEL_CHARS or "\n" in label for label in labels):
        return None
    if sum(counts[label] for label in labels) < MIN_COVERAGE * len(references):
        return None
    return labels


def _predicted(output: str, labels: set[str], by_normal: dict[str, str]) -> str:
    # An output is a label when it is one (stripped), or equals exactly one after SQuAD normalisation
    # ("Positive." for "positive"); anything else is OTHER.
    text = output.strip()
    if text in labels:
        return text
    return by_normal.get(normalize_answer(text), OTHER)


def classification(labels: list[str], references: Sequence[str],
                   outputs: dict[str, Sequence[str]]) -> tuple[dict[str, Any], int]:
    """scikit-learn's metrics per system over the examples whose reference is a label; returns the
    report section and how many examples were left out (references outside the label set)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    label_names = set(labels)
    normal: dict[str, list[str]] = {}
    for label in labels:
        normal.setdefault(normalize_answer(label), []).append(label)
    by_normal = {key: names[0] for key, names in normal.items() if len(names) == 1}
    keep = [i for i, r in enumerate(references) if r.strip() in label_names]
    y_true = [references[i].strip() for i in keep]
    systems = {}
    for name, values in outputs.items():
        y_pred = [_predicted(values[i], label_names, by_normal) for i in keep]
        columns = labels + ([OTHER] if OTHER in y_pred and OTHER not in label_names else [])
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, zero_division=0
        )
        matrix = confusion_matrix(y_true, y_pred, labels=columns)[: len(labels)]
        systems[name] = {
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
            "micro_f1": float(f1_score(y_true, y_pred, labels=labels, average="micro", zero_division=0)),
            "per_label": [
                {"label": label, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                for label, p, r, f, s in zip(labels, precision, recall, f1, support)
            ],
            "confusion": matrix.astype(int).tolist(),
            "columns": columns,
        }
    return {"labels": labels, "systems": systems}, len(references) - len(keep)


def parse_json(text: str) -> tuple[bool, Any]:
    """Whether ``text`` (stripped) is one JSON object or array, and its value."""
    try:
        value = json.loads(text.strip())
    except (ValueError, RecursionError):
        return False, None
    return isinstance(value, (dict, list)), value


def _same_shape(reference: Any, output: Any) -> bool:
    if isinstance(reference, dict):
        return isinstance(output, dict) and set(output) == set(reference)
    return type(output) is type(reference)


def json_report(references: Sequence[str], outputs: dict[str, Sequence[str]]) -> dict[str, Any] | None:
    """When more than JSON_MIN_SHARE of the references are JSON objects or arrays: over those examples,
    the share of each system's outputs that parse, and of those the share with the reference's
    top-level key set (for an array reference: the output is an array too)."""
    parsed = [parse_json(r) for r in references]
    json_rows = [i for i, (ok, _) in enumerate(parsed) if ok]
    if not references or len(json_rows) <= JSON_MIN_SHARE * len(references):
        return None
    systems = {}
    for name, values in outputs.items():
        parses = same = 0
        for i in json_rows:
            ok, value = parse_json(values[i])
            if ok:
                parses += 1
                same += _same_shape(parsed[i][1], value)
        systems[name] = {"parses": parses / len(json_rows), "same_keys": same / parses if parses else 0.0}
    return {"references": len(json_rows) / len(references), "systems": systems}
