"""How much GPU memory a run needs, from the model's config and the run config alone (the model is
built on the meta device, so nothing is loaded), against the memory the GPU has free.

Terms: weights at their dtype (4-bit NF4 for QLoRA linears), trainable parameters with their
gradients and AdamW states, activations at batch x max_length with and without gradient
checkpointing, and the logits the loss needs. Activation counts follow Korthikanti et al. 2022
("Reducing Activation Recomputation") adapted to Llama blocks with SDPA attention (no s^2 term)."""

from __future__ import annotations

from typing import Any

from .config import RunConfig
from . import methods
from . import model as model_mod
from .methods import TuningMethod

GIB = 1024**3
DTYPE_BYTES = {"bf16": 2, "fp16": 2, "fp32": 4}


def _meta_model(config: RunConfig) -> Any:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    path = model_mod.resolve_model_path(config.model.path)
    model_config = AutoConfig.from_pretrained(path, local_files_only=True, trust_remote_code=config.model.trust_remote_code)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(model_config, trust_remote_code=config.model.trust_remote_code)
    return model, model_config


def _precision(config: RunConfig, device: dict[str, Any]) -> str:
    if config.training.precision != "auto":
        return config.training.precision
    if device["type"] != "cuda":
        return "fp32"
    return "bf16" if device.get("bf16", True) else "fp16"


def _device() -> dict[str, Any]:
    import torch

    if torch.cuda.is_available():
        free, total = torch.cuda.mem_get_info()
        return {"type": "cuda", "name": torch.cuda.get_device_name(0), "free_bytes": free, "total_bytes": total,
                "bf16": torch.cuda.is_bf16_supported()}
    available = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"type": "cpu", "name": None, "free_bytes": available, "total_bytes": None}


def breakdown(config: RunConfig, model: Any, model_config: Any, precision: str, *, batch: int, length: int,
              checkpointing: bool, method: TuningMethod) -> dict[str, int]:
    act = DTYPE_BYTES[precision]
    weight_bytes = DTYPE_BYTES[config.model.dtype] if config.model.dtype != "auto" else act
    if precision == "fp16" and method.trains_base_weights:
        weight_bytes = 4
    total = sum(p.numel() for p in model.parameters())
    trainable = method.trainable_parameters(config, model, model_config)
    # Trained base weights keep their dtype; an adapter trains in fp32 beside the base.
    trainable_bytes = weight_bytes if method.trains_base_weights else 4
    weights = method.weight_bytes(config, model, weight_bytes, act)
    weights += trainable * trainable_bytes if method.adds_parameters else 0

    h = model_config.hidden_size
    i = getattr(model_config, "intermediate_size", 4 * h)
    heads = model_config.num_attention_heads
    kv = getattr(model_config, "num_key_value_heads", heads) * (h // heads)
    layers = model_config.num_hidden_layers
    vocab = model_config.vocab_size
    tokens = batch * length
    # Saved per token per layer: norm inputs (fp32 upcast), q/k/v, attention output, MLP gate/up/act/product.
    per_layer = (10 * h + 2 * kv + 4 * i) * act + 4 * h * 4
    per_layer += method.activation_bytes_per_layer(config, model, layers, act)
    activations = tokens * (per_layer * (1 if checkpointing else layers) + (h * act * layers if checkpointing else 0))
    # Logits in the compute dtype, their fp32 upcast for the loss and its gradient.
    logits = tokens * vocab * (act + 8)
    grads = trainable * trainable_bytes
    optimizer = trainable * trainable_bytes * 2
    return {
        "parameters": total,
        "trainable_parameters": trainable,
        "weights": weights,
        "gradients": grads,
        "optimizer": optimizer,
        "activations": activations,
        "logits": logits,
        "total": weights + grads + optimizer + activations + logits,
    }


def estimate(config: RunConfig) -> dict[str, Any]:
    device = _device()
    precision = _precision(config, device)
    model, model_config = _meta_model(config)
    t, method = config.training, methods.method_for(config)
    kw = {"batch": t.batch_size, "length": config.data.max_length, "method": method}
    chosen = breakdown(config, model, model_config, precision, checkpointing=t.gradient_checkpointing, **kw)
    with_ckpt = breakdown(config, model, model_config, precision, checkpointing=True, **kw)
    without_ckpt = breakdown(config, model, model_config, precision, checkpointing=False, **kw)
    free = device["free_bytes"]
    fits = None if free is None else chosen["total"] <= free * 0.95
    suggestions: list[dict[str, Any]] = []
    if fits is False:
        options = []
        if not t.gradient_checkpointing:
            options.append(("set training.gradient_checkpointing to true", with_ckpt["total"]))
        if t.batch_size > 1:
            half = breakdown(config, model, model_config, precision, checkpointing=t.gradient_checkpointing,
                             batch=max(1, t.batch_size // 2), length=config.data.max_length, method=method)
            options.append((f"halve training.batch_size to {max(1, t.batch_size // 2)} and double "
                            "training.gradient_accumulation (same effective batch)", half["total"]))
        lighter = methods.method_named(method.lighter) if method.lighter else None
        if lighter is not None and (device["type"] == "cuda" or not lighter.needs_cuda):
            lo = breakdown(config, model, model_config, precision, checkpointing=t.gradient_checkpointing,
                           batch=t.batch_size, length=config.data.max_length, method=lighter)
            options.append((f"use method {lighter.name}" + (" (4-bit base weights)" if lighter.needs_cuda else ""),
                            lo["total"]))
        if config.data.max_length > 256:
            sh = breakdown(config, model, model_config, precision, checkpointing=t.gradient_checkpointing,
                           batch=t.batch_size, length=config.data.max_length // 2, method=method)
            options.append((f"shorten data.max_length to {config.data.max_length // 2}", sh["total"]))
        suggestions = [{"change": c, "total_bytes": b, "fits": b <= free * 0.95} for c, b in sorted(options, key=lambda o: o[1])]
    return {
        "device": {k: v for k, v in device.items() if k != "bf16"},
        "precision": precision,
        "method": method.name,
        "batch_size": t.batch_size,
        "max_length": config.data.max_length,
        "bytes": chosen,
        "activations_with_checkpointing": with_ckpt["activations"],
        "activations_without_checkpointing": without_ckpt["activations"],
        "total_gib": round(chosen["total"] / GIB, 3),
        "free_gib": None if free is None else round(free / GIB, 3),
        "fits": fits,
        "suggestions": suggestions,
        "note": "Peak tensor memory as torch counts it; the CUDA context adds about 0.5 GiB more.",
    }
