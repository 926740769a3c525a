"""Cancel and resume, data errors before training, config errors."""

from __future__ import annotations

import json
import signal

from safetensors.torch import load_file
import torch

from conftest import read_events, spawn_train, train, write_config


def test_sigterm_checkpoints_and_resume_finishes_at_the_same_step(tiny, tmp_path):
    settings = {"training": {"max_steps": 120, "epochs": 50, "eval_steps": 1000, "logging_steps": 5}}
    run_dir = tmp_path / "cancel"
    config = write_config(tiny, run_dir, **settings)
    proc = spawn_train(config)
    assert proc.stdout is not None
    for line in proc.stdout:
        event = json.loads(line)
        if event["type"] == "progress" and event["step"] >= 1:
            proc.send_signal(signal.SIGTERM)
            break
    proc.stdout.read()
    assert proc.wait(timeout=120) == 0
    events = read_events(run_dir)
    finished = events[-1]
    assert finished["type"] == "finished" and finished["status"] == "cancelled"
    stopped_at = finished["step"]
    assert 1 <= stopped_at < 120
    assert finished["paths"]["last_checkpoint"].endswith(f"checkpoint-{stopped_at}")
    assert (run_dir / "checkpoints" / f"checkpoint-{stopped_at}").is_dir()

    assert train(config, "--resume") == 0
    events = read_events(run_dir)
    resumed = [e for e in events if e["type"] == "started"][-1]
    assert resumed["resumed_from"].endswith(f"checkpoint-{stopped_at}")
    assert events[-1]["status"] == "completed" and events[-1]["step"] == 120

    # Same data order: the resumed run ends with the same adapter as an uninterrupted one.
    straight = tmp_path / "straight"
    assert train(write_config(tiny, straight, **settings)) == 0
    a = load_file(str(run_dir / "adapter" / "adapter_model.safetensors"))
    b = load_file(str(straight / "adapter" / "adapter_model.safetensors"))
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-4, atol=1e-5)


def test_a_broken_line_stops_before_training_and_names_the_line(tiny, tmp_path):
    lines = tiny["train"].read_text().splitlines()[:10]
    lines[6] = '{"messages": [{"role": "user", "content": "map : a1"}'
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    run_dir = tmp_path / "bad"
    assert train(write_config(tiny, run_dir, data={"train": str(bad)})) == 1
    events = read_events(run_dir)
    assert [e["type"] for e in events] == ["error", "finished"]
    assert events[0]["kind"] == "data" and events[0]["line"] == 7 and events[0]["file"] == str(bad)
    assert "bad.jsonl:7" in events[0]["message"]
    assert events[1]["status"] == "failed"
    assert not (run_dir / "checkpoints").exists()


def test_a_config_error_names_the_field(tiny, tmp_path):
    run_dir = tmp_path / "badcfg"
    config = write_config(tiny, run_dir, method={"type": "lora", "lora": {"r": 0}})
    assert train(config) == 1
    # The config names its output.dir, so the editor following events.jsonl sees the error too.
    error, finished = read_events(run_dir)
    assert error["kind"] == "config" and "method/lora/r" in error["message"] and finished["status"] == "failed"
    # A config that is not JSON names no run directory: the error goes to stdout only.
    config.write_text('{"output": {"dir": "' + str(tmp_path / "nojson") + '"}')
    assert train(config) == 1
    assert not (tmp_path / "nojson").exists()


def test_qlora_without_cuda_says_what_is_missing(tiny, tmp_path):
    run_dir = tmp_path / "qlora"
    assert train(write_config(tiny, run_dir, method={"type": "qlora"})) == 1
    error = read_events(run_dir)[0]
    assert error["kind"] == "environment" and "CUDA" in error["message"]


def test_a_second_run_into_the_same_directory_is_refused(tiny, tmp_path):
    run_dir = tmp_path / "twice"
    config = write_config(tiny, run_dir, training={"max_steps": 3, "save_steps": 3, "eval_steps": 1000})
    assert train(config) == 0
    assert train(config) == 1
    assert read_events(run_dir)[-2]["kind"] == "config"


def test_prompt_tuning_trains_a_few_virtual_tokens(tiny, tmp_path):
    run_dir = tmp_path / "prompt"
    config = write_config(
        tiny, run_dir, method={"type": "prompt_tuning", "prompt_tuning": {"num_virtual_tokens": 4}},
        training={"max_steps": 5, "eval_steps": 1000},
    )
    assert train(config) == 0
    events = read_events(run_dir)
    assert events[0]["parameters"]["trainable"] == 4 * 64
    assert (run_dir / "adapter" / "adapter_config.json").is_file()
