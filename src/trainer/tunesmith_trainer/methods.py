"""The fine-tuning methods: one class each for what differs between them (how the model is prepared,
what is saved, what the memory estimate counts, how a result is loaded back), behind ``TuningMethod``,
found by the run config's ``method.type`` with ``method_for``. No other module branches on a method's
name (tests/test_methods.py checks). Every setting is read from the validated config, whose defaults come
from schemas/run-config.schema.json alone."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import TrainerError

if TYPE_CHECKING:
    from .config import RunConfig
    from .model import Hardware

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
PARTIAL_MANIFEST = "manifest.json"
PARTIAL_WEIGHTS = "trained.safetensors"
OUTPUT_LAYER = "lm_head"


def save_pretrained(model: Any, tokenizer: Any, folder: Path) -> None:
    """A model (or adapter) and its tokenizer as Hugging Face folders load them."""
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))


def _unusable(message: str, file: Path, hint: str = "Re-run the training, or evaluate another checkpoint.") -> Any:
    raise TrainerError("config", message, hint, file=str(file))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return _unusable(f"{path} cannot be read: {exc}", path)


def _open_safetensors(path: Path) -> list[str]:
    from safetensors import safe_open

    try:
        with safe_open(str(path), "pt") as handle:  # validates the header against the file's size
            return list(handle.keys())
    except Exception as exc:  # noqa: BLE001 - SafetensorError and OSError alike mean an unusable file
        return _unusable(f"{path} is damaged or incomplete: {exc}", path)


def _checked_model_folder(directory: Path, absent: str) -> list[str]:
    """The tensor names of a Hugging Face model folder (``save_pretrained``'s, or a Trainer checkpoint's),
    after checking that its config and every weight file named by its index are whole; ``absent`` is the
    message when it holds no model at all."""
    if not (directory / "config.json").is_file():
        _unusable(absent, directory, "Pass the run's result directory or one of its checkpoints.")
    _read_json(directory / "config.json")
    index = directory / "model.safetensors.index.json"
    files = sorted(set(_read_json(index)["weight_map"].values())) if index.is_file() else ["model.safetensors"]
    names: list[str] = []
    for name in files:
        if not (directory / name).is_file():
            _unusable(f"{directory} has no {name}", directory, "The model was not saved completely: re-run the training.")
        names.extend(_open_safetensors(directory / name))
    return names


def _is_target(name: str, targets: Any) -> bool:
    if targets == "all-linear":
        return not name.endswith(OUTPUT_LAYER)
    return any(name == t or name.endswith("." + t) for t in targets)


class TuningMethod(ABC):
    name: str
    result_name: str
    """The folder of ``<run>`` the trained result is saved in."""
    trains_base_weights = False
    """True when the base model's own weights get gradients (kept fp32 under fp16 autocast)."""
    adds_parameters = False
    """True when training adds parameters (an adapter) beside the frozen base."""
    can_merge = False
    supports_packing = True
    needs_cuda = False
    lighter: str | None = None
    """The method ``estimate`` suggests when this one does not fit."""

    def check_environment(self, device: str) -> None:
        """Raises when this method cannot run on ``device`` (cuda | cpu) with the packages installed; called
        as soon as the device is known, before any data is read, model loaded or rank launched."""

    def quantization_config(self, config: RunConfig, hw: Hardware) -> Any:
        """``from_pretrained``'s quantization_config for training, or None."""
        return None

    @abstractmethod
    def prepare(self, model: Any, config: RunConfig, hw: Hardware) -> Any:
        """The base model made ready to train: an adapter added or the untrained weights frozen."""

    def save(self, model: Any, tokenizer: Any, config: RunConfig, folder: Path) -> None:
        save_pretrained(model, tokenizer, folder)

    def save_merged(self, model: Any, tokenizer: Any, folder: Path) -> None:
        """The trained model as one plain Hugging Face model (``output.merge``, for a method that can_merge)."""
        raise TrainerError("config", f"output.merge does not apply to {self.name}", "Set output.merge to false.")

    @abstractmethod
    def check_saved(self, directory: Path) -> list[str]:
        """Checks, before any model is loaded, that ``directory`` (the result ``save`` wrote, or one of the
        run's checkpoints) holds whole files of the kind ``load`` reads; returns the tensor names in them."""

    def check_fits(self, base: Any, directory: Path, tensor_names: list[str]) -> None:
        """Checks that what ``directory`` holds can be loaded onto ``base`` (before anything is generated)."""

    @abstractmethod
    def load(self, base: Any, directory: Path) -> Any:
        """The tuned model from a result or checkpoint folder this method wrote, on top of ``base``."""

    @abstractmethod
    def trainable_parameters(self, config: RunConfig, model: Any, model_config: Any) -> int:
        """How many parameters train, counted on a model built on the meta device (for ``estimate``)."""

    def weight_bytes(self, config: RunConfig, model: Any, weight_bytes: int, compute_bytes: int) -> int:
        """The base model's weights in memory."""
        return sum(p.numel() for p in model.parameters()) * weight_bytes

    def activation_bytes_per_layer(self, config: RunConfig, model: Any, layers: int, compute_bytes: int) -> int:
        """Activations saved per token per layer beyond the base model's."""
        return 0


def _linears(model: Any) -> list[tuple[str, Any]]:
    import torch

    return [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]


class PeftAdapter(TuningMethod):
    """A method that trains a PEFT adapter beside the frozen base and saves only the adapter."""

    result_name = "adapter"
    adds_parameters = True

    @abstractmethod
    def peft_config(self, config: RunConfig) -> Any:
        """The PEFT config built from the run config's section for this method."""

    def prepare(self, model: Any, config: RunConfig, hw: Hardware) -> Any:
        from peft import get_peft_model

        return get_peft_model(model, self.peft_config(config))

    def check_saved(self, directory: Path) -> list[str]:
        # save_pretrained of a PeftModel and the Trainer's checkpoints of one write the same two files.
        if not (directory / ADAPTER_CONFIG).is_file():
            _unusable(f"{directory} holds no adapter ({ADAPTER_CONFIG}), which a {self.name} run saves",
                      directory, "Pass the run's result directory or one of its checkpoints.")
        _read_json(directory / ADAPTER_CONFIG)
        weights = directory / ADAPTER_WEIGHTS
        if not weights.is_file():
            _unusable(f"{directory} has an {ADAPTER_CONFIG} but no {ADAPTER_WEIGHTS}", directory,
                      "The adapter was not saved completely: re-run the training or evaluate another checkpoint.")
        return _open_safetensors(weights)

    def load(self, base: Any, directory: Path) -> Any:
        from peft import PeftModel

        return PeftModel.from_pretrained(base, str(directory))


class LoRA(PeftAdapter):
    name = "lora"
    can_merge = True
    lighter = "qlora"

    def peft_config(self, config: RunConfig) -> Any:
        from peft import LoraConfig

        lora = config.method.lora
        return LoraConfig(
            task_type="CAUSAL_LM",
            r=lora["r"],
            lora_alpha=lora["alpha"],
            lora_dropout=lora["dropout"],
            target_modules=lora["target_modules"],
            use_rslora=lora["rslora"],
            use_dora=lora["dora"],
        )

    def save_merged(self, model: Any, tokenizer: Any, folder: Path) -> None:
        save_pretrained(model.merge_and_unload(), tokenizer, folder)

    def prepare(self, model: Any, config: RunConfig, hw: Hardware) -> Any:
        try:
            return super().prepare(model, config, hw)
        except ValueError as exc:
            raise TrainerError("config", f"method.lora: {exc}", "Check target_modules against the model's module names.")

    def trainable_parameters(self, config: RunConfig, model: Any, model_config: Any) -> int:
        lora = config.method.lora
        trainable = 0
        for name, m in _linears(model):
            if _is_target(name, lora["target_modules"]):
                trainable += lora["r"] * (m.in_features + m.out_features) + (m.out_features if lora["dora"] else 0)
        return trainable

    def activation_bytes_per_layer(self, config: RunConfig, model: Any, layers: int, compute_bytes: int) -> int:
        lora = config.method.lora
        if lora["dropout"] <= 0:
            return 0
        # Each adapted linear's dropout output is saved for the adapter's backward pass.
        inputs = sum(m.in_features for n, m in _linears(model) if _is_target(n, lora["target_modules"]))
        return inputs // layers * compute_bytes


class QLoRA(LoRA):
    name = "qlora"
    needs_cuda = True
    lighter = None

    def quantization_settings(self, config: RunConfig) -> dict[str, Any]:
        q = config.method.qlora
        return {"load_in_4bit": True, "bnb_4bit_quant_type": q["quant_type"], "bnb_4bit_use_double_quant": q["double_quant"]}

    def check_environment(self, device: str) -> None:
        import importlib.util

        if device != "cuda":
            raise TrainerError(
                "environment", "QLoRA needs a CUDA GPU", "Use method lora (or partial) on this machine, or run on a GPU."
            )
        if importlib.util.find_spec("bitsandbytes") is None:
            raise TrainerError(
                "environment",
                "QLoRA needs the bitsandbytes package, which is not installed",
                "pip install bitsandbytes (or `pip install tunesmith-trainer[qlora]`) in the trainer's environment.",
            )

    def quantization_config(self, config: RunConfig, hw: Hardware) -> Any:
        import torch
        from transformers import BitsAndBytesConfig

        self.check_environment(hw.device)
        return BitsAndBytesConfig(
            **self.quantization_settings(config),
            bnb_4bit_compute_dtype=torch.bfloat16 if hw.precision == "bf16" else torch.float16,
        )

    def prepare(self, model: Any, config: RunConfig, hw: Hardware) -> Any:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=config.training.gradient_checkpointing)
        return super().prepare(model, config, hw)

    def weight_bytes(self, config: RunConfig, model: Any, weight_bytes: int, compute_bytes: int) -> int:
        total = sum(p.numel() for p in model.parameters())
        quantized = sum(m.weight.numel() for n, m in _linears(model) if not n.endswith(OUTPUT_LAYER))
        # NF4: 0.5 byte per weight, plus one fp32 absmax per 64 weights (double quantisation: 8-bit + fp32 per 256).
        per_weight = 0.5 + (1 / 64 + 4 / (64 * 256) if config.method.qlora["double_quant"] else 4 / 64)
        return int(quantized * per_weight + (total - quantized) * compute_bytes)


class PromptTuning(PeftAdapter):
    name = "prompt_tuning"
    supports_packing = False

    def peft_config(self, config: RunConfig) -> Any:
        from peft import PromptTuningConfig, PromptTuningInit

        from .model import resolve_model_path

        pt = config.method.prompt_tuning
        init_text = pt.get("init_text")  # optional, no default: random initialisation without it
        return PromptTuningConfig(
            task_type="CAUSAL_LM",
            num_virtual_tokens=pt["num_virtual_tokens"],
            prompt_tuning_init=PromptTuningInit.TEXT if init_text else PromptTuningInit.RANDOM,
            prompt_tuning_init_text=init_text,
            tokenizer_name_or_path=resolve_model_path(config.model.path) if init_text else None,
        )

    def trainable_parameters(self, config: RunConfig, model: Any, model_config: Any) -> int:
        return config.method.prompt_tuning["num_virtual_tokens"] * model_config.hidden_size


class Full(TuningMethod):
    name, result_name = "full", "model"
    trains_base_weights = True
    lighter = "lora"

    def prepare(self, model: Any, config: RunConfig, hw: Hardware) -> Any:
        for param in model.parameters():
            param.requires_grad_(True)
        return model

    def check_saved(self, directory: Path) -> list[str]:
        return _checked_model_folder(directory, f"{directory} holds no model (config.json), which a {self.name} run saves")

    def load(self, base: Any, directory: Path) -> Any:
        from transformers import AutoModelForCausalLM

        # A full fine-tune replaces every weight: the base only lends its dtype.
        return AutoModelForCausalLM.from_pretrained(str(directory), local_files_only=True, dtype=base.dtype)

    def trainable_parameters(self, config: RunConfig, model: Any, model_config: Any) -> int:
        return sum(p.numel() for p in model.parameters())


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


class Partial(TuningMethod):
    """Layer freezing: the chosen decoder layers and modules train, the rest stays frozen; only the
    trained tensors are saved, with a manifest naming them and the base model."""

    name, result_name = "partial", "partial"
    trains_base_weights = True
    lighter = "lora"

    def trainable_names(self, config: RunConfig, model: Any) -> list[str]:
        part = config.method.partial
        return partial_trainable_names(model, part["layers"], part["modules"])

    def prepare(self, model: Any, config: RunConfig, hw: Hardware) -> Any:
        trainable = set(self.trainable_names(config, model))
        if not trainable:
            raise TrainerError("config", "method.partial selects no parameters", "Set layers to a non-zero N or name modules.")
        for name, param in model.named_parameters():
            param.requires_grad_(name in trainable)
        return model

    def save(self, model: Any, tokenizer: Any, config: RunConfig, folder: Path) -> None:
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        tensors = {n: p.detach().to("cpu").contiguous() for n, p in model.named_parameters() if p.requires_grad}
        save_file(tensors, str(folder / PARTIAL_WEIGHTS))
        manifest = {
            "format": "tunesmith-partial",
            "version": 1,
            "base_model": config.model.path,
            "layers": config.method.partial["layers"],
            "modules": config.method.partial["modules"],
            "tensors": sorted(tensors),
            "parameters": sum(t.numel() for t in tensors.values()),
        }
        (folder / PARTIAL_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")

    def check_saved(self, directory: Path) -> list[str]:
        if not (directory / PARTIAL_MANIFEST).is_file():
            # The Trainer's checkpoints of a partial run hold the whole model.
            return _checked_model_folder(directory, f"{directory} holds neither partial weights ({PARTIAL_MANIFEST}) "
                                         f"nor a model (config.json), which a {self.name} run's checkpoints hold")
        _read_json(directory / PARTIAL_MANIFEST)
        weights = directory / PARTIAL_WEIGHTS
        if not weights.is_file():
            _unusable(f"{directory} has no {PARTIAL_WEIGHTS}", directory, "Re-run the training.")
        return _open_safetensors(weights)

    def check_fits(self, base: Any, directory: Path, tensor_names: list[str]) -> None:
        if not (directory / PARTIAL_MANIFEST).is_file():
            return  # a checkpoint: a whole model, loaded as such
        missing = sorted(set(tensor_names) - {n for n, _ in base.named_parameters()})
        if missing:
            _unusable(f"the partial weights in {directory} do not fit this base model: {missing[:3]}", directory,
                      "Evaluate with the base model the run was trained on (model.path).")

    def load(self, base: Any, directory: Path) -> Any:
        if not (directory / PARTIAL_MANIFEST).is_file():
            return Full().load(base, directory)
        from safetensors.torch import load_file

        tensors = load_file(str(directory / PARTIAL_WEIGHTS))
        self.check_fits(base, directory, list(tensors))
        base.load_state_dict(tensors, strict=False)
        return base

    def trainable_parameters(self, config: RunConfig, model: Any, model_config: Any) -> int:
        names = set(self.trainable_names(config, model))
        return sum(p.numel() for n, p in model.named_parameters() if n in names)


METHODS: dict[str, TuningMethod] = {m.name: m for m in (LoRA(), QLoRA(), Partial(), Full(), PromptTuning())}


def method_named(name: str) -> TuningMethod:
    try:
        return METHODS[name]
    except KeyError:
        # The schema's enum rejects an unknown method first; this is for a caller that skipped validation.
        raise TrainerError("config", f"unknown method {name!r}", f"Use one of: {', '.join(METHODS)}.") from None


def method_for(config: RunConfig) -> TuningMethod:
    return method_named(config.method.type)
