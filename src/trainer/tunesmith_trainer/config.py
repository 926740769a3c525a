"""The run config: JSON validated against schemas/run-config.schema.json, defaults taken from the schema
(one place for them), relative paths resolved against the config file's directory."""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import TrainerError
from .methods import METHODS
from .schema import load_schema


@dataclass
class ModelConfig:
    path: str
    dtype: str
    trust_remote_code: bool
    attn_implementation: str


@dataclass
class DataConfig:
    train: str
    format: str
    max_length: int
    completion_only_loss: bool
    packing: bool
    validation: str | None = None


@dataclass
class MethodConfig:
    type: str
    lora: dict[str, Any]
    qlora: dict[str, Any]
    partial: dict[str, Any]
    prompt_tuning: dict[str, Any]


@dataclass
class TrainingConfig:
    epochs: float
    batch_size: int
    gradient_accumulation: int
    learning_rate: float
    weight_decay: float
    warmup_ratio: float
    scheduler: str
    max_grad_norm: float
    seed: int
    precision: str
    gradient_checkpointing: bool
    logging_steps: int
    save_steps: int
    save_total_limit: int
    max_steps: int | None = None
    eval_steps: int | None = None
    early_stopping_patience: int | None = None


@dataclass
class HardwareConfig:
    device: str
    gpus: int
    launcher: str


@dataclass
class EvaluationConfig:
    max_new_tokens: int
    batch_size: int
    greedy: bool
    temperature: float
    file: str | None = None


@dataclass
class OutputConfig:
    dir: str
    merge: bool


@dataclass
class RunConfig:
    version: int
    model: ModelConfig
    data: DataConfig
    method: MethodConfig
    training: TrainingConfig
    hardware: HardwareConfig
    evaluation: EvaluationConfig
    output: OutputConfig
    source: Path | None = field(default=None, compare=False)

    @property
    def run_dir(self) -> Path:
        return Path(self.output.dir)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("source")
        return _drop_none(data)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def _apply_defaults(schema: dict[str, Any], instance: dict[str, Any]) -> None:
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and sub.get("type") == "object":
            instance[key] = {}
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if isinstance(instance.get(key), dict) and "properties" in sub:
            _apply_defaults(sub, instance[key])


def _resolve(base: Path, value: str | None) -> str | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def _schema_problems(raw: Any) -> list[tuple[str, str]]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema("run-config"))
    errors = sorted(validator.iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path])
    return [("/".join(str(p) for p in e.absolute_path) or "(root)", e.message) for e in errors]


def _section(data: Any, name: str) -> dict[str, Any]:
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _cross_field_problems(data: Any) -> list[tuple[str, str]]:
    """What the schema cannot say: fields that exclude or need each other (checked with defaults applied)."""
    method_name, training = _section(data, "method").get("type"), _section(data, "training")
    # An unknown type is the schema's problem, already listed.
    method = METHODS.get(method_name) if isinstance(method_name, str) else None
    output, files = _section(data, "output"), _section(data, "data")
    problems = []
    if output.get("merge") is True and method is not None and not method.can_merge:
        mergeable = " and ".join(m.name for m in METHODS.values() if m.can_merge)
        problems.append(("output/merge", f"applies to {mergeable} only, not {method_name}; set it to false"))
    if training.get("early_stopping_patience") and not (files.get("validation") and training.get("eval_steps")):
        problems.append(("training/early_stopping_patience",
                         "early stopping needs data/validation and training/eval_steps; set both or remove it"))
    if files.get("packing") is True and method is not None and not method.supports_packing:
        problems.append(("data/packing", f"packing does not work with {method_name}; set it to false"))
    return problems


def config_error(problems: list[tuple[str, str]], source: Path | None) -> TrainerError:
    """One error that lists every problem: in the message (what the run panel and the CLI print) and as
    ``problems`` (path, message) for a program."""
    listed = "; ".join(f"{where}: {message}" for where, message in problems)
    message = f"run config {listed}" if len(problems) == 1 else f"run config has {len(problems)} problems: {listed}"
    return TrainerError(
        "config",
        message,
        "Fix the config; schemas/run-config.schema.json lists every field with its allowed values.",
        file=str(source) if source else None,
        problems=[{"path": where, "message": text} for where, text in problems],
    )


def parse_config(raw: Any, base_dir: Path | None = None, source: Path | None = None) -> RunConfig:
    schema = load_schema("run-config")
    problems = _schema_problems(raw)
    data = copy.deepcopy(raw)
    if isinstance(data, dict):
        _apply_defaults(schema, data)
    for problem in _cross_field_problems(data):
        if problem not in problems:
            problems.append(problem)
    if problems:
        raise config_error(problems, source)
    base = base_dir or Path.cwd()
    model_path = data["model"]["path"]
    # A model id (org/name) stays as written; anything that exists on disk or looks like a path is resolved.
    if (base / model_path).exists() or model_path.startswith((".", "/", "~")):
        data["model"]["path"] = _resolve(base, model_path)
    for key in ("train", "validation"):
        data["data"][key] = _resolve(base, data["data"].get(key))
    data["evaluation"]["file"] = _resolve(base, data["evaluation"].get("file"))
    data["output"]["dir"] = _resolve(base, data["output"]["dir"])
    return RunConfig(
        version=data["version"],
        model=ModelConfig(**data["model"]),
        data=DataConfig(**data["data"]),
        method=MethodConfig(**data["method"]),
        training=TrainingConfig(**data["training"]),
        hardware=HardwareConfig(**data["hardware"]),
        evaluation=EvaluationConfig(**data["evaluation"]),
        output=OutputConfig(**data["output"]),
        source=source,
    )


def declared_run_dir(path: str | Path) -> Path | None:
    """``output.dir`` as the config file gives it (resolved), even when the rest of the config is invalid;
    None when the file cannot be read as JSON or names none."""
    try:
        path = Path(path).resolve()
        raw = json.loads(path.read_text("utf-8"))
        output = raw.get("output") if isinstance(raw, dict) else None
        value = output.get("dir") if isinstance(output, dict) else None
        return Path(_resolve(path.parent, value)) if isinstance(value, str) and value else None
    except (OSError, ValueError):  # unreadable, not JSON, or a path with a NUL byte
        return None


def load_config(path: str | Path) -> RunConfig:
    path = Path(path).resolve()
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise TrainerError("config", f"run config not found: {path}", "Pass the path of a run config JSON file.")
    except json.JSONDecodeError as exc:
        raise TrainerError(
            "config", f"run config is not valid JSON: {exc.msg}", "Fix the JSON syntax.", file=str(path), line=exc.lineno
        )
    return parse_config(raw, path.parent, path)
