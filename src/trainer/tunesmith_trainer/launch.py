"""Multi-GPU runs: the trainer re-launches itself through torchrun or accelerate (DDP), one process
per GPU. Only rank 0 writes events."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .config import RunConfig

LAUNCHED_ENV = "TUNESMITH_LAUNCHED"


def is_rank_zero() -> bool:
    return os.environ.get("RANK", "0") == "0"


def needs_launch(config: RunConfig) -> bool:
    return config.hardware.gpus > 1 and os.environ.get(LAUNCHED_ENV) != "1" and "LOCAL_RANK" not in os.environ


def build_command(config: RunConfig, config_path: Path, *, resume: bool = False) -> list[str]:
    gpus = str(config.hardware.gpus)
    train = ["-m", "tunesmith_trainer", "train", "--config", str(config_path)] + (["--resume"] if resume else [])
    if config.hardware.launcher == "accelerate":
        return [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", gpus, *train]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", gpus, *train]


def launch(config: RunConfig, config_path: Path, *, resume: bool = False) -> int:
    """Runs the distributed job and returns its exit code; the child processes write the events."""
    import torch

    from .errors import TrainerError
    from .methods import method_for

    available = torch.cuda.device_count()
    if available < config.hardware.gpus:
        raise TrainerError(
            "environment",
            f"hardware.gpus is {config.hardware.gpus} but torch sees {available} GPU(s)",
            f"Set hardware.gpus to {max(available, 1)} or check CUDA_VISIBLE_DEVICES.",
        )
    # Before any rank starts: every rank would fail the same way, each loading the data first.
    method_for(config).check_environment("cuda")
    env = {**os.environ, LAUNCHED_ENV: "1"}
    return subprocess.call(build_command(config, config_path, resume=resume), env=env)
