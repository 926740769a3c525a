"""The training recipe, read top to bottom: setup (model, data, optimizer settings), train, save.

    python -m tunesmith_trainer train --config run.json            # a run
    python -m tunesmith_trainer train --config run.json --resume   # continue from the newest complete checkpoint

Training runs on TRL's SFTTrainer: it takes our pre-tokenized examples with a completion mask
(completion-only loss), packs them best-fit-decreasing without padding, and brings checkpointing and
exact resume (same step, same data order) from transformers' Trainer; checkpoints.py makes each
checkpoint complete or recognisably partial. Everything a user can get wrong is checked in the config
(config.py), the constructor or while the data is read, before the model is loaded.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from .config import RunConfig
from .errors import TrainerError
from .events import EventWriter
from .stop import Stop
from . import checkpoints
from . import data as data_mod
from . import rendering
from . import files
from . import inputs
from . import launch
from . import methods
from . import model as model_mod


class EventCallback:
    """Turns Trainer callbacks into protocol events; also cancellation and early stopping."""

    def __init__(self, recipe: "TrainRecipe"):
        from transformers import TrainerCallback

        self.recipe = recipe
        self.events = recipe.events
        self.best_eval: float | None = None
        self.bad_evals = 0
        self.stopped_early = False
        self._last_progress = 0.0
        self._last_tokens: tuple[float, float] | None = None
        self._start = time.monotonic()
        self._start_step = 0
        outer = self

        class _Callback(TrainerCallback):
            def on_train_begin(self, args, state, control, **kw):
                outer._start = time.monotonic()
                outer._start_step = state.global_step

            def on_step_end(self, args, state, control, **kw):
                outer.step_end(state, control)

            def on_log(self, args, state, control, logs=None, **kw):
                outer.log(state, control, logs or {})

            def on_save(self, args, state, control, **kw):
                path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
                outer.recipe.last_checkpoint = path
                outer.events.emit("checkpoint", path=str(path), step=state.global_step)

        self.callback = _Callback()

    def step_end(self, state: Any, control: Any) -> None:
        now = time.monotonic()
        if self.recipe.cancel_requested:
            control.should_save = True
            control.should_training_stop = True
        if now - self._last_progress >= 1.0 or state.global_step >= state.max_steps:
            self._last_progress = now
            done = state.global_step - self._start_step
            elapsed = now - self._start
            eta = elapsed / done * (state.max_steps - state.global_step) if done > 0 else None
            self.events.emit(
                "progress",
                step=state.global_step,
                total_steps=state.max_steps,
                epoch=float(state.epoch or 0.0),
                eta_seconds=eta,
                elapsed_seconds=elapsed,
            )

    def log(self, state: Any, control: Any, logs: dict[str, Any]) -> None:
        step, epoch = state.global_step, float(state.epoch or 0.0)
        if "eval_loss" in logs:
            loss = float(logs["eval_loss"])
            if self.best_eval is None or loss < self.best_eval:
                self.best_eval, self.bad_evals = loss, 0
            else:
                self.bad_evals += 1
            metrics = {k[5:]: v for k, v in logs.items() if k.startswith("eval_") and isinstance(v, (int, float))}
            self.events.emit("eval", step=step, epoch=epoch, eval_loss=loss, best_eval_loss=self.best_eval, metrics=metrics)
            patience = self.recipe.config.training.early_stopping_patience
            if patience and self.bad_evals >= patience:
                self.stopped_early = True
                control.should_training_stop = True
                control.should_save = True
                self.events.warning(
                    f"stopped early at step {step}: eval loss has not improved for {patience} evaluations",
                    "Lower the learning rate or raise training.early_stopping_patience to train longer.",
                )
        elif "loss" in logs:
            now = time.monotonic()
            tokens = logs.get("num_tokens")
            rate = None
            if tokens is not None:
                if self._last_tokens is not None and now > self._last_tokens[1]:
                    rate = (tokens - self._last_tokens[0]) / (now - self._last_tokens[1])
                self._last_tokens = (tokens, now)
            self.recipe.last_loss = float(logs["loss"])
            self.events.emit(
                "log",
                step=step,
                epoch=epoch,
                loss=float(logs["loss"]),
                learning_rate=logs.get("learning_rate"),
                grad_norm=logs.get("grad_norm"),
                tokens_per_second=rate,
                gpu_memory_bytes=self.recipe.gpu_memory(),
                mean_token_accuracy=logs.get("mean_token_accuracy"),
            )


class TrainRecipe:
    def __init__(
        self,
        config: RunConfig,
        events: EventWriter,
        *,
        resume: bool = False,
        accept_changes: bool = False,
        stop: Stop | None = None,
    ):
        self.config = config
        self.events = events
        self.resume = resume
        self.accept_changes = accept_changes
        self.stop = stop or Stop()
        self.run_dir = config.run_dir
        self.checkpoint_dir = self.run_dir / "checkpoints"
        self.last_checkpoint: Path | None = None
        self.last_loss: float | None = None
        self.hw = model_mod.detect_hardware(config)
        methods.method_for(config).check_environment(self.hw.device)

    @property
    def cancel_requested(self) -> bool:
        return self.stop.requested is not None

    # -- setup -------------------------------------------------------------------------------
    def setup(self) -> None:
        from transformers import set_seed

        # Before the model exists: adapter initialisation draws from the global RNG.
        set_seed(self.config.training.seed)
        self.resume_from = self._setup_checkpoints()
        # Every line is read and checked first: a broken line stops the run before any model work.
        cfg = self.config.data
        data = {"train": data_mod.read_file(cfg.train, cfg.format),
                "validation": data_mod.read_file(cfg.validation, cfg.format) if cfg.validation else None}
        self._setup_inputs(data)
        self.tokenizer = model_mod.load_tokenizer(self.config)
        self._setup_data(data["train"].records, data["validation"].records if data["validation"] else None)
        self._setup_model()
        self._setup_trainer()

    def _setup_checkpoints(self) -> str | None:
        """The checkpoint to resume from: the newest complete one (checkpoints.py). Incomplete ones, left
        by a run killed while saving, are named in a warning when newer, and removed."""
        found = checkpoints.scan(self.checkpoint_dir)
        newest = found.complete[-1] if found.complete else None
        if not self.resume and newest:
            raise TrainerError(
                "config",
                f"{self.run_dir} already holds checkpoints of an earlier run",
                "Pass --resume to continue it, or choose another output.dir.",
            )
        if self.resume and newest is None:
            detail = "; ".join(f"{item.path.name} is incomplete: {item.reason}" for item in found.incomplete)
            raise TrainerError(
                "config",
                f"--resume: no complete checkpoint in {self.checkpoint_dir}" + (f" ({detail})" if detail else ""),
                "Start the run again without --resume; it trains from the first step.",
            )
        if newest:
            for item in found.incomplete:
                if item.step > newest[0]:
                    self.events.warning(
                        f"resuming from {newest[1].name}, not from the newer {item.path.name}: it is incomplete "
                        f"({item.reason}), so it was removed",
                        f"Nothing to do: the steps after {newest[0]} are trained again.",
                    )
        if launch.is_rank_zero():
            checkpoints.discard_incomplete(self.checkpoint_dir, found)
        return str(newest[1]) if newest else None

    def _setup_inputs(self, data: dict[str, data_mod.DataFile | None]) -> None:
        """Records the config and the data's hashes when the run starts; on --resume, refuses changed ones."""
        before = inputs.recorded(self.run_dir) if self.resume else None
        if self.resume and before is None:
            self.events.warning(
                f"the run has no readable {inputs.INPUTS} (it was started by an earlier tunesmith), so the data "
                "and config it was started with cannot be checked; these are recorded now",
                "Make sure the data and config are the ones the run started with.",
            )
        changed = inputs.changes(before, self.config, data) if before else []
        if changed and not self.accept_changes:
            changed_files = [f.path for role, f in data.items() if f and any(c.startswith(f"data.{role}:") for c in changed)]
            file = changed_files[0] if changed_files else None
            raise TrainerError(
                "data" if file else "config",
                "--resume: the run's inputs changed since it started: " + "; ".join(changed),
                "The checkpoint was trained on the recorded data and settings; resuming on others mixes two runs. "
                "Start a new run (another output.dir), or pass --accept-changes to resume anyway.",
                file=str(file) if file else None,
            )
        if changed:
            self.events.warning(
                "resuming with changed inputs (--accept-changes): " + "; ".join(changed),
                "The result matches neither an uninterrupted run on the old inputs nor one on the new.",
            )
        if launch.is_rank_zero() and (before is None or changed):
            inputs.record(self.run_dir, self.config, data)
            write_resolved_config(self.config)

    def _setup_data(self, train: list[data_mod.Record], validation: list[data_mod.Record] | None) -> None:
        from datasets import Dataset

        cfg = self.config.data
        self.examples = {"train": len(train), "validation": len(validation or [])}
        self.train_dataset = Dataset.from_list(
            list(rendering.iter_tokenized(train, self.tokenizer, cfg.max_length, self.events.warning))
        )
        self.eval_dataset = (
            Dataset.from_list(list(rendering.iter_tokenized(validation, self.tokenizer, cfg.max_length)))
            if validation
            else None
        )
        if self.config.training.eval_steps and self.eval_dataset is None:
            self.events.warning("training.eval_steps is set but there is no data.validation file; no evaluation")

    def _setup_model(self) -> None:
        model = model_mod.load_base_model(self.config, self.hw)
        if model.config.pad_token_id is None:
            model.config.pad_token_id = self.tokenizer.pad_token_id
        self.model = methods.method_for(self.config).prepare(model, self.config, self.hw)
        self.parameters = model_mod.parameter_counts(self.model)

    def _setup_trainer(self) -> None:
        from trl import SFTConfig, SFTTrainer

        t, d = self.config.training, self.config.data
        evaluate = bool(t.eval_steps and self.eval_dataset is not None)
        args = SFTConfig(
            output_dir=str(self.checkpoint_dir),
            per_device_train_batch_size=t.batch_size,
            per_device_eval_batch_size=t.batch_size,
            gradient_accumulation_steps=t.gradient_accumulation,
            learning_rate=t.learning_rate,
            weight_decay=t.weight_decay,
            warmup_steps=t.warmup_ratio,
            lr_scheduler_type=t.scheduler,
            max_grad_norm=t.max_grad_norm,
            num_train_epochs=t.epochs,
            max_steps=t.max_steps or -1,
            seed=t.seed,
            data_seed=t.seed,
            bf16=self.hw.precision == "bf16",
            fp16=self.hw.precision == "fp16",
            use_cpu=self.hw.device == "cpu",
            activation_checkpointing=t.gradient_checkpointing,
            logging_steps=t.logging_steps,
            eval_strategy="steps" if evaluate else "no",
            eval_steps=t.eval_steps if evaluate else None,
            save_strategy="steps",
            save_steps=t.save_steps,
            save_total_limit=None,  # rotation is checkpoints.rotate's, after a checkpoint is complete
            report_to="none",
            disable_tqdm=True,
            max_length=d.max_length,
            packing=d.packing,
            padding_free=d.packing,
            completion_only_loss=d.completion_only_loss,
            dataloader_num_workers=0,
        )
        self.callback = EventCallback(self)
        self.trainer = checkpoints.staged_trainer(SFTTrainer)(
            model=self.model,
            args=args,
            train_dataset=self.train_dataset,
            eval_dataset=self.eval_dataset if evaluate else None,
            processing_class=self.tokenizer,
            callbacks=[self.callback.callback],
        )
        self.trainer.keep = t.save_total_limit
        from transformers.trainer_callback import PrinterCallback

        self.trainer.remove_callback(PrinterCallback)

    # -- train -------------------------------------------------------------------------------
    def gpu_memory(self) -> int | None:
        if self.hw.device != "cuda":
            return None
        import torch

        return int(torch.cuda.max_memory_allocated())

    def train(self) -> dict[str, Any]:
        # From here a signal ends the current step, saves a checkpoint and finishes `cancelled` (stop.py).
        self.stop.graceful = True
        self.events.emit(
            "started",
            run_dir=str(self.run_dir),
            resumed_from=self.resume_from,
            config=self.config.to_dict(),
            device={"type": self.hw.device, "count": self.hw.count, "name": self.hw.name, "precision": self.hw.precision},
            parameters=self.parameters,
            examples=self.examples,
        )
        try:
            output = self.trainer.train(resume_from_checkpoint=self.resume_from)
        except Exception as exc:
            if type(exc).__name__ == "OutOfMemoryError":
                raise TrainerError(
                    "oom",
                    "the GPU ran out of memory during training",
                    "Run `estimate`; lower training.batch_size (raise gradient_accumulation to keep the batch), "
                    "shorten data.max_length, turn on training.gradient_checkpointing, or use qlora.",
                ) from exc
            raise
        state = self.trainer.state
        metrics = {"train_loss": output.training_loss, "last_loss": self.last_loss, "best_eval_loss": self.callback.best_eval}
        if self.callback.stopped_early:
            metrics["stopped_early"] = 1
        if self.cancel_requested:
            return self._finish("cancelled", state.global_step, metrics, {})
        return self._finish("completed", state.global_step, metrics, self.save_result())

    # -- save --------------------------------------------------------------------------------
    def save_result(self) -> dict[str, str]:
        method = methods.method_for(self.config)
        paths = {method.result_name: self._write_result(
            method.result_name, lambda folder: method.save(self.model, self.tokenizer, self.config, folder))}
        if self.config.output.merge:  # the config allows it only for a method that can_merge
            paths["merged"] = self._write_result("merged", lambda folder: method.save_merged(self.model, self.tokenizer, folder))
        return paths

    def _write_result(self, name: str, write: Any) -> str:
        # Written whole or not at all (files.py): a kill while saving never leaves a half-written result.
        final = self.run_dir / name
        staged = files.staging_dir(final)
        write(staged)
        files.commit_dir(staged, final)
        return str(final)

    def _finish(self, status: str, step: int, metrics: dict[str, Any], paths: dict[str, str]) -> dict[str, Any]:
        paths = {"run_dir": str(self.run_dir), "events": str(self.run_dir / "events.jsonl"), **paths}
        paths["config"] = str(self.run_dir / "config.json")
        if self.last_checkpoint is not None:
            paths["last_checkpoint"] = str(self.last_checkpoint)
        return self.events.emit("finished", status=status, step=step, paths=paths, metrics=metrics)

    def cleanup(self) -> None:
        # The event writer belongs to the caller, which may still report an error after this.
        import gc

        self.trainer = self.model = None
        gc.collect()


def write_resolved_config(config: RunConfig) -> None:
    files.write_atomic(config.run_dir / "config.json", json.dumps(config.to_dict(), indent=2) + "\n")
