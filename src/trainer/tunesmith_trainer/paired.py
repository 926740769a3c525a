"""The paired comparison of two systems on the same examples: flip tables with McNemar's exact test
(scipy), a seeded paired bootstrap of the tuned − base difference of each corpus metric (numpy; BLEU,
chrF and the length ratio recomputed from resampled sacreBLEU statistics, as sacreBLEU's own paired
bootstrap does), and the verdict in words. docs/evaluation.md states the rules."""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from .metrics import MEANS, METRICS, SystemScores, bleu_from_stats, chrf_from_stats

THRESHOLDS = {"f1": 0.5, "chrf": 50.0}
"""The flip tables after normalised exact match: an example is right at or above these."""
MIN_BOOTSTRAP_EXAMPLES = 10
"""Below this, a percentile bootstrap's interval is too narrow to call a difference real."""
ALPHA = 0.05
NAMES = {"exact": "exact match", "exact_normalized": "normalised exact match", "f1": "token F1",
         "rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "bleu": "BLEU", "chrf": "chrF",
         "length_ratio": "length ratio"}
POINTS = ("bleu", "chrf")  # on a 0-100 scale; the others are fractions
QUALITY_CONTINUOUS = ("f1", "rouge1", "rouge2", "rougeL", "bleu", "chrf")
"""Decided by the bootstrap; exact match by McNemar's test."""


def mcnemar_p(base_only: int, tuned_only: int) -> float:
    """Exact McNemar test: two-sided binomial test of the fixes among the discordant pairs, p = 0.5."""
    discordant = base_only + tuned_only
    if discordant == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(tuned_only, discordant, 0.5).pvalue)


def flip_table(metric: str, base_right: np.ndarray, tuned_right: np.ndarray,
               threshold: float | None = None) -> dict[str, Any]:
    base_right, tuned_right = np.asarray(base_right, bool), np.asarray(tuned_right, bool)
    base_only = int(np.sum(base_right & ~tuned_right))
    tuned_only = int(np.sum(~base_right & tuned_right))
    table: dict[str, Any] = {"metric": metric}
    if threshold is not None:
        table["threshold"] = threshold
    table.update(both_right=int(np.sum(base_right & tuned_right)), base_only=base_only, tuned_only=tuned_only,
                 both_wrong=int(np.sum(~base_right & ~tuned_right)), mcnemar_p=mcnemar_p(base_only, tuned_only))
    return table


def flip_tables(base: SystemScores, tuned: SystemScores) -> list[dict[str, Any]]:
    tables = [flip_table("exact_normalized", base.values["exact_normalized"] == 1, tuned.values["exact_normalized"] == 1)]
    for metric, threshold in THRESHOLDS.items():
        tables.append(flip_table(metric, base.values[metric] >= threshold, tuned.values[metric] >= threshold, threshold))
    return tables


def bootstrap(base: SystemScores, tuned: SystemScores, *, resamples: int = 1000, seed: int = 0,
              confidence: float = 0.95) -> dict[str, dict[str, float]]:
    """The tuned − base difference of each corpus metric with its percentile interval over ``resamples``
    resamples of the examples (with replacement, the same resample for both systems)."""
    n = len(base.values["exact"])
    observed = {m: corpus_value(tuned, m) - corpus_value(base, m) for m in METRICS}
    if resamples <= 0 or n == 0:
        return {m: {"delta": observed[m], "low": observed[m], "high": observed[m]} for m in METRICS}
    samples = resampled_differences(base, tuned, resamples=resamples, seed=seed)
    tail = (1 - confidence) / 2
    out = {}
    for m in METRICS:
        low, high = np.quantile(samples[m], [tail, 1 - tail])
        out[m] = {"delta": observed[m], "low": float(low), "high": float(high)}
    return out


def resample_counts(n: int, resamples: int, seed: int) -> Iterator[np.ndarray]:
    """The seeded resamples of ``n`` examples, in blocks: row r counts how often each example is drawn
    in resample r, so that a resample's sums are one matrix product (the block stays under ~3 MB)."""
    rng = np.random.default_rng(seed)
    step = max(1, 400_000 // n)
    for start in range(0, resamples, step):
        rows = min(step, resamples - start)
        draws = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, None]
        yield np.bincount(draws.ravel(), minlength=rows * n).reshape(rows, n).astype(np.float64)


def resampled_differences(base: SystemScores, tuned: SystemScores, *, resamples: int,
                          seed: int) -> dict[str, np.ndarray]:
    """tuned − base of each corpus metric on each resample: the means of the per-example values, and
    BLEU, chrF and the length ratio from the resample's summed sacreBLEU statistics through sacreBLEU's
    own formula, which is the corpus score of the resampled examples (sacreBLEU's paired bootstrap
    resamples its statistics the same way). The sums of integer statistics are exact in float64."""
    n = len(base.values["exact"])
    per_example = np.stack([tuned.values[m] - base.values[m] for m in MEANS], axis=1)
    samples = {m: np.empty(resamples) for m in METRICS}
    start = 0
    for counts in resample_counts(n, resamples, seed):
        rows = len(counts)
        means = counts @ per_example / n
        for j, m in enumerate(MEANS):
            samples[m][start : start + rows] = means[:, j]
        sums = {name: (counts @ s.bleu_stats, counts @ s.chrf_stats) for name, s in (("b", base), ("t", tuned))}
        for r in range(rows):
            bleu_b, ratio_b = bleu_from_stats(sums["b"][0][r])
            bleu_t, ratio_t = bleu_from_stats(sums["t"][0][r])
            samples["bleu"][start + r] = bleu_t - bleu_b
            samples["length_ratio"][start + r] = ratio_t - ratio_b
            samples["chrf"][start + r] = chrf_from_stats(sums["t"][1][r]) - chrf_from_stats(sums["b"][1][r])
        start += rows
    return samples


def corpus_value(scores: SystemScores, metric: str) -> float:
    if metric in MEANS:
        return float(np.mean(scores.values[metric]))
    if metric == "chrf":
        return chrf_from_stats(scores.chrf_stats.sum(axis=0))
    bleu, ratio = bleu_from_stats(scores.bleu_stats.sum(axis=0))
    return bleu if metric == "bleu" else ratio


def _signed(metric: str, value: float) -> str:
    return f"{value:+.1f}" if metric in POINTS else f"{value:+.2f}"


def _interval(metric: str, ci: dict[str, float], confidence: float) -> str:
    return (f"{NAMES[metric]} ({_signed(metric, ci['delta'])}, {confidence:.0%} CI "
            f"{_signed(metric, ci['low'])} to {_signed(metric, ci['high'])})")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def verdict(n: int, intervals: dict[str, dict[str, float]], flips: list[dict[str, Any]],
            exact_discordant: tuple[int, int], confidence: float = 0.95, skip: Sequence[str] = ()) -> str:
    """Whether tuned differs from base beyond noise, metric by metric. Exact match (strict and normalised)
    is decided by McNemar's exact test (valid at any n); the other metrics by whether the bootstrap
    interval excludes 0, and only from MIN_BOOTSTRAP_EXAMPLES examples on."""
    better, worse, noise = [], [], []
    for metric in ("exact", "exact_normalized"):
        if metric == "exact":
            base_only, tuned_only = exact_discordant
        else:
            base_only, tuned_only = flips[0]["base_only"], flips[0]["tuned_only"]
        p = mcnemar_p(base_only, tuned_only)
        text = f"{NAMES[metric]} ({tuned_only} fixed, {base_only} broken, McNemar p = {p:.2g})"
        (noise if p >= ALPHA else better if tuned_only > base_only else worse).append(text)
    small = n < MIN_BOOTSTRAP_EXAMPLES
    for metric in QUALITY_CONTINUOUS:
        if metric in skip:
            continue
        ci = intervals[metric]
        text = _interval(metric, ci, confidence)
        if small or ci["low"] <= 0 <= ci["high"]:
            noise.append(text)
        else:
            (better if ci["delta"] > 0 else worse).append(text)
    sentences = [f"n = {n}."]
    if better:
        sentences.append(f"Tuned is better than base on {_join(better)}.")
    if worse:
        sentences.append(f"Tuned is worse than base on {_join(worse)}.")
    if noise:
        lead = "Not distinguishable from noise at this n" if better or worse else "No difference is distinguishable from noise at this n"
        sentences.append(f"{lead}: {_join(noise)}.")
    if skip:
        sentences.append(f"{_join([NAMES[m] for m in skip])} is left out of the verdict (see the notes).")
    if small:
        sentences.append(f"Below {MIN_BOOTSTRAP_EXAMPLES} examples only McNemar's exact test decides; the bootstrap "
                         "intervals are shown but not trusted.")
    return " ".join(sentences)

