"""How much GPU memory a run needs, from the model's config and the run config alone (the model is
built on the meta device, so nothing is loaded), against the memory the GPU has free.

Terms: weights at their dtype (4-bit NF4 for QLoRA linears), trainable parameters with their
gradients and AdamW states, activations at batch x max_length with and without gradient
checkpointing, and the logits the loss needs. Activation counts follow Korthikanti et al. 2022
("Reducing Activation Recomputation") adapted to Llama blocks with SDPA attention (no s^2 term)."""

from __future__ import annotations

from typing import Any

from .config import RunConfig
from . import model as model_mod

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


def _linears(model: Any) -> list[tuple[str, Any]]:
    import torch

    return [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]


def _is_target(name: str, targets: Any, output_name: str) -> bool:
    if targets == "all-linear":
        return not name.endswith(output_name)
    return any(name == t or name.endswith("." + t) for t in targets)


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
              checkpointing: bool, method: str) -> dict[str, int]:
    act = DTYPE_BYTES[precision]
    weight_bytes = DTYPE_BYTES[config.model.dtype] if config.model.dtype != "auto" else act
    if precision == "fp16" and method in ("full", "partial"):
        weight_bytes = 4
    output_name = "lm_head"
    linears = _linears(model)
    total = sum(p.numel() for p in model.parameters())
    lora = config.method.lora
    trainable, trainable_bytes = 0, 4
    if method in ("lora", "qlora"):
        targets = lora.get("target_modules", "all-linear")
        for name, m in linears:
            if _is_target(name, targets, output_name):
                trainable += lora.get("r", 16) * (m.in_features + m.out_features)
                trainable += m.out_features if lora.get("dora") else 0
    elif method == "prompt_tuning":
        trainable = config.method.prompt_tuning.get("num_virtual_tokens", 20) * model_config.hidden_size
    elif method == "partial":
        names = set(model_mod.partial_trainable_names(
            model, config.method.partial.get("layers", 2), config.method.partial.get("modules", [])))
        trainable = sum(p.numel() for n, p in model.named_parameters() if n in names)
        trainable_bytes = weight_bytes
    else:
        trainable, trainable_bytes = total, weight_bytes
    if method == "qlora":
        quantized = sum(m.weight.numel() for n, m in linears if not n.endswith(output_name))
        # NF4: 0.5 byte per weight, plus one fp32 absmax per 64 weights (double quantisation: 8-bit + fp32 per 256).
        per_weight = 0.5 + (1 / 64 + 4 / (64 * 256) if config.method.qlora.get("double_quant", True) else 4 / 64)
        weights = int(quantized * per_weight + (total - quantized) * act)
    else:
        weights = total * weight_bytes
    weights += trainable * trainable_bytes if method in ("lora", "qlora", "prompt_tuning") else 0

    h = model_config.hidden_size
    i = getattr(model_config, "intermediate_size", 4 * h)
    heads = model_config.num_attention_heads
    kv = getattr(model_config, "num_key_value_heads", heads) * (h // heads)
    layers = model_config.num_hidden_layers
    vocab = model_config.vocab_size
    tokens = batch * length
    # Saved per token per layer: norm inputs (fp32 upcast), q/k/v, attention output, MLP gate/up/act/product.
    per_layer = (10 * h + 2 * kv + 4 * i) * act + 4 * h * 4
    if method in ("lora", "qlora") and lora.get("dropout", 0) > 0:
        per_layer += sum(m.in_features for n, m in linears if _is_target(n, lora.get("target_modules", "all-linear"), output_name)) // layers * act
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
    t, method = config.training, config.method.type
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
        if method == "lora" and device["type"] == "cuda":
            q = breakdown(config, model, model_config, precision, checkpointing=t.gradient_checkpointing, batch=t.batch_size,
                          length=config.data.max_length, method="qlora")
            options.append(("use method qlora (4-bit base weights)", q["total"]))
        if method in ("full", "partial"):
            lo = breakdown(config, model, model_config, precision, checkpointing=t.gradient_checkpointing,
                           batch=t.batch_size, length=config.data.max_length, method="lora")
            options.append(("use method lora", lo["total"]))
        if config.data.max_length > 256:
            sh = breakdown(config, model, model_config, precision, checkpointing=t.gradient_checkpointing,
                           batch=t.batch_size, length=config.data.max_length // 2, method=method)
            options.append((f"shorten data.max_length to {config.data.max_length // 2}", sh["total"]))
        suggestions = [{"change": c, "total_bytes": b, "fits": b <= free * 0.95} for c, b in sorted(options, key=lambda o: o[1])]
    return {
        "device": {k: v for k, v in device.items() if k != "bf16"},
        "precision": precision,
        "method": method,
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
