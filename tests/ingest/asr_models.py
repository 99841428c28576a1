"""Tiny random speech models in each engine's own format, built on the spot.

- openai-whisper: a random `Whisper` saved as a `.pt` checkpoint (dims in FINDINGS).
- CTranslate2: the same weights converted with CTranslate2's own `WhisperSpec` (the
  layout faster-whisper loads), with the multilingual tokenizer and vocabulary of the
  installed default model (Whisper's tokenizer does not depend on the model size).
- onnx-asr: a GigaAM-v2-CTC-shaped ONNX graph (features [B, 64, T] → log_probs
  [B, T/4, V]) made with the `onnx` helpers, and a Cyrillic vocabulary.

The engines run their real code paths on them; the text is noise, the structure is not.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

WHISPER_DIMS = {
    "n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 64, "n_audio_head": 1,
    "n_audio_layer": 1, "n_vocab": 51865, "n_text_ctx": 448, "n_text_state": 64,
    "n_text_head": 1, "n_text_layer": 1,
}  # fmt: skip


def tiny_openai_whisper(folder: Path, *, seed: int = 3) -> Path:
    """A random-initialised Whisper saved as `folder/tiny.pt` (14 MB)."""
    import torch
    from whisper.model import ModelDimensions, Whisper

    # A seed whose random model stops decoding quickly and gives words with both engines
    # (of seeds 0-15 only 3 and 15 do with ctranslate2 4.8.5; the earlier seed 4 no longer).
    torch.manual_seed(seed)
    dims = ModelDimensions(**WHISPER_DIMS)
    model = Whisper(dims)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0.0, 0.02)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.pt"
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def _linear(spec: Any, weight: np.ndarray, bias: np.ndarray | None) -> None:
    spec.weight = weight
    if bias is not None:
        spec.bias = bias


def _attention(spec: Any, w: dict[str, np.ndarray], prefix: str, *, self_attention: bool) -> None:
    q, k, v = (w[f"{prefix}.{n}.weight"] for n in ("query", "key", "value"))
    qb, vb = w[f"{prefix}.query.bias"], w[f"{prefix}.value.bias"]
    kb = np.zeros_like(qb)  # Whisper's key projection has no bias
    if self_attention:
        _linear(spec.linear[0], np.concatenate([q, k, v]), np.concatenate([qb, kb, vb]))
    else:
        _linear(spec.linear[0], q, qb)
        _linear(spec.linear[1], np.concatenate([k, v]), np.concatenate([kb, vb]))
    _linear(spec.linear[-1], w[f"{prefix}.out.weight"], w[f"{prefix}.out.bias"])


def _norm(spec: Any, w: dict[str, np.ndarray], prefix: str) -> None:
    spec.gamma, spec.beta = w[f"{prefix}.weight"], w[f"{prefix}.bias"]


def _block(layer: Any, w: dict[str, np.ndarray], prefix: str, *, cross: bool) -> None:
    _attention(layer.self_attention, w, f"{prefix}.attn", self_attention=True)
    _norm(layer.self_attention.layer_norm, w, f"{prefix}.attn_ln")
    if cross:
        _attention(layer.attention, w, f"{prefix}.cross_attn", self_attention=False)
        _norm(layer.attention.layer_norm, w, f"{prefix}.cross_attn_ln")
    _linear(layer.ffn.linear_0, w[f"{prefix}.mlp.0.weight"], w[f"{prefix}.mlp.0.bias"])
    _linear(layer.ffn.linear_1, w[f"{prefix}.mlp.2.weight"], w[f"{prefix}.mlp.2.bias"])
    _norm(layer.ffn.layer_norm, w, f"{prefix}.mlp_ln")


def ct2_from_openai(checkpoint: Path, out: Path, *, tokenizer_from: Path) -> Path:
    """Convert an openai-whisper checkpoint to a CTranslate2 folder (float32 weights).

    `tokenizer_from` is a CTranslate2 Whisper folder whose tokenizer.json, vocabulary
    and token configuration are copied (same multilingual tokenizer, 51,865 tokens).
    """
    import torch
    from ctranslate2.specs import whisper_spec

    raw = torch.load(checkpoint, map_location="cpu", weights_only=False)
    dims = raw["dims"]
    w = {k: v.float().numpy() for k, v in raw["model_state_dict"].items()}
    spec = whisper_spec.WhisperSpec(
        dims["n_audio_layer"], dims["n_audio_head"], dims["n_text_layer"], dims["n_text_head"]
    )
    enc, dec = spec.encoder, spec.decoder
    for name in ("conv1", "conv2"):
        _linear(getattr(enc, name), w[f"encoder.{name}.weight"], w[f"encoder.{name}.bias"])
    enc.position_encodings.encodings = w["encoder.positional_embedding"]
    _norm(enc.layer_norm, w, "encoder.ln_post")
    for i, layer in enumerate(enc.layer):
        _block(layer, w, f"encoder.blocks.{i}", cross=False)
    dec.embeddings.weight = w["decoder.token_embedding.weight"]
    dec.position_encodings.encodings = w["decoder.positional_embedding"]
    _norm(dec.layer_norm, w, "decoder.ln")
    for i, layer in enumerate(dec.layer):
        _block(layer, w, f"decoder.blocks.{i}", cross=True)
    dec.projection.weight = w["decoder.token_embedding.weight"]
    base = json.loads((tokenizer_from / "config.json").read_text())
    spec.config.suppress_ids = base["suppress_ids"]
    spec.config.suppress_ids_begin = base["suppress_ids_begin"]
    spec.config.lang_ids = base["lang_ids"]
    heads = [
        (layer, head)
        for layer in range(dims["n_text_layer"])
        for head in range(dims["n_text_head"])
    ]
    spec.config.alignment_heads = heads
    spec.register_vocabulary(json.loads((tokenizer_from / "vocabulary.json").read_text()))
    spec.validate()
    spec.optimize(quantization=None)
    out.mkdir(parents=True, exist_ok=True)
    spec.save(str(out))
    shutil.copyfile(tokenizer_from / "tokenizer.json", out / "tokenizer.json")
    return out


CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def tiny_gigaam_ctc(out: Path, *, seed: int = 0) -> Path:
    """A GigaAM-v2-CTC-shaped ONNX model (one strided convolution) and its vocabulary."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    vocab = ["\u2581", *CYRILLIC, "<blk>"]
    rng = np.random.default_rng(seed)
    weight = rng.normal(0.0, 0.3, (len(vocab), 64, 1)).astype(np.float32)
    bias = rng.normal(0.0, 0.5, (len(vocab),)).astype(np.float32)
    bias[-1] += 1.0  # blank wins often, as in a trained CTC model
    bias[0] += 1.0  # and word boundaries are common: words stay short
    graph = helper.make_graph(
        [
            helper.make_node(
                "Conv", ["features", "w", "b"], ["conv"], strides=[4], kernel_shape=[1]
            ),
            helper.make_node("Transpose", ["conv"], ["logits"], perm=[0, 2, 1]),
            helper.make_node("LogSoftmax", ["logits"], ["log_probs"], axis=-1),
            # The lengths are an input of the real model; use them so the graph keeps them.
            helper.make_node("Identity", ["feature_lengths"], ["lengths_out"]),
        ],
        "tiny_gigaam_ctc",
        [
            helper.make_tensor_value_info("features", TensorProto.FLOAT, ["B", 64, "T"]),
            helper.make_tensor_value_info("feature_lengths", TensorProto.INT64, ["B"]),
        ],
        [
            helper.make_tensor_value_info("log_probs", TensorProto.FLOAT, ["B", "T4", len(vocab)]),
            helper.make_tensor_value_info("lengths_out", TensorProto.INT64, ["B"]),
        ],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out / "v2_ctc.onnx"))
    (out / "v2_vocab.txt").write_text("".join(f"{t} {i}\n" for i, t in enumerate(vocab)))
    (out / "config.json").write_text(json.dumps({"model_type": "gigaam-v2-ctc"}))
    return out


def read_ctranslate2(path: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 `model.bin` (the layout of `ModelSpec._serialize`)."""
    import struct

    dtypes = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
    out: dict[str, np.ndarray] = {}
    with path.open("rb") as fh:

        def take(fmt: str) -> tuple[Any, ...]:
            return struct.unpack(fmt, fh.read(struct.calcsize(fmt)))

        def text() -> str:
            (length,) = take("<H")
            return fh.read(length)[:-1].decode()

        take("<I")
        text()
        take("<I")
        (count,) = take("<I")
        for _ in range(count):
            name = text()
            (rank,) = take("<B")
            dims = take(f"<{rank}I") if rank else ()
            (dtype,) = take("<B")
            (nbytes,) = take("<I")
            raw = fh.read(nbytes)
            if dtype in dtypes:
                out[name] = np.frombuffer(raw, dtypes[dtype]).reshape(dims)
    return out


def openai_from_ct2(folder: Path, out: Path) -> Path:
    """The same weights as an openai-whisper checkpoint (the inverse of `ct2_from_openai`),
    so both engines can be measured on one model. float16 weights convert exactly."""
    import torch

    v = read_ctranslate2(folder / "model.bin")

    def count(side: str) -> int:
        return len({k.split("/")[1] for k in v if re.match(rf"{side}/layer_\d+/", k)})

    layers_enc, layers_dec = count("encoder"), count("decoder")
    state = int(v["encoder/conv1/weight"].shape[0])
    heads = int(v["encoder/num_heads"]) if "encoder/num_heads" in v else state // 64
    w: dict[str, np.ndarray] = {}

    def put(name: str, array: np.ndarray) -> None:
        w[name] = np.array(array, dtype=np.float32)

    def norm(dst: str, src: str) -> None:
        put(f"{dst}.weight", v[f"{src}/gamma"])
        put(f"{dst}.bias", v[f"{src}/beta"])

    def linear(dst: str, src: str, *, bias: bool = True) -> None:
        put(f"{dst}.weight", v[f"{src}/weight"])
        if bias:
            put(f"{dst}.bias", v[f"{src}/bias"])

    def self_attention(dst: str, src: str) -> None:
        qkv, b = v[f"{src}/linear_0/weight"], v[f"{src}/linear_0/bias"]
        for i, part in enumerate(("query", "key", "value")):
            put(f"{dst}.{part}.weight", qkv[i * state : (i + 1) * state])
            if part != "key":
                put(f"{dst}.{part}.bias", b[i * state : (i + 1) * state])
        linear(f"{dst}.out", f"{src}/linear_1")

    for name in ("conv1", "conv2"):
        linear(f"encoder.{name}", f"encoder/{name}")
    put("encoder.positional_embedding", v["encoder/position_encodings/encodings"])
    norm("encoder.ln_post", "encoder/layer_norm")
    for i in range(layers_enc):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        self_attention(f"{dst}.attn", f"{src}/self_attention")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    put("decoder.token_embedding.weight", v["decoder/embeddings/weight"])
    put("decoder.positional_embedding", v["decoder/position_encodings/encodings"])
    norm("decoder.ln", "decoder/layer_norm")
    for i in range(layers_dec):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        self_attention(f"{dst}.attn", f"{src}/self_attention")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        kv, kvb = v[f"{src}/attention/linear_1/weight"], v[f"{src}/attention/linear_1/bias"]
        put(f"{dst}.cross_attn.key.weight", kv[:state])
        put(f"{dst}.cross_attn.value.weight", kv[state:])
        put(f"{dst}.cross_attn.value.bias", kvb[state:])
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]), "n_audio_ctx": 1500,
        "n_audio_state": state, "n_audio_head": heads, "n_audio_layer": layers_enc,
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]), "n_text_ctx": 448,
        "n_text_state": state, "n_text_head": heads, "n_text_layer": layers_dec,
    }  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: torch.from_numpy(a) for k, a in w.items()}
    torch.save({"dims": dims, "model_state_dict": tensors}, out)
    return out
