"""Generations for a held-out file from the base model and from the tuned model, side by side.

Prompts are rendered exactly as in training, batched with left padding (so every row ends where
generation starts) and decoded greedily by default. Output: JSONL rows
``{index, line, prompt, reference, base, tuned}``; the returned summary has timing and exact match."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from . import data as data_mod
from . import model as model_mod
from .config import RunConfig
from .errors import TrainerError


def result_dir(config: RunConfig) -> Path:
    for name in ("adapter", "partial", "model"):
        if (config.run_dir / name).is_dir():
            return config.run_dir / name
    raise TrainerError(
        "config", f"{config.run_dir} has no trained result yet", "Finish a training run first (train --config ...)."
    )


def generate(model: Any, tokenizer: Any, prompts: list[str], *, batch_size: int, max_new_tokens: int,
             greedy: bool = True, temperature: float = 0.7,
             on_batch: Callable[[int], None] | None = None) -> list[str]:
    import torch

    has_template = bool(getattr(tokenizer, "chat_template", None))
    tokenizer.padding_side = "left"
    device = next(model.parameters()).device
    outputs: list[str] = []
    for start in range(0, len(prompts), batch_size):
        batch = tokenizer(
            prompts[start : start + batch_size], return_tensors="pt", padding=True, add_special_tokens=not has_template
        ).to(device)
        with torch.inference_mode():
            generated = model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                do_sample=not greedy,
                temperature=temperature if not greedy else None,
                top_p=None,
                top_k=None,
                pad_token_id=tokenizer.pad_token_id,
            )
        new = generated[:, batch["input_ids"].shape[1] :]
        outputs.extend(t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True))
        if on_batch is not None:
            on_batch(len(outputs))
    return outputs


Progress = Callable[[str, int, int], None]
"""Called with the phase (``base`` or ``tuned``), the examples generated so far and their total."""


def evaluate(config: RunConfig, *, file: str | None = None, output: str | None = None,
             limit: int | None = None, progress: Progress | None = None) -> dict[str, Any]:
    source = file or config.evaluation.file or config.data.validation
    if source is None:
        raise TrainerError("config", "no held-out file to evaluate", "Set evaluation.file or pass --file.")
    records = data_mod.read_records(source, config.data.format)[:limit]
    tuned_dir = result_dir(config)
    hw = model_mod.detect_hardware(config)
    tokenizer = model_mod.load_tokenizer(config)
    rendered = [data_mod.render(r, tokenizer) for r in records]
    prompts = [r.prompt for r in rendered]
    ev = config.evaluation
    kwargs = {"batch_size": ev.batch_size, "max_new_tokens": ev.max_new_tokens, "greedy": ev.greedy,
              "temperature": ev.temperature}

    def reporter(phase: str) -> Callable[[int], None] | None:
        if progress is None:
            return None
        progress(phase, 0, len(prompts))
        return lambda done: progress(phase, done, len(prompts))

    model = model_mod.load_base_model(config, hw, for_training=False).to(hw.device).eval()
    start = time.perf_counter()
    base = generate(model, tokenizer, prompts, **kwargs, on_batch=reporter("base"))
    base_seconds = time.perf_counter() - start
    model = model_mod.load_tuned(model, tuned_dir).to(hw.device).eval()
    start = time.perf_counter()
    tuned = generate(model, tokenizer, prompts, **kwargs, on_batch=reporter("tuned"))
    tuned_seconds = time.perf_counter() - start

    out_path = Path(output) if output else config.run_dir / "evaluation.jsonl"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as handle:
        for i, (r, b, t) in enumerate(zip(rendered, base, tuned)):
            row = {"index": i, "line": r.line, "prompt": r.prompt, "reference": r.reference, "base": b, "tuned": t}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    n = max(len(rendered), 1)
    summary = {
        "output": str(out_path),
        "examples": len(rendered),
        "exact_match": {
            "base": sum(b == r.reference.strip() for r, b in zip(rendered, base)) / n,
            "tuned": sum(t == r.reference.strip() for r, t in zip(rendered, tuned)) / n,
        },
        "timing": {
            "base_seconds": base_seconds,
            "tuned_seconds": tuned_seconds,
            "examples_per_second": {"base": len(rendered) / max(base_seconds, 1e-9),
                                    "tuned": len(rendered) / max(tuned_seconds, 1e-9)},
            "batch_size": ev.batch_size,
            "device": hw.device,
        },
    }
    (out_path.with_suffix(".summary.json")).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
