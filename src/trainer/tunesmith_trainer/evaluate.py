"""Base vs tuned on a held-out file: generations, a teacher-forced pass over each reference, and the
report (report.py) written to ``<run>/evaluations/<id>.json``.

    python -m tunesmith_trainer evaluate --config RUN/config.json                 # the final result
    python -m tunesmith_trainer evaluate --config RUN/config.json --checkpoint checkpoint-150

Prompts are rendered exactly as in training and batched with left padding (every row ends where
generation starts); outputs are kept exactly as the model wrote them: cut at the first end-of-sequence
token, decoded without clean-up of tokenisation spaces, nothing stripped. The tuned weights are checked
before anything is generated. The base model's generations and log-probabilities are cached per run,
keyed by a hash of the model files, the token ids it is fed and the generation settings, so evaluating
five checkpoints generates with the base model once."""

from __future__ import annotations

import gc
import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any, Callable

from . import data as data_mod
from . import rendering
from . import methods
from . import model as model_mod
from . import report as report_mod
from .config import RunConfig
from .errors import TrainerError

CACHE_VERSION = 1
Progress = Callable[[str, int, int], None]
"""Called with the phase (``base`` or ``tuned``), the examples generated so far and their total."""


class EvaluationCancelled(Exception):
    """SIGTERM or SIGINT arrived: the evaluation stops and writes nothing."""


def result_dir(config: RunConfig) -> Path:
    folder = config.run_dir / methods.method_for(config).result_name
    if folder.is_dir():
        return folder
    raise TrainerError(
        "config", f"{config.run_dir} has no trained result yet", "Finish a training run first (train --config ...)."
    )


def checkpoint_dir(config: RunConfig, checkpoint: str) -> Path:
    """``checkpoint-150`` (a folder of ``<run>/checkpoints``) or the path of a checkpoint folder."""
    candidates = [config.run_dir / "checkpoints" / checkpoint, Path(checkpoint)]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    folder = config.run_dir / "checkpoints"
    found = sorted((p.name for p in folder.glob("checkpoint-*") if p.is_dir()), key=_step) if folder.is_dir() else []
    return _raise(f"no checkpoint {checkpoint!r} in {folder}",
                  f"Pass one of: {', '.join(found)}." if found else "This run saved no checkpoints.")


def _raise(message: str, hint: str, file: Path | None = None) -> Any:
    raise TrainerError("config", message, hint, file=str(file) if file else None)


def _step(name: str) -> int:
    match = re.search(r"checkpoint-(\d+)$", name)
    return int(match.group(1)) if match else -1


def check_weights(config: RunConfig, directory: Path) -> list[str]:
    """Checks, before any model is loaded, that ``directory`` holds whole files of what the run's method
    saves and loads; returns the tensor names they hold."""
    if not directory.is_dir():
        _raise(f"{directory} does not exist", "Finish a training run first, or pass an existing --checkpoint.")
    return methods.method_for(config).check_saved(directory)


# -- generation --------------------------------------------------------------------------------------------
def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids = getattr(model.generation_config, "eos_token_id", None)
    ids = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


def _stopper(cancel: Callable[[], bool] | None) -> Any:
    from transformers import StoppingCriteria, StoppingCriteriaList

    class Cancel(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            import torch

            stop = bool(cancel and cancel())
            return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([Cancel()])


def generate_rows(model: Any, tokenizer: Any, prompts: list[str], *, batch_size: int, max_new_tokens: int,
                  greedy: bool = True, temperature: float = 0.7, on_batch: Callable[[int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> tuple[list[str], list[bool]]:
    """Each prompt's output as the model wrote it, and whether it stopped at max_new_tokens."""
    import torch

    has_template = bool(getattr(tokenizer, "chat_template", None))
    tokenizer.padding_side = "left"
    device = next(model.parameters()).device
    eos = _eos_ids(model, tokenizer)
    outputs: list[str] = []
    truncated: list[bool] = []
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
                stopping_criteria=_stopper(cancel),
            )
        if cancel and cancel():
            raise EvaluationCancelled()
        for row in generated[:, batch["input_ids"].shape[1] :].tolist():
            end = next((i for i, token in enumerate(row) if token in eos), None)
            truncated.append(end is None and len(row) >= max_new_tokens)
            kept = row if end is None else row[:end]
            outputs.append(tokenizer.decode(kept, skip_special_tokens=True, clean_up_tokenization_spaces=False))
        if on_batch is not None:
            on_batch(len(outputs))
    return outputs, truncated


def generate(model: Any, tokenizer: Any, prompts: list[str], *, batch_size: int, max_new_tokens: int,
             greedy: bool = True, temperature: float = 0.7,
             on_batch: Callable[[int], None] | None = None) -> list[str]:
    return generate_rows(model, tokenizer, prompts, batch_size=batch_size, max_new_tokens=max_new_tokens,
                         greedy=greedy, temperature=temperature, on_batch=on_batch)[0]


# -- the teacher-forced pass ---------------------------------------------------------------------------
def reference_tokens(rendered: rendering.Rendered, tokenizer: Any) -> dict[str, Any] | None:
    """The model's input for one example as in training (data.tokenize), where the reference's tokens
    start in it, and each token's piece of the reference text (the pieces join to the reference);
    None when the reference cannot be found in the rendered completion or the tokenizer has no offsets."""
    item = rendering.tokenize(rendered, tokenizer)
    mask = item["completion_mask"]
    prompt_len = mask.index(1) if 1 in mask else len(mask)
    completion = rendered.completion
    ref_start = completion.find(rendered.reference) if rendered.reference else -1
    if ref_start < 0:
        return None
    try:
        encoded = tokenizer(completion, add_special_tokens=False, return_offsets_mapping=True)
    except (NotImplementedError, ValueError):
        return None
    if encoded["input_ids"] != item["input_ids"][prompt_len:]:
        return None
    ref_end = ref_start + len(rendered.reference)
    positions, pieces, previous = [], [], ref_start
    for k, (start, end) in enumerate(encoded["offset_mapping"]):
        if end <= ref_start or start >= ref_end or start == end or prompt_len + k == 0:
            continue
        positions.append(prompt_len + k)
        pieces.append(completion[previous : min(end, ref_end)])
        previous = min(end, ref_end)
    if not positions:
        return None
    return {"input_ids": item["input_ids"], "positions": positions, "pieces": pieces}


def reference_logprobs(model: Any, tokenizer: Any, rows: list[dict[str, Any] | None], *, batch_size: int,
                       cancel: Callable[[], bool] | None = None) -> list[list[float] | None]:
    """Natural-log probability of each reference token given everything before it (one forward pass per batch)."""
    import torch

    device = next(model.parameters()).device
    limit = getattr(model.config, "max_position_embeddings", None) or 1 << 30
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    result: list[list[float] | None] = [None] * len(rows)
    todo = [i for i, row in enumerate(rows) if row is not None and row["positions"][0] < limit]
    for b in range(0, len(todo), batch_size):
        if cancel and cancel():
            raise EvaluationCancelled()
        chosen = todo[b : b + batch_size]
        sequences = [rows[i]["input_ids"][:limit] for i in chosen]
        width = max(map(len, sequences))
        ids = torch.full((len(chosen), width), pad, dtype=torch.long)
        attention = torch.zeros((len(chosen), width), dtype=torch.long)
        for j, seq in enumerate(sequences):
            ids[j, : len(seq)] = torch.tensor(seq)
            attention[j, : len(seq)] = 1
        with torch.inference_mode():
            logits = model(input_ids=ids.to(device), attention_mask=attention.to(device)).logits
        shift = logits.shape[1] - width  # prompt tuning puts its virtual tokens first
        for j, i in enumerate(chosen):
            positions = torch.tensor([p for p in rows[i]["positions"] if p < len(sequences[j])])
            # The logits at position p - 1 predict the token at p.
            window = logits[j, (shift + positions - 1).to(logits.device)].float().log_softmax(-1)
            targets = ids[j, positions].to(window.device)
            result[i] = [round(v, 4) for v in window.gather(1, targets[:, None])[:, 0].tolist()]
    return result


# -- the base model's cache ----------------------------------------------------------------------------
def _model_files(path: str) -> list[list[Any]]:
    folder = Path(path)
    names = sorted(p for p in folder.iterdir() if p.suffix in (".json", ".safetensors", ".bin")) if folder.is_dir() else []
    return [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in names]


def base_cache_key(config: RunConfig, hw: Any, settings: dict[str, Any], prompts_ids: list[list[int]],
                   rows: list[dict[str, Any] | None]) -> str:
    import torch
    import transformers

    model_path = model_mod.resolve_model_path(config.model.path)
    identity = {
        "v": CACHE_VERSION,
        "model": [model_path, _model_files(model_path)],
        "dtype": str(model_mod.weight_dtype(config, hw)),
        "device": hw.device,
        "settings": settings,
        "versions": [torch.__version__, transformers.__version__],
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode())
    digest.update(json.dumps(prompts_ids).encode())
    digest.update(json.dumps([row and [row["input_ids"], row["positions"]] for row in rows]).encode())
    return digest.hexdigest()[:32]


def _load_cache(path: Path, count: int) -> dict[str, Any] | None:
    try:
        cached = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None  # absent, or left half-written by an older version: generate again
    return cached if isinstance(cached, dict) and len(cached.get("outputs", [])) == count else None


# -- the evaluation -----------------------------------------------------------------------------------
def _rendering(records: list[data_mod.Record], tokenizer: Any) -> str:
    fmt = records[0].format
    if records[0].messages is not None and getattr(tokenizer, "chat_template", None):
        return (f"{fmt} data through the model's chat template with add_generation_prompt=True, every turn "
                "before the last trained assistant turn (weight not 0); that turn is the reference")
    if fmt in rendering.INSTRUCTION_FORMATS:
        return "the Alpaca template (### Instruction / ### Response), the model having no chat template"
    if fmt == "prompt-completion":
        return "the prompt field as written, with the tokenizer's special tokens; the completion is the reference"
    return "no prompt (text data): the whole text is the reference"


def _final_step(run_dir: Path) -> int | None:
    try:
        lines = (run_dir / "events.jsonl").read_text("utf-8").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("type") == "finished" and event.get("status") == "completed" and isinstance(event.get("step"), int):
            return event["step"]
    return None


def _phase(name: str, model: Any, tokenizer: Any, prompts: list[str], rows: list[dict[str, Any] | None],
           settings: dict[str, Any], seed: int, progress: Progress | None,
           cancel: Callable[[], bool] | None) -> dict[str, Any]:
    import torch

    def reporter(done: int) -> None:
        if progress is not None:
            progress(name, done, len(prompts))

    reporter(0)
    torch.manual_seed(seed)  # sampling (greedy false) is reproducible too
    start = time.perf_counter()
    outputs, truncated = generate_rows(model, tokenizer, prompts, batch_size=settings["batch_size"],
                                       max_new_tokens=settings["max_new_tokens"], greedy=settings["greedy"],
                                       temperature=settings["temperature"], on_batch=reporter, cancel=cancel)
    seconds = time.perf_counter() - start
    logprobs = reference_logprobs(model, tokenizer, rows, batch_size=settings["batch_size"], cancel=cancel)
    return {"outputs": outputs, "truncated": truncated, "logprobs": logprobs, "seconds": seconds}


def evaluate(config: RunConfig, *, file: str | None = None, output: str | None = None, limit: int | None = None,
             checkpoint: str | None = None, progress: Progress | None = None,
             cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    source = file or config.evaluation.file or config.data.validation
    if source is None:
        raise TrainerError("config", "no held-out file to evaluate", "Set evaluation.file or pass --file.")
    records = data_mod.read_records(source, config.data.format)[:limit]
    weights = checkpoint_dir(config, checkpoint) if checkpoint else result_dir(config)
    method = methods.method_for(config)
    tensor_names = check_weights(config, weights)
    report_id = weights.name if checkpoint else "final"
    heldout, lines = report_mod.read_lines(source)
    hw = model_mod.detect_hardware(config)
    tokenizer = model_mod.load_tokenizer(config)
    rendering.check_template(records, tokenizer)
    rendered = [rendering.render(r, tokenizer) for r in records]
    prompts = [r.prompt for r in rendered]
    rows = [reference_tokens(r, tokenizer) for r in rendered]
    ev = config.evaluation
    settings = {"batch_size": ev.batch_size, "max_new_tokens": ev.max_new_tokens, "greedy": ev.greedy,
                "temperature": ev.temperature}

    model = model_mod.load_base_model(config, hw, for_training=False).to(hw.device).eval()
    method.check_fits(model, weights, tensor_names)
    has_template = bool(getattr(tokenizer, "chat_template", None))
    prompt_ids = [tokenizer(p, add_special_tokens=not has_template)["input_ids"] for p in prompts]
    cache_path = config.run_dir / "evaluations" / ".cache" / f"base-{base_cache_key(config, hw, settings, prompt_ids, rows)}.json"
    base = _load_cache(cache_path, len(prompts))
    notes = []
    if base is None:
        base = _phase("base", model, tokenizer, prompts, rows, settings, config.training.seed, progress, cancel)
        report_mod.write_json_atomic(cache_path, base)
    else:
        if progress is not None:
            progress("base", 0, len(prompts))
            progress("base", len(prompts), len(prompts))
        notes.append("The base model's outputs and log-probabilities come from an earlier evaluation of this run "
                     "(same model files, prompts and generation settings).")
    model = method.load(model, weights).to(hw.device).eval()
    tuned = _phase("tuned", model, tokenizer, prompts, rows, settings, config.training.seed, progress, cancel)
    del model
    gc.collect()

    items = []
    for i, (record, r) in enumerate(zip(records, rendered)):
        tokens = None
        if rows[i] is not None and base["logprobs"][i] is not None and tuned["logprobs"][i] is not None:
            count = len(tuned["logprobs"][i])
            tokens = {"text": rows[i]["pieces"][:count], "base": base["logprobs"][i], "tuned": tuned["logprobs"][i]}
        items.append(report_mod.Item(
            index=i, line=r.line, line_hash=report_mod.line_hash(lines[r.line - 1]), prompt=r.prompt,
            messages=record.prompt_turns(), reference=r.reference,
            outputs={"base": base["outputs"][i], "tuned": tuned["outputs"][i]}, tokens=tokens,
            truncated=[name for name, phase in (("base", base), ("tuned", tuned)) if phase["truncated"][i]],
        ))
    if sum(row is None for row in rows):
        notes.append(f"{sum(row is None for row in rows)} references could not be found token by token in the "
                     "rendered completion (a template that rewrites the answer): they have no per-token log-probabilities.")
    if cancel and cancel():
        raise EvaluationCancelled()
    decoding = ("greedy" if ev.greedy else f"sampling at temperature {ev.temperature}") + (
        f", at most {ev.max_new_tokens} new tokens, cut at the first end-of-sequence token, decoded with "
        "skip_special_tokens=True and clean_up_tokenization_spaces=False, nothing stripped")
    generation = {
        "prompt_rendering": _rendering(records, tokenizer),
        "decoding": decoding,
        "greedy": ev.greedy,
        **({} if ev.greedy else {"temperature": ev.temperature}),
        "max_new_tokens": ev.max_new_tokens,
        "batch_size": ev.batch_size,
        "device": hw.device,
        "seconds": {"base": base["seconds"], "tuned": tuned["seconds"]},
        "examples_per_second": {name: len(prompts) / max(phase["seconds"], 1e-9) for name, phase in
                                (("base", base), ("tuned", tuned))},
    }
    step = _step(weights.name) if checkpoint else _final_step(config.run_dir)
    run = {"dir": str(config.run_dir), **({"checkpoint": weights.name} if checkpoint else {}),
           **({"step": step} if step is not None and step >= 0 else {})}
    model_path = config.model.path
    systems = {"base": {"label": "base", "model": model_path},
               "tuned": {"label": weights.name if checkpoint else "tuned", "model": model_path, "weights": str(weights)}}
    built = report_mod.build(items, kind="evaluate", id=report_id, source={"kind": "evaluate", "heldout": heldout},
                             systems=systems, run=run, generation=generation, notes=notes)
    path = Path(output) if output else config.run_dir / "evaluations" / f"{report_id}.json"
    report_mod.write(built.report, path)
    summary = report_mod.summary(built.report, path)
    summary["timing"] = {"base_seconds": base["seconds"], "tuned_seconds": tuned["seconds"],
                         "examples_per_second": generation["examples_per_second"], "batch_size": ev.batch_size,
                         "device": hw.device}
    return summary
