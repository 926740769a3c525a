"""The metric wrappers give the libraries' own numbers: vectors published in sacreBLEU's, rouge-score's
and the SQuAD script's test suites, and the libraries called directly on edge cases."""

from __future__ import annotations

import json
import random
import re
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import sacrebleu
from rouge_score import rouge_scorer

from tunesmith_trainer import metrics
from tunesmith_trainer.metrics import METRICS, corpus, exact_normalized, exact_strict, normalize_answer, squad_f1

EDGE = [
    # (reference, output)
    ("The capital of Peru is Lima .", "The capital of Peru is Lima ."),
    ("The capital of Peru is Lima .", "The capital of Peru is Lima."),
    ("", ""),
    ("", "something"),
    ("an answer", ""),
    ("Zürich ist schön, sagt der Bär.", "Zürich ist sehr schön, sagt der Bär!"),
    ("北京是中国的首都。", "北京是首都。"),
    ("line one\nline two\n\nline four", "line one\nline 2\nline four"),
    ("!!! ... ???", "?"),
    ("running dogs jumped happily", "the dog runs and jumps happily"),
    ("a " * 300 + "end", "a " * 299 + "end"),
]


def scored(pairs):
    references = [r for r, _ in pairs]
    result, signatures = metrics.score_systems(references, {"tuned": [o for _, o in pairs]}, workers=1)
    return result["tuned"], signatures


def test_sentence_bleu_matches_the_value_in_sacrebleus_tests():
    # sacrebleu test/test_sentence_bleu.py (issue #98): exp smoothing, 13a, effective order -> 8.493.
    ref = "producţia de zahăr brut se exprimă în zahăr alb;"
    hyp = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;"
    scores, _ = scored([(ref, hyp)])
    assert scores.values["bleu"][0] == pytest.approx(8.493, abs=1e-3)
    # ... and test_api_sentence_bleu_zero (issue #141): nothing in common is 0.
    scores, _ = scored([("okay thanks", "this is a cat")])
    assert scores.values["bleu"][0] == 0.0


@pytest.mark.parametrize("hyps, refs, expected", [
    # sacrebleu test/test_chrf.py, test_cases_effective_order (no epsilon smoothing: sacreBLEU's default;
    # these pairs have precision = recall, so beta does not matter).
    (["a"], ["a"], 100.0),
    ([""], ["reference"], 0.0),
    (["a b c"], ["a b c"], 100.0),
    (["a b c"], ["abc"], 100.0),
    ([""], ["c"], 0.0),
    (["a", "b"], ["a", "c"], 50.0),
    (["aa"], ["ab"], 25.0),
])
def test_corpus_chrf_matches_the_values_in_sacrebleus_tests(hyps, refs, expected):
    scores, _ = scored(list(zip(refs, hyps)))
    assert corpus(scores)["chrf"] == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("target, prediction, metric, expected", [
    # rouge-score rouge/rouge_scorer_test.py
    ("testing one two", "testing", "rouge1", 1 / 2),
    ("testing one two", "testing one", "rouge2", 2 / 3),
    ("testing one two", "testing one", "rougeL", 4 / 5),
    ("testing one two", "testing two", "rougeL", 4 / 5),
    ("testing one two", "", "rouge1", 0.0),
    ("testing one two", "", "rouge2", 0.0),
    ("testing one two", "", "rougeL", 0.0),
])
def test_rouge_matches_the_values_in_rouge_scores_tests(target, prediction, metric, expected):
    scores, _ = scored([(target, prediction)])
    assert scores.values[metric][0] == pytest.approx(expected)


def test_squad_normalisation_and_f1_follow_the_official_script():
    assert normalize_answer("The  Quick, brown fox!") == "quick brown fox"
    assert normalize_answer("an apple a day") == "apple day"
    assert squad_f1("the cat sat", "a cat sat down") == pytest.approx(0.8)  # P 1, R 2/3
    assert squad_f1("dog", "cat") == 0.0
    assert squad_f1("", "") == 0.0  # v1.1: nothing shared is 0, even when both are empty
    # The case: the model wrote "Lima." where the reference says "Lima .".
    assert not exact_strict("The capital is Lima.", "The capital is Lima .")
    assert exact_normalized("The capital is Lima.", "The capital is Lima .")
    assert exact_strict(" Lima .\n", "Lima .")  # only surrounding whitespace is ignored


def test_every_score_equals_the_library_called_directly_on_edge_cases():
    scores, signatures = scored(EDGE)
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    for i, (ref, hyp) in enumerate(EDGE):
        expected = rouge.score(ref, hyp)  # reference first
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert scores.values[metric][i] == expected[metric].fmeasure, (metric, ref, hyp)
        assert scores.values["bleu"][i] == sacrebleu.sentence_bleu(hyp, [ref]).score, (ref, hyp)
        assert scores.values["chrf"][i] == sacrebleu.sentence_chrf(hyp, [ref]).score, (ref, hyp)
    refs, hyps = [r for r, _ in EDGE], [o for _, o in EDGE]
    bleu = sacrebleu.corpus_bleu(hyps, [refs])
    result = corpus(scores)
    assert result["bleu"] == bleu.score
    assert result["length_ratio"] == bleu.sys_len / bleu.ref_len
    assert result["chrf"] == sacrebleu.corpus_chrf(hyps, [refs]).score
    for name, metric in (("bleu", sacrebleu.BLEU()), ("chrf", sacrebleu.CHRF())):
        metric.corpus_score(hyps, [refs])
        assert signatures[name] == str(metric.get_signature())
    assert signatures["bleu"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert signatures["chrf"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:")
    # An empty reference has no length ratio; the others are output over reference 13a tokens.
    assert scores.values["length_ratio"][2] != scores.values["length_ratio"][2]  # NaN
    assert list(metrics.example_scores(scores, 2).keys()) == list(METRICS)
    assert metrics.example_scores(scores, 2)["length_ratio"] is None


def test_a_single_example_is_a_corpus():
    scores, _ = scored([("Paris", "Paris")])
    assert corpus(scores) == pytest.approx({"exact": 1.0, "exact_normalized": 1.0, "f1": 1.0, "rouge1": 1.0,
                                            "rouge2": 0.0, "rougeL": 1.0, "bleu": 0.0, "chrf": 100.0,
                                            "length_ratio": 1.0})
    # One token has no bigrams (ROUGE-2 0) and no 4-grams (corpus BLEU 0): the libraries' definitions.
    assert corpus(scores)["bleu"] == sacrebleu.corpus_bleu(["Paris"], [["Paris"]]).score


def test_rouge_equals_rouge_scorer_on_random_pairs_of_two_systems():
    # The reference's tokens and n-grams are made once for both systems, and ROUGE-L's LCS comes from
    # rapidfuzz: neither may change a number. Words that stem alike, non-ASCII, punctuation, line breaks.
    rng = random.Random(3)
    words = ["cat", "cats", "dog", "running", "runs", "a", "the", "Zürich", "42", "x-ray", "\n", "–", "dogs."]

    def text():
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 30)))

    refs = [text() for _ in range(300)]
    base, tuned = [text() for _ in refs], [r if i % 7 == 0 else text() for i, r in enumerate(refs)]
    scores, _ = metrics.score_systems(refs, {"base": base, "tuned": tuned}, workers=1)
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    for name, outputs in (("base", base), ("tuned", tuned)):
        for i, (ref, hyp) in enumerate(zip(refs, outputs)):
            expected = rouge.score(ref, hyp)
            for metric in ("rouge1", "rouge2", "rougeL"):
                assert scores[name].values[metric][i] == expected[metric].fmeasure, (name, metric, ref, hyp)


def official_normalize_answer(s):
    """evaluate-v1.1.py's normalize_answer, verbatim: the oracle for ours."""
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def official_f1_score(prediction, ground_truth):
    prediction_tokens = official_normalize_answer(prediction).split()
    ground_truth_tokens = official_normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def test_squad_scores_equal_the_official_script_on_random_and_edge_texts():
    rng = random.Random(11)
    alphabet = list("aAnNtThHeE ,.!?'\"-()\n\t") + ["the", "an", " a ", "É", "ß", "İ", "。", "–", "…", "北京", "\u00a0"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    pairs = EDGE + list(zip(texts[::2], texts[1::2]))
    refs, outputs = [r for r, _ in pairs], [o for _, o in pairs]
    for text in refs + outputs:
        assert normalize_answer(text) == official_normalize_answer(text), repr(text)
    scores, _ = metrics.score_systems(refs, {"base": refs, "tuned": outputs}, workers=1)
    for i, (ref, out) in enumerate(pairs):
        assert scores["tuned"].values["f1"][i] == official_f1_score(out, ref), (ref, out)
        assert squad_f1(out, ref) == official_f1_score(out, ref)
        assert scores["tuned"].values["exact_normalized"][i] == (official_normalize_answer(out) == official_normalize_answer(ref))
        assert scores["tuned"].values["exact"][i] == (out.strip() == ref.strip())
        assert scores["base"].values["f1"][i] == official_f1_score(ref, ref)


def test_two_systems_on_edge_cases_each_equal_the_libraries_called_directly():
    # Base and tuned share each reference's cached n-grams and tokens; half the tuned outputs are base's
    # (scored once): every score of both must still be what each library gives for that pair alone.
    refs = [r for r, _ in EDGE]
    base = [o for _, o in EDGE]
    tuned = [o if i % 2 else base[(i + 3) % len(base)] for i, o in enumerate(base)]
    scores, _ = metrics.score_systems(refs, {"base": base, "tuned": tuned}, workers=1)
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    for name, outputs in (("base", base), ("tuned", tuned)):
        values = scores[name].values
        for i, (ref, hyp) in enumerate(zip(refs, outputs)):
            expected = rouge.score(ref, hyp)
            for metric in ("rouge1", "rouge2", "rougeL"):
                assert values[metric][i] == expected[metric].fmeasure, (name, metric, ref, hyp)
            assert values["bleu"][i] == sacrebleu.sentence_bleu(hyp, [ref]).score, (name, ref, hyp)
            assert values["chrf"][i] == sacrebleu.sentence_chrf(hyp, [ref]).score, (name, ref, hyp)
            assert values["f1"][i] == official_f1_score(hyp, ref)
        result = corpus(scores[name])
        bleu = sacrebleu.corpus_bleu(outputs, [refs])
        assert result["bleu"] == bleu.score
        assert result["length_ratio"] == bleu.sys_len / bleu.ref_len
        assert result["chrf"] == sacrebleu.corpus_chrf(outputs, [refs]).score


def test_scoring_imports_no_torch_and_spawns_its_workers_once_torch_is_loaded():
    # `score` and `compare` fork their workers (free: the libraries are imported); after `evaluate`
    # has run a model, torch's and the tokenizers' thread pools must not be forked half-locked.
    code = """
import json, sys
from tunesmith_trainer import metrics, predictions, compare, report
refs = [f"reference number {i} about caf\u00e9s" for i in range(40)]
outs = [r.upper() if i % 3 else r for i, r in enumerate(refs)]
one, _ = metrics.score_systems(refs, {"tuned": outs}, workers=1)
before = ("torch" in sys.modules, metrics.start_method())
import torch
two, _ = metrics.score_systems(refs, {"tuned": outs}, workers=2)
same = all(one["tuned"].values[m].tolist() == two["tuned"].values[m].tolist() for m in metrics.METRICS)
print(json.dumps([*before, metrics.start_method(), same]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [False, "fork", "spawn", True]


def test_workers_give_the_same_scores_as_one_process():
    rng = random.Random(5)
    refs = [" ".join(rng.choice(["alpha", "beta", "gamma", "délta"]) for _ in range(12)) for _ in range(200)]
    base = [r.replace("alpha", "beta") for r in refs]
    tuned = [r if i % 3 else r.upper() for i, r in enumerate(refs)]
    one, sig_one = metrics.score_systems(refs, {"base": base, "tuned": tuned}, workers=1)
    two, sig_two = metrics.score_systems(refs, {"base": base, "tuned": tuned}, workers=2)
    assert sig_one == sig_two
    for name in ("base", "tuned"):
        assert corpus(one[name]) == corpus(two[name])
        for metric in METRICS:
            np.testing.assert_array_equal(one[name].values[metric], two[name].values[metric])  # NaN equals NaN here


def test_a_one_megabyte_output_is_scored():
    huge = ("word " * 200_000)[:1_000_000]
    scores, _ = scored([("a short reference", huge), ("a short reference", "")])
    assert 0 <= scores.values["chrf"][0] < 1 and scores.values["f1"][1] == 0.0
