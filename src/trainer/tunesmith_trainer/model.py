"""Loading the base model and tokenizer locally, for the hardware the run has (each tuning method's own
steps are in methods.py). Nothing here downloads: a model must be a local directory or already in the local cache."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import RunConfig
from .errors import TrainerError
from .methods import method_for


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
    if hw.precision == "fp16" and method_for(config).trains_base_weights:
        return torch.float32
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[hw.precision]


def load_base_model(config: RunConfig, hw: Hardware, *, for_training: bool = True) -> Any:
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {
        "local_files_only": True,
        "trust_remote_code": config.model.trust_remote_code,
        "dtype": weight_dtype(config, hw),
    }
    if config.model.attn_implementation != "auto":
        kwargs["attn_implementation"] = config.model.attn_implementation
    quantization = method_for(config).quantization_config(config, hw) if for_training else None
    if quantization is not None:
        kwargs["quantization_config"] = quantization
    return AutoModelForCausalLM.from_pretrained(resolve_model_path(config.model.path), **kwargs)


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
