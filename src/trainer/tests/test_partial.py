"""Partial fine-tuning: only the chosen layers change, and only they are saved."""

from __future__ import annotations

import json

import torch
from safetensors.torch import load_file

from conftest import read_events, train, write_config
from tunesmith_trainer.methods import PARTIAL_MANIFEST, PARTIAL_WEIGHTS


def test_partial_changes_and_saves_only_the_chosen_layers(tiny, tmp_path):
    run_dir = tmp_path / "partial"
    config = write_config(
        tiny,
        run_dir,
        method={"type": "partial", "partial": {"layers": -1, "modules": ["lm_head"]}},
        training={"max_steps": 15, "eval_steps": 1000},
    )
    assert train(config) == 0
    finished = read_events(run_dir)[-1]
    assert finished["status"] == "completed"

    base = load_file(str(tiny["model"] / "model.safetensors"))
    saved = load_file(str(run_dir / "partial" / PARTIAL_WEIGHTS))
    chosen = {n for n in base if n.startswith("model.layers.0.") or n.startswith("lm_head.")}
    assert set(saved) == chosen
    manifest = json.loads((run_dir / "partial" / PARTIAL_MANIFEST).read_text())
    assert manifest["tensors"] == sorted(chosen) and manifest["layers"] == -1

    # Reload the full tuned model from the last checkpoint: frozen tensors are bit-identical to the base.
    checkpoint = load_file(finished["paths"]["last_checkpoint"] + "/model.safetensors")
    for name, tensor in base.items():
        if name in chosen:
            assert torch.equal(checkpoint[name], saved[name])
        else:
            assert torch.equal(checkpoint[name], tensor), name
    assert all(not torch.equal(saved[n], base[n]) for n in chosen if "norm" not in n)
