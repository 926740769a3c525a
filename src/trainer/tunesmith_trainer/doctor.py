"""The environment as JSON: Python, torch, CUDA, GPUs (name, memory, bf16) and package versions."""

from __future__ import annotations

import importlib.metadata
import platform
import sys
from typing import Any

from .errors import TrainerError
from .methods import METHODS

PACKAGES = ("torch", "transformers", "tokenizers", "peft", "trl", "accelerate", "datasets", "safetensors",
            "bitsandbytes", "jsonschema", "tunesmith-trainer")


def doctor() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    report: dict[str, Any] = {
        "python": {"version": platform.python_version(), "executable": sys.executable},
        "platform": platform.platform(),
        "packages": versions,
        "cuda": {"available": False, "version": None, "gpus": []},
        "problems": [],
    }
    try:
        import torch
    except ImportError:
        report["problems"].append((
            "torch is not installed: run Tunesmith: Install the Trainer (or scripts/setup-python.sh in a checkout)"
        ))
        return report
    report["cuda"]["version"] = torch.version.cuda
    if torch.cuda.is_available():
        report["cuda"]["available"] = True
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            free, total = torch.cuda.mem_get_info(index)
            report["cuda"]["gpus"].append({
                "index": index,
                "name": props.name,
                "memory_bytes": total,
                "free_bytes": free,
                "capability": f"{props.major}.{props.minor}",
                "bf16": props.major >= 8,
            })
    else:
        report["problems"].append("no CUDA GPU visible to torch: training runs on the CPU (slow)")
    # Each method says itself what it needs (the check a run makes before it loads anything), so the doctor
    # cannot disagree with a launch about whether, say, QLoRA can run here.
    device = "cuda" if report["cuda"]["available"] else "cpu"
    report["methods"] = {}
    for name, method in METHODS.items():
        try:
            method.check_environment(device)
            report["methods"][name] = None
        except TrainerError as error:
            reason = f"{error.message}. {error.hint}" if error.hint else error.message
            report["methods"][name] = reason
            report["problems"].append(f"{name} is unavailable: {reason}")
    return report
