"""Loading the base model locally and applying the tuning method (LoRA, QLoRA, partial, full, prompt
tuning). Nothing here downloads: a model must be a local directory or already in the local cache."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import RunConfig
from .errors import TrainerError

PARTIAL_MANIFEST = "manifest.json"
PARTIAL_WEIGHTS = "trained.safetensors"


@dataclass
class Hardware:
    device: str  # cuda | cpu
    count: int
    name: str | None
    precision: str  # bf16 | fp16 | fp32


def detect_hardware(config: RunConfig) -> Hardware:
    import torch

    wanted = config.hardware.device
    cuda = torch.cuda.is_available()
    if wanted == "cuda" and not cuda:
        raise TrainerError(
            "environment",
            "hardware.device is cuda but torch sees no CUDA GPU",
            "Run `python -m tunesmith_trainer doctor`; install a CUDA build of torch or set hardware.device to cpu.",
        )
    device = "cuda" if cuda and wanted != "cpu" else "cpu"
    precision = config.training.precision
    if device == "cpu" and precision in ("bf16", "fp16"):
        raise TrainerError("config", f"{precision} training needs a GPU here", "Set training.precision to auto or fp32.")
    if device == "cuda":
        bf16_ok = torch.cuda.is_bf16_supported()
        if precision == "bf16" and not bf16_ok:
            raise TrainerError("config", "this GPU does not support bf16", "Set training.precision to fp16 or auto.")
        if precision == "auto":
            precision = "bf16" if bf16_ok else "fp16"
    elif precision == "auto":
        precision = "fp32"
    name = torch.cuda.get_device_name(0) if device == "cuda" else None
    count = torch.cuda.device_count() if device == "cuda" else 1
    return Hardware(device, count, name, precision)


def resolve_model_path(path: str) -> str:
    if Path(path).is_dir():
        if not (Path(path) / "config.json").is_file():
            raise TrainerError(
                "config", f"{path} has no config.json", "Point model.path at a Hugging Face model directory."
            )
        return path
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(path, local_files_only=True)
    except Exception:
        raise TrainerError(
            "environment",
            f"model {path!r} is neither a local directory nor in the local Hugging Face cache",
            f"Download it yourself first (`hf download {path}`) or give the path of a model directory; "
            "tunesmith never downloads models silently.",
        )


def load_tokenizer(config: RunConfig) -> Any:
    from transformers import AutoTokenizer

    path = resolve_model_path(config.model.path)
    tokenizer = AutoTokenizer.from_pretrained(
        path, local_files_only=True, trust_remote_code=config.model.trust_remote_code
    )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def weight_dtype(config: RunConfig, hw: Hardware) -> Any:
    import torch

    if config.model.dtype != "auto":
        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[config.model.dtype]
    # Trained weights stay fp32 under fp16 autocast: GradScaler cannot unscale fp16 gradients.
    if hw.precision == "fp16" and config.method.type in ("full", "partial"):
        return torch.float32
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[hw.precision]


def _bnb_config(config: RunConfig, hw: Hardware) -> Any:
    import importlib.util

    import torch
    from transformers import BitsAndBytesConfig

    if hw.device != "cuda":
        raise TrainerError(
            "environment", "QLoRA needs a CUDA GPU", "Use method lora (or partial) on this machine, or run on a GPU."
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise TrainerError(
            "environment",
            "QLoRA needs the bitsandbytes package, which is not installed",
            "pip install bitsandbytes (or `pip install tunesmith-trainer[qlora]`) in the trainer's environment.",
        )
    q = config.method.qlora
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=q.get("quant_type", "nf4"),
        bnb_4bit_use_double_quant=q.get("double_quant", True),
        bnb_4bit_compute_dtype=torch.bfloat16 if hw.precision == "bf16" else torch.float16,
    )


def load_base_model(config: RunConfig, hw: Hardware, *, for_training: bool = True) -> Any:
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {
        "local_files_only": True,
        "trust_remote_code": config.model.trust_remote_code,
        "dtype": weight_dtype(config, hw),
    }
    if config.model.attn_implementation != "auto":
        kwargs["attn_implementation"] = config.model.attn_implementation
    if config.method.type == "qlora" and for_training:
        kwargs["quantization_config"] = _bnb_config(config, hw)
    return AutoModelForCausalLM.from_pretrained(resolve_model_path(config.model.path), **kwargs)


def decoder_layers(model: Any) -> tuple[str, list[Any]]:
    """The name prefix and list of the transformer blocks (model.layers for Llama-like models)."""
    import torch

    best: tuple[str, list[Any]] | None = None
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) > 0 and (best is None or len(module) > len(best[1])):
            best = (name, list(module))
    if best is None:
        raise TrainerError("config", "cannot find the decoder layers of this model", "Use method lora or full.")
    return best


def partial_trainable_names(model: Any, layers: int, modules: list[str]) -> list[str]:
    prefix, blocks = decoder_layers(model)
    chosen = range(len(blocks))[-layers:] if layers > 0 else range(len(blocks))[: -layers] if layers < 0 else []
    prefixes = [f"{prefix}.{i}." for i in chosen]
    names = [n for n, _ in model.named_parameters()]
    for module in modules:
        hits = [n for n in names if n.startswith(module + ".") or f".{module}." in f".{n}"]
        if not hits:
            raise TrainerError(
                "config",
                f"method.partial.modules: no module named {module!r} in this model",
                "Use a module name from the model, e.g. lm_head or model.norm.",
            )
        prefixes.extend(n for n in hits)
    return [n for n in names if any(n.startswith(p) or n == p for p in prefixes)]


def apply_method(model: Any, config: RunConfig, hw: Hardware) -> Any:
    method = config.method.type
    if method in ("lora", "qlora"):
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

        if method == "qlora":
            model = prepare_model_for_kbit_training(
                model, use_gradient_checkpointing=config.training.gradient_checkpointing
            )
        lora = config.method.lora
        targets = lora.get("target_modules", "all-linear")
        peft_config = LoraConfig(
            task_type="CAUSAL_LM",
            r=lora.get("r", 16),
            lora_alpha=lora.get("alpha", 32),
            lora_dropout=lora.get("dropout", 0.0),
            target_modules=targets,
            use_rslora=lora.get("rslora", False),
            use_dora=lora.get("dora", False),
        )
        try:
            return get_peft_model(model, peft_config)
        except ValueError as exc:
            raise TrainerError("config", f"method.lora: {exc}", "Check target_modules against the model's module names.")
    if method == "prompt_tuning":
        from peft import PromptTuningConfig, PromptTuningInit, get_peft_model

        pt = config.method.prompt_tuning
        init_text = pt.get("init_text")
        peft_config = PromptTuningConfig(
            task_type="CAUSAL_LM",
            num_virtual_tokens=pt.get("num_virtual_tokens", 20),
            prompt_tuning_init=PromptTuningInit.TEXT if init_text else PromptTuningInit.RANDOM,
            prompt_tuning_init_text=init_text,
            tokenizer_name_or_path=resolve_model_path(config.model.path) if init_text else None,
        )
        return get_peft_model(model, peft_config)
    if method == "partial":
        part = config.method.partial
        trainable = set(partial_trainable_names(model, part.get("layers", 2), part.get("modules", [])))
        if not trainable:
            raise TrainerError("config", "method.partial selects no parameters", "Set layers to a non-zero N or name modules.")
        for name, param in model.named_parameters():
            param.requires_grad_(name in trainable)
        return model
    for param in model.parameters():
        param.requires_grad_(True)
    return model


def parameter_counts(model: Any) -> dict[str, int]:
    total = trainable = 0
    for param in model.parameters():
        n = param.numel()
        # bitsandbytes stores two 4-bit values per byte; count the logical parameters.
        if param.__class__.__name__ == "Params4bit":
            n *= 2
        total += n
        trainable += n if param.requires_grad else 0
    return {"total": total, "trainable": trainable}


def save_partial(model: Any, directory: Path, config: RunConfig) -> Path:
    """Saves only the trained tensors and a manifest naming them and the base model."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    tensors = {n: p.detach().to("cpu").contiguous() for n, p in model.named_parameters() if p.requires_grad}
    save_file(tensors, str(directory / PARTIAL_WEIGHTS))
    manifest = {
        "format": "tunesmith-partial",
        "version": 1,
        "base_model": config.model.path,
        "layers": config.method.partial.get("layers", 2),
        "modules": config.method.partial.get("modules", []),
        "tensors": sorted(tensors),
        "parameters": sum(t.numel() for t in tensors.values()),
    }
    (directory / PARTIAL_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return directory


def load_tuned(base: Any, result_dir: Path) -> Any:
    """The tuned model from a run's result: a PEFT adapter, partial tensors, or a full model directory."""
    if (result_dir / "adapter_config.json").is_file():
        from peft import PeftModel

        return PeftModel.from_pretrained(base, str(result_dir))
    if (result_dir / PARTIAL_MANIFEST).is_file():
        from safetensors.torch import load_file

        tensors = load_file(str(result_dir / PARTIAL_WEIGHTS))
        missing = set(tensors) - {n for n, _ in base.named_parameters()}
        if missing:
            raise TrainerError("config", f"partial weights do not fit this base model: {sorted(missing)[:3]}")
        base.load_state_dict(tensors, strict=False)
        return base
    if (result_dir / "config.json").is_file():
        from transformers import AutoModelForCausalLM

        # A full fine-tune replaces every weight: the base only lends its dtype.
        return AutoModelForCausalLM.from_pretrained(str(result_dir), local_files_only=True, dtype=base.dtype)
    raise TrainerError(
        "config", f"{result_dir} holds no adapter, partial weights or model", "Pass the run's result directory."
    )
