"""Speed of our LoRA run against a plain baseline in the same job, and of batched evaluation against
one-at-a-time generate().

    python -m tunesmith_trainer.bench                       # ~1B Llama shape, seq 2048, bf16, CUDA
    python -m tunesmith_trainer.bench --device cpu --tiny   # smoke run (tests)

Model: Llama-3.2-1B shape (hidden 2048, 16 layers, GQA 32/8, vocab 128256) with random weights; data:
random word sequences of 256..2048 tokens (text format). Baseline: transformers Trainer + PEFT
LoraConfig defaults (r=8, q_proj/v_proj), DataCollatorForLanguageModeling padding each batch, no
packing. Ours: the tunesmith recipe (LoRA all-linear r=16, best-fit-decreasing packing without padding).
Both process the same number of rows per step. Tokens/s counts real (non-padding) tokens after warm-up
steps; MFU uses the PaLM convention (6N + 12*L*h*s FLOPs per token) for both runs so they compare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PEAK_BF16_FLOPS = {"H100": 989e12, "H200": 989e12, "A100": 312e12, "L40S": 362e12, "L4": 121e12, "A10": 125e12,
                   "4090": 165e12, "3090": 71e12}
SHAPES = {
    "1b": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
               num_key_value_heads=8, vocab_size=128256),
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=256),
}


def build(directory: Path, shape: str, seq: int, rows: int, seed: int = 0) -> tuple[Path, Path]:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    dims = SHAPES[shape]
    words = [f"w{i}" for i in range(dims["vocab_size"] - 3)]
    vocab = {t: i for i, t in enumerate(["<pad>", "<s>", "</s>"] + words)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<pad>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<s>", eos_token="</s>", pad_token="<pad>")
    model_dir = directory / "model"
    tok.save_pretrained(model_dir)
    config = LlamaConfig(**dims, max_position_embeddings=max(seq, 256), tie_word_embeddings=False,
                         bos_token_id=1, eos_token_id=2, pad_token_id=0)
    torch.manual_seed(seed)
    with torch.device("cuda" if torch.cuda.is_available() and shape != "tiny" else "cpu"):
        model = LlamaForCausalLM(config).to(torch.bfloat16 if shape != "tiny" else torch.float32)
    model.save_pretrained(model_dir)
    del model
    rng = random.Random(seed)
    data = directory / "train.jsonl"
    with data.open("w", encoding="utf-8") as handle:
        for _ in range(rows):
            n = rng.randint(seq // 8, seq - 2)
            handle.write(json.dumps({"text": " ".join(rng.choice(words) for _ in range(n))}) + "\n")
    return model_dir, data


class TokenMeter:
    """Wraps a collator to count real tokens, and a callback to time the steps after warm-up."""

    def __init__(self, collator: Any, warmup: int):
        from transformers import TrainerCallback

        self.collator, self.warmup, self.tokens, self.start_tokens = collator, warmup, 0, 0
        self.start = self.end = 0.0
        meter = self

        class _Cb(TrainerCallback):
            def on_step_begin(self, args, state, control, **kw):
                if state.global_step == meter.warmup:
                    _sync()
                    meter.start, meter.start_tokens = time.perf_counter(), meter.tokens_before_step

            def on_step_end(self, args, state, control, **kw):
                meter.tokens_before_step = meter.tokens
                _sync()
                meter.end = time.perf_counter()

        self.callback = _Cb()
        self.tokens_before_step = 0

    def __call__(self, features: list[dict]) -> dict:
        batch = self.collator(features)
        mask = batch.get("attention_mask")
        self.tokens += int(mask.sum()) if mask is not None else int(batch["input_ids"].numel())
        return batch

    def tokens_per_second(self) -> float:
        return (self.tokens_before_step - self.start_tokens) / max(self.end - self.start, 1e-9)


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _peak_reset() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def _peak() -> int | None:
    import torch

    return int(torch.cuda.max_memory_allocated()) if torch.cuda.is_available() else None


def run_ours(work: Path, model_dir: Path, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    from .config import parse_config
    from .events import EventWriter
    from .recipe import TrainRecipe

    config = parse_config({
        "model": {"path": str(model_dir)},
        "data": {"train": str(data), "max_length": args.seq, "packing": True},
        "method": {"type": "lora", "lora": {"r": 16, "alpha": 32}},
        "training": {"max_steps": args.steps, "batch_size": args.batch, "learning_rate": 1e-4, "logging_steps": 1000,
                     "save_steps": 100000, "gradient_checkpointing": args.checkpointing},
        "hardware": {"device": args.device},
        "output": {"dir": str(work / "ours")},
    })
    _peak_reset()
    recipe = TrainRecipe(config, EventWriter(None, stream=None))
    recipe.setup()
    meter = TokenMeter(recipe.trainer.data_collator, args.warmup)
    recipe.trainer.data_collator = meter
    recipe.trainer.add_callback(meter.callback)
    recipe.trainer.train()
    result = {"tokens_per_second": meter.tokens_per_second(), "peak_memory_bytes": _peak(),
              "trainable_parameters": recipe.parameters["trainable"]}
    del recipe
    return result


def run_baseline(work: Path, model_dir: Path, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from datasets import load_dataset
    from peft import LoraConfig, get_peft_model
    from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling, Trainer,
                              TrainingArguments)

    _peak_reset()
    tok = AutoTokenizer.from_pretrained(model_dir)
    dtype = torch.bfloat16 if args.device == "cuda" else torch.float32
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype), LoraConfig(task_type="CAUSAL_LM"))
    ds = load_dataset("json", data_files=str(data), split="train")
    ds = ds.map(lambda b: tok(b["text"], truncation=True, max_length=args.seq), batched=True, remove_columns=["text"])
    meter = TokenMeter(DataCollatorForLanguageModeling(tok, mlm=False), args.warmup)
    targs = TrainingArguments(output_dir=str(work / "baseline"), per_device_train_batch_size=args.batch, max_steps=args.steps,
                              learning_rate=1e-4, bf16=args.device == "cuda", use_cpu=args.device == "cpu",
                              report_to="none", save_strategy="no", logging_steps=1000, disable_tqdm=True,
                              activation_checkpointing=args.checkpointing)
    trainer = Trainer(model=model, args=targs, train_dataset=ds, data_collator=meter, callbacks=[meter.callback])
    trainer.train()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    result = {"tokens_per_second": meter.tokens_per_second(), "peak_memory_bytes": _peak(), "trainable_parameters": trainable}
    del trainer, model
    return result


def bench_generation(model_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .evaluate import generate

    tok = AutoTokenizer.from_pretrained(model_dir)
    dtype = torch.bfloat16 if args.device == "cuda" else torch.float32
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype).to(args.device).eval()
    model.generation_config.eos_token_id = None  # every prompt generates exactly max_new_tokens
    rng = random.Random(1)
    prompts = [" ".join(f"w{rng.randrange(100)}" for _ in range(rng.randint(16, 64))) for _ in range(args.prompts)]
    timings = {}
    for name, batch in (("one_at_a_time", 1), ("batched", args.gen_batch)):
        _sync()
        start = time.perf_counter()
        generate(model, tok, prompts, batch_size=batch, max_new_tokens=args.new_tokens)
        _sync()
        timings[name] = args.prompts * args.new_tokens / (time.perf_counter() - start)
    return {"new_tokens_per_second": timings, "speedup": timings["batched"] / timings["one_at_a_time"],
            "prompts": args.prompts, "batch_size": args.gen_batch, "max_new_tokens": args.new_tokens}


def mfu(tokens_per_second: float, params: int, shape: dict[str, int], seq: int, gpu: str | None) -> float | None:
    peak = next((v for k, v in PEAK_BF16_FLOPS.items() if gpu and k in gpu), None)
    if peak is None:
        return None
    flops = 6 * params + 12 * shape["num_hidden_layers"] * shape["hidden_size"] * seq
    return tokens_per_second * flops / peak


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import torch

    parser = argparse.ArgumentParser(prog="python -m tunesmith_trainer.bench")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--tiny", action="store_true", help="tiny model, few steps: a smoke test")
    parser.add_argument("--seq", type=int)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--rows", type=int)
    parser.add_argument("--checkpointing", action="store_true")
    parser.add_argument("--prompts", type=int)
    parser.add_argument("--gen-batch", type=int, default=16)
    parser.add_argument("--new-tokens", type=int)
    parser.add_argument("--out", help="also write the result JSON here")
    args = parser.parse_args(argv)
    tiny = args.tiny
    defaults = dict(seq=64 if tiny else 2048, batch=2 if tiny else 4, steps=6 if tiny else 30, warmup=2 if tiny else 5,
                    rows=64 if tiny else 600, prompts=8 if tiny else 64, new_tokens=8 if tiny else 128)
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("no CUDA GPU: use --device cpu --tiny for a smoke run")
    shape = "tiny" if tiny else "1b"
    gpu = torch.cuda.get_device_name(0) if args.device == "cuda" else None
    with tempfile.TemporaryDirectory(prefix="tunesmith-bench-") as tmp:
        work = Path(tmp)
        model_dir, data = build(work, shape, args.seq, args.rows)
        from transformers import AutoConfig

        params = AutoConfig.from_pretrained(model_dir)
        n_params = sum(p.numel() for p in __import__("safetensors.torch", fromlist=["load_file"]).load_file(
            str(model_dir / "model.safetensors")).values()) if tiny else None
        # Trainer prints its own log dicts; stdout is kept for the result JSON.
        with contextlib.redirect_stdout(sys.stderr):
            baseline = run_baseline(work, model_dir, data, args)
            ours = run_ours(work, model_dir, data, args)
            generation = bench_generation(model_dir, args)
    if n_params is None:
        d = SHAPES[shape]
        kv = d["num_key_value_heads"] * d["hidden_size"] // d["num_attention_heads"]
        per_layer = 2 * d["hidden_size"] ** 2 + 2 * d["hidden_size"] * kv + 3 * d["hidden_size"] * d["intermediate_size"]
        n_params = d["num_hidden_layers"] * per_layer + 2 * d["vocab_size"] * d["hidden_size"]
    for run in (baseline, ours):
        run["mfu"] = mfu(run["tokens_per_second"], n_params, SHAPES[shape], args.seq, gpu)
    result = {
        "device": args.device, "gpu": gpu, "torch": torch.__version__, "shape": shape, "parameters": n_params,
        "seq": args.seq, "batch": args.batch, "steps": args.steps, "warmup": args.warmup,
        "gradient_checkpointing": args.checkpointing, "hidden_size": params.hidden_size,
        "baseline": baseline, "ours": ours,
        "speedup": ours["tokens_per_second"] / max(baseline["tokens_per_second"], 1e-9),
        "generation": generation,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
