"""Exports a sentence-transformers checkpoint to ONNX for Tunesmith's semantic rules, and computes the
reference embeddings that the TypeScript embedder is tested against.

    python scripts/embedding_model.py export --source DIR --out DIR
    python scripts/embedding_model.py reference --source DIR < texts.json > vectors.json

``export`` writes ``model.onnx``, ``model-fp32.onnx`` (token embeddings, ``last_hidden_state``: pooling is done by the
embedder, so any local ONNX feature-extraction model can be used in its place), ``tokenizer.json`` and
``manifest.json``. The model is int8-quantised with onnxruntime's ``quantize_dynamic`` when the
quantised model keeps a cosine of at least 0.99 to the fp32 one on every check sentence; otherwise the
fp32 model is kept, and the manifest says which and why.

``reference`` is the Python definition of the embedding, as sentence-transformers defines
all-MiniLM-L6-v2 (``modules.json``: Transformer, mean Pooling, Normalize): transformers' model, the
mean of the token embeddings weighted by the attention mask, then L2 normalisation. It needs only torch
and transformers (the trainer's environment); ``export`` also needs onnx and onnxruntime (the set-up
script installs them beside the venv, not into it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

# Sentences the quantised model is checked on: short and long, questions, code, numbers, non-English.
CHECK_SENTENCES = [
    "How do I reset my password?",
    "I forgot my password, how can I change it?",
    "The quarterly report is due on Friday at 5 pm.",
    "Translate 'good morning' into French.",
    "def add(a, b):\n    return a + b",
    "What is the capital of Australia?",
    "Summarise the following article in three bullet points.",
    "The patient reported mild headaches and dizziness after the second dose.",
    "Write a haiku about autumn leaves falling on a quiet pond.",
    "Error 404: the requested resource could not be found on this server.",
    "Wie spät ist es?",
    "Refunds are processed within 5-7 business days after we receive the returned item.",
    "ok",
    "Explain the difference between a process and a thread in an operating system, with an example "
    "of when you would choose one over the other and what it costs in memory and scheduling.",
]
MIN_INT8_COSINE = 0.99
MAX_LENGTH = 256  # all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json)


def mean_pool_normalise(token_embeddings, attention_mask):  # type: ignore[no-untyped-def]
    import torch

    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    summed = (token_embeddings * mask).sum(dim=1)
    counts = mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(summed / counts, p=2, dim=1)


def reference(source: Path, texts: list[str]) -> list[list[float]]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModel.from_pretrained(source).eval()
    vectors: list[list[float]] = []
    with torch.inference_mode():
        for start in range(0, len(texts), 32):
            batch = tokenizer(
                texts[start : start + 32],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            output = model(**batch).last_hidden_state
            vectors.extend(mean_pool_normalise(output, batch["attention_mask"]).tolist())
    return vectors


def export_onnx(source: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModel.from_pretrained(source).eval()
    sample = tokenizer(["a sample sentence", "another one, a bit longer"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}

    class TokenEmbeddings(torch.nn.Module):
        """The model with its three inputs by name (transformers' positional order is not stable)."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # The TorchScript exporter (dynamo=False) needs neither onnxscript nor a network; the model is a
    # plain BERT, which it has exported for years.
    torch.onnx.export(
        TokenEmbeddings().eval(),
        (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(target),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )


def onnx_embed(model: Path, source: Path, texts: list[str]):  # type: ignore[no-untyped-def]
    import numpy as np
    import onnxruntime
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source)
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="np")
    feeds = {i.name: batch[i.name].astype(np.int64) for i in session.get_inputs()}
    (hidden,) = session.run(["last_hidden_state"], feeds)
    mask = batch["attention_mask"][..., None].astype(np.float32)
    pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def export(source: Path, out: Path) -> dict[str, object]:
    import numpy as np
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    work.mkdir(exist_ok=True)
    fp32 = work / "model-fp32.onnx"
    int8 = work / "model-int8.onnx"
    started = time.monotonic()
    export_onnx(source, fp32)
    # Measured on CHECK_SENTENCES (min cosine to fp32): every MatMul in int8 0.86, per-channel 0.96;
    # with the two feed-forward MatMuls of each layer (whose GELU activations have outliers) kept in
    # fp32 0.992 at 44 MB instead of 90. Activation-by-activation MatMuls (attention scores) stay fp32.
    import onnx

    graph = onnx.load(str(fp32)).graph
    feed_forward = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul" and ("/intermediate/" in node.name or node.name.endswith("/output/dense/MatMul"))
        and "/attention/" not in node.name
    ]
    quantize_dynamic(
        str(fp32),
        str(int8),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        nodes_to_exclude=feed_forward,
        extra_options={"MatMulConstBOnly": True},
    )
    reference_vectors = np.array(reference(source, CHECK_SENTENCES), dtype=np.float32)
    fp32_vectors = onnx_embed(fp32, source, CHECK_SENTENCES)
    int8_vectors = onnx_embed(int8, source, CHECK_SENTENCES)
    fp32_cosine = float((fp32_vectors * reference_vectors).sum(axis=1).min())
    int8_cosine = float((int8_vectors * fp32_vectors).sum(axis=1).min())
    if fp32_cosine < 0.999:
        raise SystemExit(f"the exported fp32 model differs from transformers' (min cosine {fp32_cosine:.5f})")
    quantised = int8_cosine >= MIN_INT8_COSINE
    shutil.copyfile(int8 if quantised else fp32, out / "model.onnx")
    # The fp32 model stays beside it: the embedder's correctness test compares it to transformers.
    shutil.copyfile(fp32, out / "model-fp32.onnx")
    shutil.copyfile(source / "tokenizer.json", out / "tokenizer.json")
    shutil.rmtree(work)
    manifest: dict[str, object] = {
        "name": "all-MiniLM-L6-v2",
        "dimensions": int(reference_vectors.shape[1]),
        "pooling": "mean",
        "normalize": True,
        "maxLength": MAX_LENGTH,
        "output": "last_hidden_state",
        "quantization": "int8-dynamic" if quantised else "none",
        "minCosineFp32VsTransformers": round(fp32_cosine, 6),
        "minCosineInt8VsFp32": round(int8_cosine, 6),
        "exportSeconds": round(time.monotonic() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export", help="export the checkpoint in --source to ONNX in --out")
    e.add_argument("--source", type=Path, required=True)
    e.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("reference", help="embed a JSON list of texts (stdin) with transformers")
    r.add_argument("--source", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "export":
        print(json.dumps(export(args.source, args.out)))
    else:
        texts = json.load(sys.stdin)
        json.dump(reference(args.source, texts), sys.stdout)


if __name__ == "__main__":
    main()
