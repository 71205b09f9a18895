"""The query and passage encoder on ONNX Runtime: the same model, vectors and interface, faster.

Almost all of an answer's time is the query embedding. The bundled sentence-transformers model is
exported once from its own local weights (`torch.onnx.export`, nothing downloaded) into a cache
folder (`.cache/onnx/<model fingerprint>/`, outside git), with the same tokenizer (the model's own
`tokenizer.json`), the same truncation, mean pooling and L2 normalisation. After the export its
vectors are compared with PyTorch's on a sample (single texts and padded batches, a text long
enough to be truncated); the result is written beside the export (`check.json`). Only an export
that passed is used: `load_embedder` gives the ONNX encoder where a passing check exists for this
model and sequence length, and the PyTorch one otherwise, logging why. `BOT_ENCODER` chooses:
`auto` (the default), `torch`, `onnx` (fail rather than fall back) or `onnx-int8` (dynamic int8
quantisation: an option only, see the README for what it costs in quality).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT
from bot.search.embedder import Embedder, ModelLoadError

log = logging.getLogger("bot.encoder")
CACHE_ROOT = PROJECT_ROOT / ".cache" / "onnx"
TOLERANCE = 1e-5  # largest difference allowed in any vector component (the vectors have length 1)
CHECK_FILE = "check.json"
MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
RUNTIMES = ("auto", "torch", "onnx", "onnx-int8")
SAMPLE = (
    "Is it illegal for a pupil to make a fake nude of a classmate?",
    "What should I do if I'm worried about a child?",
    "dsl training how often",
    "Staff should act on any concern immediately and speak to the designated safeguarding lead.",
    "café naïve “quoted” — Beth ddylwn i ei wneud?",
    " ".join(["The AI-generated content is illegal in the UK and is treated the same as other abuse images."] * 40),
)


class EncoderUnavailable(RuntimeError):
    """The ONNX encoder cannot be used; the message says why."""


@dataclass(frozen=True)
class Check:
    """How the ONNX export compared with PyTorch on a sample, written beside the export."""

    passed: bool
    max_abs_diff: float
    tolerance: float
    texts: int
    max_seq_length: int
    onnxruntime: str
    torch: str
    checked: str


def fingerprint(model_path: Path, max_seq_length: int) -> str:
    """The model's identity for the cache: its configuration, tokenizer and weight files' sizes."""
    digest = hashlib.sha256(str(max_seq_length).encode())
    for path in sorted(Path(model_path).rglob("*")):
        if path.is_file() and path.suffix in (".json", ".txt", ".safetensors", ".bin"):
            digest.update(path.relative_to(model_path).as_posix().encode())
            digest.update(path.read_bytes() if path.stat().st_size < 2_000_000 else str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def cache_dir(model_path: Path, max_seq_length: int, root: Path = CACHE_ROOT) -> Path:
    return Path(root) / fingerprint(model_path, max_seq_length)


def _supported(model_path: Path) -> None:
    """Only a Transformer + mean Pooling (+ Normalize) model is exported: what we reproduce."""
    modules = json.loads((model_path / "modules.json").read_text(encoding="utf-8")) \
        if (model_path / "modules.json").is_file() else []
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k not in ("Normalize",) for k in kinds[2:]):
        raise EncoderUnavailable(f"modules {kinds} are not Transformer + Pooling (+ Normalize)")
    pooling = json.loads((model_path / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
    if not pooling.get("pooling_mode_mean_tokens") or any(
            v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"):
        raise EncoderUnavailable("the model's pooling is not mean pooling")
    if not (model_path / "tokenizer.json").is_file():
        raise EncoderUnavailable("the model has no tokenizer.json")


def export(model_path: Path, target: Path, max_seq_length: int) -> Path:
    """Export the model's transformer to `target/model.onnx` from its local weights (atomically)."""
    import torch
    from sentence_transformers import SentenceTransformer

    _supported(model_path)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    # plain ("eager") attention exports as ops ONNX Runtime's optimiser fuses into one Attention op
    model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True,
                                model_kwargs={"attn_implementation": "eager"})
    model.max_seq_length = max_seq_length

    class LastHiddenState(torch.nn.Module):
        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    wrapped = LastHiddenState(model[0].auto_model.eval())
    example = model[0].tokenizer(["a short text", "a slightly longer text to pad the first"], padding=True,
                                 return_tensors="pt")
    target.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=target)
    os.close(fd)
    axes = {0: "batch", 1: "sequence"}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on the attention mask; the check below decides
        torch.onnx.export(wrapped, (example["input_ids"], example["attention_mask"], example["token_type_ids"]), tmp,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})
    _fuse(Path(tmp), model[0].auto_model.config)
    os.replace(tmp, target / MODEL_FILE)
    return target / MODEL_FILE


def _fuse(path: Path, config) -> None:
    """Fuse attention, layer norms and GELU with ONNX Runtime's transformer optimiser (in place),
    for a BERT-like model; otherwise, or if it fails, the plain export stays (the check decides)."""
    if getattr(config, "model_type", "") not in ("bert", "roberta", "distilbert", "xlm-roberta", "mpnet"):
        return
    try:
        from onnxruntime.transformers import optimizer

        fused = optimizer.optimize_model(str(path), model_type="bert", num_heads=config.num_attention_heads,
                                         hidden_size=config.hidden_size, opt_level=1)
        fused.save_model_to_file(str(path))
    except Exception as exc:  # noqa: BLE001 - an optimiser failure only costs speed
        log.info("ONNX fusion skipped: %s", exc)


def quantise(target: Path) -> Path:
    """An int8 copy of the export (dynamic quantisation of the weights), for the option only."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(prefix=".int8-", suffix=".onnx", dir=target)
    os.close(fd)
    import onnx

    # the fused ops are ONNX Runtime's own, which shape inference cannot type: their outputs are float
    quantize_dynamic(str(target / MODEL_FILE), tmp, weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    os.replace(tmp, target / INT8_FILE)
    return target / INT8_FILE


def default_threads() -> int:
    """Intra-op threads per call: `BOT_ENCODER_THREADS`, else the machine's cores (at most 4), the
    fastest for one question at a time. The server sets it from waitress's thread count
    (bot/web/serve.py): several requests run at once there, and threads beyond the cores queue."""
    value = os.environ.get("BOT_ENCODER_THREADS", "").strip()
    return max(1, int(value)) if value.isdigit() else max(1, min(4, os.cpu_count() or 1))


def server_threads(request_threads: int, cores: int | None = None) -> int:
    """Intra-op threads per call for a server running `request_threads` requests at once: the
    cores shared out between them, at least one each (README, "Encoder", measured with
    `make bench-http`)."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, request_threads))


class OnnxEmbedder:
    """The Embedder interface on ONNX Runtime's CPU provider."""

    def __init__(self, model_path: Path, max_seq_length: int = 256, cache: Path | None = None,
                 threads: int | None = None, int8: bool = False):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise EncoderUnavailable(f"onnxruntime is not installed ({exc})") from None
        model_path = Path(model_path)
        cache = cache or cache_dir(model_path, max_seq_length)
        onnx_file = cache / (INT8_FILE if int8 else MODEL_FILE)
        if not onnx_file.is_file():
            raise EncoderUnavailable(f"no export at {onnx_file}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)
        pad = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad is None else pad, pad_token="[PAD]")
        self.path = model_path
        self.max_seq_length = max_seq_length
        self.runtime = "onnx-int8" if int8 else "onnx"
        self.dimension = int(self._run(["dimension probe"]).shape[1])

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        texts = list(texts)
        # sorted by length so a batch pads little; the vectors go back in the caller's order
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        from tqdm import tqdm

        # the same progress bar as sentence-transformers shows, for `python -m bot index`
        for start in tqdm(range(0, len(order), batch_size), desc="Batches", disable=not progress):
            chosen = order[start:start + batch_size]
            out[chosen] = self._run([texts[i] for i in chosen])
        return np.ascontiguousarray(out, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self._run([text])[0].astype(np.float32)

    def words(self) -> frozenset[str]:
        """The whole words of the model's tokenizer vocabulary (word pieces included)."""
        return frozenset(self.tokenizer.get_vocab())


def compare(reference: Embedder, candidate: OnnxEmbedder, texts: Sequence[str]) -> float:
    """The largest difference in any component between the two encoders' vectors for `texts`,
    one at a time and in batches (padding included)."""
    texts = list(texts)
    batched = np.abs(reference.encode(texts) - candidate.encode(texts)).max()
    single = max(float(np.abs(reference.encode_query(t) - candidate.encode_query(t)).max()) for t in texts[:16])
    return float(max(batched, single))


def prepare(model_path: Path, max_seq_length: int = 256, sample: Sequence[str] = (), root: Path = CACHE_ROOT,
            reference: Embedder | None = None, force: bool = False) -> Check:
    """Export the model if needed and check its vectors against PyTorch's on a sample; the result
    is written to `check.json` and returned. Never raises for a model it cannot export: the check
    then says it did not pass (and why, in the log)."""
    import onnxruntime
    import torch

    model_path = Path(model_path)
    target = cache_dir(model_path, max_seq_length, root)
    texts = list(SAMPLE) + [t for t in sample if t.strip()][:48]
    try:
        if force or not (target / MODEL_FILE).is_file():
            started = time.perf_counter()
            export(model_path, target, max_seq_length)
            log.info("exported %s to ONNX in %.1f s", model_path.name, time.perf_counter() - started)
        reference = reference or Embedder(model_path, max_seq_length)
        diff = compare(reference, OnnxEmbedder(model_path, max_seq_length, target), texts)
    except (EncoderUnavailable, ModelLoadError, OSError, RuntimeError, ValueError) as exc:
        log.warning("the ONNX encoder is not used: %s", exc)
        diff = float("inf")
    check = Check(passed=diff <= TOLERANCE, max_abs_diff=diff, tolerance=TOLERANCE, texts=len(texts),
                  max_seq_length=max_seq_length, onnxruntime=onnxruntime.__version__, torch=torch.__version__,
                  checked=datetime.now(UTC).isoformat(timespec="seconds"))
    target.mkdir(parents=True, exist_ok=True)
    (target / CHECK_FILE).write_text(json.dumps(asdict(check), indent=1), encoding="utf-8")
    if not check.passed:
        log.warning("the ONNX encoder's vectors differ from PyTorch's by %.2g (tolerance %.0e): PyTorch is used",
                    diff, TOLERANCE)
    return check


def read_check(model_path: Path, max_seq_length: int, root: Path = CACHE_ROOT) -> Check | None:
    path = cache_dir(model_path, max_seq_length, root) / CHECK_FILE
    try:
        return Check(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def runtime_setting() -> str:
    value = os.environ.get("BOT_ENCODER", "auto").strip().lower() or "auto"
    if value not in RUNTIMES:
        raise EncoderUnavailable(f"BOT_ENCODER must be one of {', '.join(RUNTIMES)}, not {value!r}")
    return value


def load_embedder(model_path: Path, max_seq_length: int = 256, runtime: str | None = None,
                  root: Path = CACHE_ROOT) -> Embedder | OnnxEmbedder:
    """The encoder to use: ONNX where its export passed the check for this model, else PyTorch
    (with the reason logged). `runtime` (default: `BOT_ENCODER`) forces one."""
    runtime = runtime or runtime_setting()
    if runtime == "torch":
        return Embedder(model_path, max_seq_length)
    check = read_check(model_path, max_seq_length, root)
    if check is None or not check.passed:
        reason = "no ONNX export checked for this model yet (python -m bot encoder prepare)" if check is None else \
            f"the ONNX export differed from PyTorch by {check.max_abs_diff:.2g} (tolerance {check.tolerance:.0e})"
        if runtime != "auto":
            raise EncoderUnavailable(reason)
        log.info("encoder: PyTorch (%s)", reason)
        return Embedder(model_path, max_seq_length)
    target = cache_dir(model_path, max_seq_length, root)
    try:
        if runtime == "onnx-int8" and not (target / INT8_FILE).is_file():
            quantise(target)
        return OnnxEmbedder(model_path, max_seq_length, target, int8=runtime == "onnx-int8")
    except (EncoderUnavailable, OSError, RuntimeError) as exc:
        if runtime != "auto":
            raise EncoderUnavailable(str(exc)) from None
        log.warning("encoder: PyTorch (the ONNX export could not be loaded: %s)", exc)
        return Embedder(model_path, max_seq_length)
