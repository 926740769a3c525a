"""Flip tables, McNemar's exact test, the paired bootstrap and the verdict, on hand-made cases."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sacrebleu
from rouge_score import rouge_scorer

from tunesmith_trainer import metrics, paired


def systems(references, base, tuned):
    scores, _ = metrics.score_systems(references, {"base": base, "tuned": tuned}, workers=1)
    return scores["base"], scores["tuned"]


def test_the_flip_table_counts_each_cell():
    base = [1, 1, 0, 0, 0, 1]
    tuned = [1, 0, 1, 1, 0, 1]
    table = paired.flip_table("exact_normalized", [b == 1 for b in base], [t == 1 for t in tuned])
    assert table == {"metric": "exact_normalized", "both_right": 2, "base_only": 1, "tuned_only": 2,
                     "both_wrong": 1, "mcnemar_p": 1.0}


@pytest.mark.parametrize("base_only, tuned_only, p", [
    (0, 0, 1.0),  # no discordant pair: nothing to test
    (0, 8, 2 * 0.5**8),  # all 8 discordant pairs are fixes: 2 * (1/2)^8
    (2, 10, 2 * (1 + 12 + 66) / 4096),  # two-sided: 2 * P(X <= 2), X ~ Binomial(12, 1/2)
    (10, 2, 2 * (1 + 12 + 66) / 4096),  # symmetric
    (3, 3, 1.0),
])
def test_mcnemars_exact_test_is_a_binomial_test_on_the_discordant_pairs(base_only, tuned_only, p):
    assert paired.mcnemar_p(base_only, tuned_only) == pytest.approx(p)


def test_the_flip_tables_of_a_report_are_exact_match_then_f1_and_chrf_at_their_thresholds():
    refs = ["the cat sat on the mat", "a dog", "blue sky", "red car"]
    base, tuned = systems(refs, ["the cat sat on the mat", "dog", "green", "red car"],
                          ["the cat sat", "a dog", "blue sky", "red car"])
    tables = paired.flip_tables(base, tuned)
    assert [(t["metric"], t.get("threshold")) for t in tables] == [("exact_normalized", None), ("f1", 0.5), ("chrf", 50.0)]
    exact = tables[0]  # "dog" is "a dog" once the article is dropped
    assert (exact["both_right"], exact["base_only"], exact["tuned_only"], exact["both_wrong"]) == (2, 1, 1, 0)
    f1 = tables[1]  # "cat sat" against "cat sat on mat": F1 2/3, right at 0.5
    assert (f1["both_right"], f1["base_only"], f1["tuned_only"], f1["both_wrong"]) == (3, 0, 1, 0)


def test_the_bootstrap_is_seeded_and_its_interval_holds_the_difference():
    refs = [f"answer number {i} is here" for i in range(60)]
    base_out = [r if i % 4 == 0 else "no idea" for i, r in enumerate(refs)]
    tuned_out = [r if i % 5 else "no idea" for i, r in enumerate(refs)]
    base, tuned = systems(refs, base_out, tuned_out)
    first = paired.bootstrap(base, tuned, resamples=300, seed=7)
    assert first == paired.bootstrap(base, tuned, resamples=300, seed=7)
    assert first != paired.bootstrap(base, tuned, resamples=300, seed=8)
    for metric, ci in first.items():
        assert ci["low"] <= ci["delta"] <= ci["high"], metric
        assert ci["delta"] == pytest.approx(paired.corpus_value(tuned, metric) - paired.corpus_value(base, metric))
    assert first["f1"]["low"] > 0 and first["bleu"]["low"] > 0  # 75% vs 20% right: a real difference


def test_each_bootstrap_resample_is_the_libraries_corpus_score_of_the_resampled_examples():
    # Resampling the summed statistics must give exactly what sacreBLEU and rouge-score report when
    # called on the resampled examples themselves (repeats included).
    rng = random.Random(2)
    words = ["the", "cat", "sat", "on", "mat", "dog", "ran", "Zürich", "red", "car", ".", ","]
    refs = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(40)]
    base_out = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in refs]
    tuned_out = [r if i % 3 else "" for i, r in enumerate(refs)]
    base, tuned = systems(refs, base_out, tuned_out)
    samples = paired.resampled_differences(base, tuned, resamples=5, seed=3)
    counts = next(paired.resample_counts(len(refs), 5, 3))
    rouge = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    for r in range(5):
        picked = np.repeat(np.arange(len(refs)), counts[r].astype(int))
        assert len(picked) == len(refs)
        ref, b, t = ([xs[i] for i in picked] for xs in (refs, base_out, tuned_out))
        bleu_b, bleu_t = sacrebleu.corpus_bleu(b, [ref]), sacrebleu.corpus_bleu(t, [ref])
        assert samples["bleu"][r] == pytest.approx(bleu_t.score - bleu_b.score)
        assert samples["length_ratio"][r] == pytest.approx(bleu_t.sys_len / bleu_t.ref_len - bleu_b.sys_len / bleu_b.ref_len)
        assert samples["chrf"][r] == pytest.approx(sacrebleu.corpus_chrf(t, [ref]).score - sacrebleu.corpus_chrf(b, [ref]).score)
        rouge_l = [rouge.score(x, y)["rougeL"].fmeasure for x, y in zip(ref, t)], [rouge.score(x, y)["rougeL"].fmeasure for x, y in zip(ref, b)]
        assert samples["rougeL"][r] == pytest.approx(np.mean(rouge_l[0]) - np.mean(rouge_l[1]))


def test_identical_systems_have_zero_differences_and_a_verdict_that_says_so():
    refs = [f"item {i}" for i in range(20)]
    base, tuned = systems(refs, refs, refs)
    intervals = paired.bootstrap(base, tuned, resamples=100)
    assert all(ci == {"delta": 0.0, "low": 0.0, "high": 0.0} for ci in intervals.values())
    text = paired.verdict(20, intervals, paired.flip_tables(base, tuned), (0, 0))
    assert text.startswith("n = 20. No difference is distinguishable from noise at this n: exact match (0 fixed, 0 broken")


def test_the_verdict_names_what_is_better_worse_and_noise():
    intervals = {m: {"delta": 0.0, "low": -0.1, "high": 0.1} for m in metrics.METRICS}
    intervals["f1"] = {"delta": 0.3, "low": 0.2, "high": 0.4}
    intervals["chrf"] = {"delta": -5.0, "low": -8.0, "high": -2.0}
    flips = [{"metric": "exact_normalized", "both_right": 10, "base_only": 0, "tuned_only": 9, "both_wrong": 21,
              "mcnemar_p": paired.mcnemar_p(0, 9)}]
    text = paired.verdict(40, intervals, flips, (1, 2))
    assert "Tuned is better than base on normalised exact match (9 fixed, 0 broken, McNemar p = 0.0039) and token F1 (+0.30, 95% CI +0.20 to +0.40)." in text
    assert "Tuned is worse than base on chrF (-5.0, 95% CI -8.0 to -2.0)." in text
    assert "Not distinguishable from noise at this n: exact match (2 fixed, 1 broken, McNemar p = 1)" in text
    small = paired.verdict(6, intervals, flips, (1, 2))
    assert "token F1" in small.split("Not distinguishable")[1]  # below 10 examples the bootstrap does not decide
    assert "only McNemar's exact test decides" in small
