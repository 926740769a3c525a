"""Speed of scoring a report (a benchmark, not a test; `npm run bench` runs it through bench/evaluation.ts).

    python -m tunesmith_trainer.bench_evaluation                  # 10,000 examples of ~200 tokens
    python -m tunesmith_trainer.bench_evaluation --examples 2000 --words 40 --workers 1

Corpus (seeded): English-like text, words drawn with a Zipf law from a 20,000-word vocabulary made of
syllables, capitalised sentences with commas and full stops; ~150 words (about 200 tokens of a BPE
tokenizer, ~950 characters) per reference. The tuned output is the reference with ~15% of its words
replaced, dropped or inserted, the base output with ~60%. Timed: every metric of the report for both
systems (`metrics.score_systems` + the corpus, flip tables and classification/JSON detection, as
`report.build` runs them) without the bootstrap, then the bootstrap on its own. Prints one JSON object
with wall and CPU seconds (getrusage, workers included) and the wall time the same CPU work would take
on idle cores (the parent's serial part plus the workers' part shared between them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import time
from typing import Any


def corpus(examples: int, words: int, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["th", "st", "ing", "er", "an"]
    vocab = sorted({"".join(rng.choice(syllables) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))) for _ in range(30000)})
    vocab = vocab[:20000]
    rng.shuffle(vocab)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))

    def text(n: int) -> list[str]:
        return rng.choices(vocab, cum_weights=cumulative, k=n)

    def render(tokens: list[str]) -> str:
        out, start = [], True
        for token in tokens:
            out.append(token.capitalize() if start else token)
            start = False
            roll = rng.random()
            if roll < 0.06:
                out[-1] += "."
                start = True
            elif roll < 0.12:
                out[-1] += ","
        return " ".join(out).rstrip(",") + "."

    def edit(tokens: list[str], rate: float) -> list[str]:
        out = []
        for token in tokens:
            roll = rng.random()
            if roll < rate / 3:
                out.extend(text(1))
            elif roll < 2 * rate / 3:
                continue
            elif roll < rate:
                out.extend((token, *text(1)))
            else:
                out.append(token)
        return out

    references, base, tuned = [], [], []
    for _ in range(examples):
        tokens = text(max(1, int(rng.gauss(words, words / 5))))
        references.append(render(tokens))
        tuned.append(render(edit(tokens, 0.15)))
        base.append(render(edit(tokens, 0.6)))
    return references, base, tuned


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tunesmith_trainer.bench_evaluation")
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=150, help="words per reference (~1.3 BPE tokens each)")
    parser.add_argument("--workers", type=int, default=0, help="processes for the metrics (0: as many as cores)")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--breakdown", action="store_true", help="CPU time of each library, one process, 500 examples")
    args = parser.parse_args()
    if args.breakdown:
        return breakdown(args.words)

    start = time.perf_counter()
    from . import metrics, paired, report

    metrics._Scorer()  # the libraries' imports (nltk's is most of it): once per command, not per example
    paired.mcnemar_p(1, 1)
    imports = time.perf_counter() - start
    references, base, tuned = corpus(args.examples, args.words)
    items = [report.Item(index=i, prompt="", reference=r, outputs={"base": b, "tuned": t})
             for i, (r, b, t) in enumerate(zip(references, base, tuned))]
    workers = args.workers or metrics.workers_for(10**9, args.examples)
    start = time.perf_counter()
    own, cpu = _cpu()
    built = report.build(items, kind="score", resamples=0, workers=workers)
    scoring = time.perf_counter() - start
    own_after, cpu_after = _cpu()
    scoring_cpu, parent_cpu = cpu_after - cpu, own_after - own
    start = time.perf_counter()
    scores = built.scores
    paired.bootstrap(scores["base"], scores["tuned"], resamples=args.resamples, seed=0)
    bootstrap = time.perf_counter() - start
    chars = sum(map(len, references)) / len(references)
    print(json.dumps({
        "examples": args.examples,
        "reference_words": args.words,
        "reference_chars": round(chars),
        "workers": workers,
        "cores": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "import_seconds": round(imports, 3),
        "scoring_seconds": round(scoring, 3),
        "scoring_cpu_seconds": round(scoring_cpu, 3),
        "scoring_parent_cpu_seconds": round(parent_cpu, 3),
        # What the wall time would be with `workers` idle cores: the parent's own (serial) part, plus the
        # workers' CPU time shared evenly between them.
        "scoring_idle_seconds_estimate": round(parent_cpu + (scoring_cpu - parent_cpu) / workers, 3),
        "bootstrap_seconds": round(bootstrap, 3),
        "resamples": args.resamples,
        "tuned_f1": round(built.report["metrics"]["tuned"]["f1"], 4),
    }, indent=2))


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of it and its finished workers: on a shared machine, steadier than wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    mine = own.ru_utime + own.ru_stime
    return mine, mine + children.ru_utime + children.ru_stime


def breakdown(words: int, examples: int = 500) -> None:
    from . import metrics

    references, base, tuned = corpus(examples, words)
    scorer = metrics._Scorer()
    parts = {}

    def timed(name: str, work: Any) -> None:
        start = time.process_time()
        work()
        parts[name] = round((time.process_time() - start) / examples * 1000, 3)

    timed("chrF: references", lambda: setattr(scorer.chrf, "_ref_cache", scorer.chrf._cache_references([references])))
    timed("chrF: 2 systems", lambda: [scorer.chrf._extract_corpus_statistics(o, None) for o in (base, tuned)])
    timed("BLEU: references", lambda: setattr(scorer.bleu, "_ref_cache", scorer.bleu._cache_references([references])))
    timed("BLEU: 2 systems", lambda: [scorer.bleu._extract_corpus_statistics(o, None) for o in (base, tuned)])
    timed("ROUGE and SQuAD: references", lambda: [metrics._Reference(scorer, r) for r in references])
    prepared = [metrics._Reference(scorer, r) for r in references]
    timed("ROUGE-1/2/L: 2 systems", lambda: [scorer.rouge(r, h) for o in (base, tuned) for r, h in zip(prepared, o)])
    timed("SQuAD EM and F1: 2 systems", lambda: [metrics._f1_tokens(metrics.normalize_answer(h).split(), r.counts, r.words)
                                                 for o in (base, tuned) for r, h in zip(prepared, o)])
    print(json.dumps({"examples": examples, "reference_words": words, "cpu_ms_per_example": parts,
                      "total_ms_per_example": round(sum(parts.values()), 3)}, indent=2))


if __name__ == "__main__":
    main()
