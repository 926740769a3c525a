"""Per-example and corpus scores of outputs against references, computed by the libraries people cite:
sacreBLEU (BLEU, chrF and their signatures), rouge-score (ROUGE-1/2/L, Porter stemmer on) and the
official SQuAD v1.1 normalisation (exact match, token F1). docs/evaluation.md says what each number is.

Speed (measured, see docs/benchmarks.md): each library is called once per example and system, and
nothing is computed twice: the references' n-grams and tokens are extracted once for both systems
(sacreBLEU's reference cache; rouge-score's and SQuAD's per example), each example's sufficient
statistics give its sentence score, the corpus score and the bootstrap resamples (as sacreBLEU's own
paired bootstrap in `significance.py` does), rouge-score gets a tokenizer through its ``tokenizer=``
hook that runs its own ``tokenize()`` with a memoised Porter stemmer, and large inputs are split
across processes.
"""

from __future__ import annotations

import functools
import os
import re
import string
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

METRICS = ("exact", "exact_normalized", "f1", "rouge1", "rouge2", "rougeL", "bleu", "chrf", "length_ratio")
"""Every metric of a report, in the order the schema lists them (schemas/evaluation-report.schema.json)."""
QUALITY = METRICS[:-1]
"""The metrics where higher is better (length_ratio is neither)."""
MEANS = ("exact", "exact_normalized", "f1", "rouge1", "rouge2", "rougeL")
"""Corpus value = mean of the per-example values; bleu, chrf and length_ratio come from summed statistics."""

# Below this many characters of text in all, the work is done in this process: starting workers costs more.
PARALLEL_MIN_CHARS = 2_000_000


# -- SQuAD v1.1 ----------------------------------------------------------------------------------------
# normalize_answer and f1_score are the official SQuAD v1.1 evaluation script's (evaluate-v1.1.py, as
# copied in huggingface/evaluate metrics/squad/compute_score.py), unchanged in behaviour: lower-case,
# drop ASCII punctuation, drop the articles a/an/the, collapse whitespace; F1 over token multisets, and
# 0 when nothing is shared (also when both sides are empty: v1.1 has no rule for unanswerable items).
_PUNCTUATION = str.maketrans("", "", string.punctuation)  # the script's `ch not in set(string.punctuation)`, in C
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(s: str) -> str:
    """Lower text and remove punctuation, articles and extra whitespace."""
    text = s.lower().translate(_PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def squad_f1(prediction: str, ground_truth: str) -> float:
    ground_truth_tokens = normalize_answer(ground_truth).split()
    return _f1_tokens(normalize_answer(prediction).split(), Counter(ground_truth_tokens), len(ground_truth_tokens))


def _f1_tokens(prediction_tokens: list[str], ground_truth: Counter[str], ground_truth_len: int) -> float:
    """The script's f1_score on normalised tokens, with the reference's counts made once for both systems."""
    common = Counter(prediction_tokens) & ground_truth
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / ground_truth_len
    return (2 * precision * recall) / (precision + recall)


def exact_strict(prediction: str, reference: str) -> bool:
    """Character for character; only surrounding whitespace (which chat templates add or trim) is ignored."""
    return prediction.strip() == reference.strip()


def exact_normalized(prediction: str, reference: str) -> bool:
    return normalize_answer(prediction) == normalize_answer(reference)


# -- rouge-score -----------------------------------------------------------------------------------------
def _rouge_tokenizer() -> Any:
    from nltk.stem import porter
    from rouge_score import tokenize, tokenizers

    class MemoTokenizer(tokenizers.Tokenizer):
        """rouge-score's DefaultTokenizer(use_stemmer=True) with each word stemmed once: the Porter stemmer
        is most of rouge-score's time (measured: 2.2 of 3.8 CPU seconds per 100 pairs of 200 words
        without the memo)."""

        def __init__(self) -> None:
            self.stem = functools.lru_cache(maxsize=1 << 18)(porter.PorterStemmer().stem)

        def tokenize(self, text: str) -> list[str]:
            return tokenize.tokenize(text, self)

    return MemoTokenizer()


class _Reference:
    """What every system's output is compared with, made once per example: rouge-score's tokens and
    n-grams, and the SQuAD-normalised text and token counts."""

    def __init__(self, scorer: "_Scorer", text: str) -> None:
        self.tokens = scorer.tokenizer.tokenize(text)
        self.ngrams = [scorer.create_ngrams(self.tokens, n) for n in (1, 2)]
        self.normalized = normalize_answer(text)
        words = self.normalized.split()
        self.counts, self.words = Counter(words), len(words)


class _Scorer:
    """The library objects, made once per process."""

    def __init__(self) -> None:
        from rapidfuzz.distance import LCSseq
        from rouge_score import rouge_scorer, scoring
        from sacrebleu.metrics import BLEU, CHRF

        self.tokenizer = _rouge_tokenizer()
        # RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).score(target, prediction) is, per
        # n, _score_ngrams(_create_ngrams(target, n), _create_ngrams(prediction, n)) on its tokens: called
        # here directly so that the target's tokens and n-grams are made once for both systems.
        self.create_ngrams = rouge_scorer._create_ngrams
        self.score_ngrams = rouge_scorer._score_ngrams
        self.fmeasure = scoring.fmeasure
        self.lcs = LCSseq.similarity
        self.bleu = BLEU()
        self.sentence_bleu = BLEU(effective_order=True)  # what sacrebleu.sentence_bleu uses
        self.chrf = CHRF()

    def rouge(self, target: _Reference, output: str) -> tuple[float, float, float]:
        """rouge-score's ROUGE-1, ROUGE-2 and ROUGE-L F-measures. ROUGE-L is rouge-score's `_score_lcs`
        (LCS length over each side's token count, on rouge-score's own tokens) with the LCS length from
        rapidfuzz's C++ LCSseq: rouge-score fills a Python table, 17 ms per pair of 200 tokens, which
        alone would take 6 CPU minutes for 10,000 examples of two systems. tests/test_metrics.py checks
        all three against RougeScorer.score."""
        prediction = self.tokenizer.tokenize(output)
        rouge1, rouge2 = (self.score_ngrams(target.ngrams[n - 1], self.create_ngrams(prediction, n)).fmeasure
                          for n in (1, 2))
        if not target.tokens or not prediction:
            return rouge1, rouge2, 0.0
        length = self.lcs(target.tokens, prediction)
        return rouge1, rouge2, float(self.fmeasure(length / len(prediction), length / len(target.tokens)))

    def chunk(self, references: list[str], systems: dict[str, list[str]]) -> dict[str, Any]:
        # Each distinct (example, output) pair is scored once: base and tuned often write the same text.
        pairs: dict[tuple[int, str], int] = {}
        rows: dict[str, list[int]] = {name: [] for name in systems}
        for i in range(len(references)):
            for name, outputs in systems.items():
                rows[name].append(pairs.setdefault((i, outputs[i]), len(pairs)))
        example_of = [i for i, _ in pairs]
        hypotheses = [out for _, out in pairs]
        bleu_refs = self.bleu._cache_references([references])
        chrf_refs = self.chrf._cache_references([references])
        self.bleu._ref_cache = [bleu_refs[i] for i in example_of]
        self.chrf._ref_cache = [chrf_refs[i] for i in example_of]
        bleu_stats = self.bleu._extract_corpus_statistics(hypotheses, None)
        chrf_stats = self.chrf._extract_corpus_statistics(hypotheses, None)
        values = {m: np.empty(len(pairs)) for m in METRICS}
        ref_index, ref = -1, None
        for k, (i, hyp) in enumerate(pairs):  # in example order: each reference is prepared once
            if i != ref_index:
                ref_index, ref = i, _Reference(self, references[i])
            normalized = normalize_answer(hyp)
            values["exact"][k] = exact_strict(hyp, references[i])
            values["exact_normalized"][k] = normalized == ref.normalized
            values["f1"][k] = _f1_tokens(normalized.split(), ref.counts, ref.words)
            values["rouge1"][k], values["rouge2"][k], values["rougeL"][k] = self.rouge(ref, hyp)
            values["bleu"][k] = self.sentence_bleu._compute_score_from_stats(bleu_stats[k]).score
            values["chrf"][k] = self.chrf._compute_score_from_stats(chrf_stats[k]).score
            hyp_len, ref_len = bleu_stats[k][0], bleu_stats[k][1]
            values["length_ratio"][k] = hyp_len / ref_len if ref_len else np.nan
        bleu_array = np.asarray(bleu_stats, dtype=np.int64).reshape(len(pairs), -1)
        chrf_array = np.asarray(chrf_stats, dtype=np.int64).reshape(len(pairs), -1)
        out: dict[str, Any] = {"signatures": {"bleu": str(self.bleu.get_signature()),
                                              "chrf": str(self.chrf.get_signature())}}
        for name, picked in rows.items():
            out[name] = {"values": {m: v[picked] for m, v in values.items()},
                         "bleu_stats": bleu_array[picked], "chrf_stats": chrf_array[picked]}
        return out


_SCORER: _Scorer | None = None


def _score_chunk(task: tuple[list[str], dict[str, list[str]]]) -> dict[str, Any]:
    global _SCORER
    if _SCORER is None:
        _SCORER = _Scorer()
    return _SCORER.chunk(*task)


# -- the whole file --------------------------------------------------------------------------------------
@dataclass
class SystemScores:
    """One system's per-example values (length_ratio NaN where the reference is empty) and sacreBLEU's
    sufficient statistics per example, from which corpus scores and bootstrap resamples are computed."""

    values: dict[str, np.ndarray]
    bleu_stats: np.ndarray
    chrf_stats: np.ndarray

    def subset(self, keep: np.ndarray) -> "SystemScores":
        return SystemScores({m: v[keep] for m, v in self.values.items()}, self.bleu_stats[keep], self.chrf_stats[keep])


def workers_for(total_chars: int, examples: int) -> int:
    if total_chars < PARALLEL_MIN_CHARS or examples < 64 or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def start_method() -> str:
    """How the workers start. ``fork`` is free (they inherit the imported libraries) and safe while this
    process is single-purpose scoring (`score`, `compare`: nothing here imports torch); after `evaluate`
    has generated, torch and the tokenizers hold thread pools (and maybe CUDA) that a forked child
    inherits half-locked, so the workers are spawned fresh: they import only this module."""
    return "spawn" if any(name in sys.modules for name in ("torch", "tokenizers")) else "fork"


def score_systems(references: Sequence[str], systems: dict[str, Sequence[str]],
                  workers: int | None = None) -> tuple[dict[str, SystemScores], dict[str, str]]:
    """Scores each system's outputs against the references, example by example; returns the scores and
    sacreBLEU's signature strings. Needs at least one example."""
    references = list(references)
    outputs = {name: list(values) for name, values in systems.items()}
    if not references:
        raise ValueError("no examples to score")
    chars = sum(map(len, references)) + sum(sum(map(len, v)) for v in outputs.values())
    workers = workers or workers_for(chars, len(references))
    if workers == 1:
        parts = [_score_chunk((references, outputs))]
    else:
        import multiprocessing

        # Chunks of ~1/16 of a worker's share (~300 examples, ~2 CPU s at 10,000): small enough that
        # the workers finish together, large enough that sending them costs nothing. map keeps their order.
        size = max(16, -(-len(references) // (workers * 16)))
        tasks = [(references[i : i + size], {k: v[i : i + size] for k, v in outputs.items()})
                 for i in range(0, len(references), size)]
        with multiprocessing.get_context(start_method()).Pool(workers) as pool:
            parts = pool.map(_score_chunk, tasks, chunksize=1)
    result = {}
    for name in outputs:
        result[name] = SystemScores(
            {m: np.concatenate([p[name]["values"][m] for p in parts]) for m in METRICS},
            np.concatenate([p[name]["bleu_stats"] for p in parts]),
            np.concatenate([p[name]["chrf_stats"] for p in parts]),
        )
    return result, parts[0]["signatures"]


@functools.cache
def _corpus_metrics() -> tuple[Any, Any]:
    from sacrebleu.metrics import BLEU, CHRF

    return BLEU(), CHRF()


def bleu_from_stats(stats: np.ndarray) -> tuple[float, float]:
    """Corpus BLEU (sacreBLEU defaults) and length ratio (output over reference 13a tokens) from summed statistics."""
    bleu, _ = _corpus_metrics()
    totals = [int(x) for x in stats]
    score = bleu._compute_score_from_stats(totals)
    return float(score.score), (totals[0] / totals[1] if totals[1] else 0.0)


def chrf_from_stats(stats: np.ndarray) -> float:
    _, chrf = _corpus_metrics()
    return float(chrf._compute_score_from_stats([int(x) for x in stats]).score)


def corpus(scores: SystemScores) -> dict[str, float]:
    """The corpus metrics of one system (schema `corpusMetrics`); needs at least one example."""
    result = {m: float(np.mean(scores.values[m])) for m in MEANS}
    result["bleu"], result["length_ratio"] = bleu_from_stats(scores.bleu_stats.sum(axis=0))
    result["chrf"] = chrf_from_stats(scores.chrf_stats.sum(axis=0))
    return {m: result[m] for m in METRICS}


def example_scores(scores: SystemScores, i: int) -> dict[str, float | None]:
    """One example's scores (schema `exampleScores`), rounded for the file's size."""
    out: dict[str, float | None] = {}
    for m in METRICS:
        value = float(scores.values[m][i])
        out[m] = None if np.isnan(value) else round(value, 6)
    return out
