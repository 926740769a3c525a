"""Config, data conversion, launcher commands, schemas, doctor, bench smoke and the GPU estimate."""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest
import torch

from conftest import write_config
from tunesmith_trainer import config as config_mod
from tunesmith_trainer.bench import main as bench_main
from tunesmith_trainer.config import load_config
from tunesmith_trainer.data import read_records
from tunesmith_trainer.rendering import render, tokenize
from tunesmith_trainer.doctor import doctor
from tunesmith_trainer.errors import TrainerError
from tunesmith_trainer.launch import build_command
from tunesmith_trainer.schema import load_schema


def test_config_dataclasses_cover_every_schema_field():
    schema = load_schema("run-config")
    classes = {"model": config_mod.ModelConfig, "data": config_mod.DataConfig, "method": config_mod.MethodConfig,
               "training": config_mod.TrainingConfig, "hardware": config_mod.HardwareConfig,
               "evaluation": config_mod.EvaluationConfig, "output": config_mod.OutputConfig}
    assert set(schema["properties"]) == set(classes) | {"version"}
    for name, cls in classes.items():
        assert {f.name for f in dataclasses.fields(cls)} == set(schema["properties"][name]["properties"]), name


def test_relative_paths_resolve_against_the_config_and_defaults_fill_in(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "run.json").write_text(json.dumps({"model": {"path": "model"}, "data": {"train": "d/t.jsonl"},
                                                   "output": {"dir": "out"}}))
    config = load_config(tmp_path / "run.json")
    assert config.model.path == str(tmp_path / "model")
    assert config.data.train == str(tmp_path / "d" / "t.jsonl")
    assert config.method.type == "lora" and config.method.lora["target_modules"] == "all-linear"
    assert config.training.learning_rate == 0.0002 and config.data.completion_only_loss is True


def test_config_errors_name_the_field(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"model": {"path": "m"}, "data": {"train": "t"},
                                                   "training": {"batch_size": 0}, "output": {"dir": "o"}}))
    with pytest.raises(TrainerError) as info:
        load_config(tmp_path / "run.json")
    assert info.value.kind == "config" and "training/batch_size" in info.value.message


FORMATS = {
    "chat": {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "map : a1"},
                          {"role": "assistant", "content": "b1"}]},
    "sharegpt": {"conversations": [{"from": "human", "value": "map : a1"}, {"from": "gpt", "value": "b1"}]},
    "alpaca": {"instruction": "map :", "input": "a1", "output": "b1"},
    "prompt-completion": {"prompt": "map : a1", "completion": "b1"},
    "text": {"text": "map : a1 b1"},
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_converts_with_the_completion_masked_in(fmt, tiny, tmp_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny["model"])
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(FORMATS[fmt]) + "\n")
    [record] = read_records(path)
    assert record.format == fmt
    item = tokenize(render(record, tokenizer), tokenizer)
    trained = [t for t, m in zip(item["input_ids"], item["completion_mask"]) if m]
    decoded = tokenizer.decode(trained, skip_special_tokens=True).split()
    assert decoded == (["map", ":", "a1", "b1"] if fmt == "text" else ["b1"])
    assert trained[-1] == tokenizer.eos_token_id


def test_format_drift_and_a_missing_answer_name_their_lines(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(FORMATS["chat"]) + "\n\n" + json.dumps(FORMATS["text"]) + "\n")
    with pytest.raises(TrainerError) as info:
        read_records(path)
    assert info.value.line == 3 and "differs from chat" in info.value.message
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "x"}]}) + "\n")
    with pytest.raises(TrainerError) as info:
        read_records(path)
    assert info.value.line == 1 and "assistant" in info.value.message


def test_multi_gpu_runs_are_launched_through_torchrun_or_accelerate(tiny, tmp_path):
    path = write_config(tiny, tmp_path / "ddp", hardware={"gpus": 4})
    config = load_config(path)
    assert build_command(config, path, resume=True) == [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "4",
        "-m", "tunesmith_trainer", "train", "--config", str(path), "--resume"]
    config.hardware.launcher = "accelerate"
    assert build_command(config, path)[:7] == [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "4", "-m"]


def test_schemas_are_valid_draft_2020_12():
    import jsonschema

    for name in ("run-config", "events"):
        jsonschema.Draft202012Validator.check_schema(load_schema(name))


def test_doctor_reports_versions_and_devices():
    report = doctor()
    assert report["packages"]["torch"] == torch.__version__.split("+")[0]
    assert report["cuda"]["available"] == torch.cuda.is_available()


def test_doctor_asks_each_method_what_it_needs_on_this_device():
    report = doctor()
    assert set(report["methods"]) == {"lora", "qlora", "partial", "full", "prompt_tuning"}
    assert report["methods"]["lora"] is None and report["methods"]["full"] is None
    if not torch.cuda.is_available():
        # The same words a QLoRA launch fails with on this machine.
        assert report["methods"]["qlora"].startswith("QLoRA needs a CUDA GPU")
        assert any(p.startswith("qlora is unavailable: QLoRA needs a CUDA GPU") for p in report["problems"])


def test_doctor_without_torch_says_what_to_run_in_the_editor_and_in_a_checkout(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    problems = doctor()["problems"]
    assert problems == [
        "torch is not installed: run Tunesmith: Install the Trainer (or scripts/setup-python.sh in a checkout)"
    ]


def test_bench_smoke_on_cpu():
    result = bench_main(["--device", "cpu", "--tiny"])
    assert result["baseline"]["tokens_per_second"] > 0 and result["ours"]["tokens_per_second"] > 0
    # The speed-up itself is a benchmark figure (docs/benchmarks.md), not asserted: on a shared 2-core
    # machine a single timed pass each way is noise and failed once under load.
    assert result["generation"]["speedup"] > 0
    assert result["ours"]["trainable_parameters"] > result["baseline"]["trainable_parameters"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_estimate_is_within_25_percent_of_the_measured_gpu_peak(tiny, tmp_path):
    from conftest import read_events, train
    from tunesmith_trainer.estimate import estimate

    path = write_config(tiny, tmp_path / "gpu", data={"max_length": 32},
                        training={"max_steps": 20, "batch_size": 64, "eval_steps": 1000})
    torch.cuda.reset_peak_memory_stats()
    assert train(path) == 0
    measured = max(e.get("gpu_memory_bytes") or 0 for e in read_events(tmp_path / "gpu"))
    predicted = estimate(load_config(path))["bytes"]["total"]
    assert abs(predicted - measured) <= 0.25 * measured, (predicted, measured)
