#!/usr/bin/env python3
"""Checks rk's hand-off files with the consumers' own logic, outside .NET.

    python tools/check_exports.py hf EXPORT_DIR [--device cuda] [--tolerance 1e-4]
        Needs torch (transformers optional). Loads EXPORT_DIR/model.safetensors with plain PyTorch code, runs the
        GPTNeoXForCausalLM forward written out below (sequential residual, rotate_half RoPE over whole heads, eager
        softmax attention, exact GELU, biases), and compares its logits with the kit's own on the same input
        (EXPORT_DIR/rk_reference.safetensors, written by `rk export hf`). Prints the max abs difference; exits 1 above
        the tolerance. When transformers is installed, also loads EXPORT_DIR with AutoModelForCausalLM and compares.
    python tools/check_exports.py megatron PREFIX      reads PREFIX.idx/.bin as Megatron's _IndexReader does
    python tools/check_exports.py llmc FILE...         reads llm.c token shards as llmc/dataloader.h does
    python tools/check_exports.py nanogpt FILE         reads a nanoGPT train.bin (np.memmap(dtype=np.uint16))
    python tools/check_exports.py safetensors FILE     lists a safetensors header (names, dtypes, shapes, metadata)

The last four use the standard library only and print one JSON object.
"""
import argparse
import json
import math
import os
import struct
import sys
from array import array

# ---------------------------------------------------------------------------------------------- stdlib-only readers

MEGATRON_HEADER = b"MMIDIDX\x00\x00"
MEGATRON_DTYPES = {1: ("B", 1), 2: ("b", 1), 3: ("h", 2), 4: ("i", 4), 5: ("q", 8), 6: ("d", 8), 7: ("f", 4), 8: ("H", 2)}
LLMC_MAGIC = {20240520: (1, "H", 2), 20240801: (7, "I", 4)}   # magic -> (version, array code, bytes)


def _array(code, data):
    a = array(code)
    a.frombytes(data)
    if sys.byteorder != "little":
        a.byteswap()
    return a


def read_megatron(prefix):
    """Megatron-LM megatron/core/datasets/indexed_dataset.py: _IndexReader, then IndexedDataset.__getitem__."""
    with open(prefix + ".idx", "rb") as f:
        idx = f.read()
    if idx[:9] != MEGATRON_HEADER:
        raise ValueError(f"{prefix}.idx: bad header {idx[:9]!r}")
    (version,) = struct.unpack_from("<Q", idx, 9)
    if version != 1:
        raise ValueError(f"{prefix}.idx: version {version}")
    (code,) = struct.unpack_from("<B", idx, 17)
    sequence_count, document_count = struct.unpack_from("<QQ", idx, 18)
    offset = 34
    lengths = _array("i", idx[offset:offset + 4 * sequence_count]); offset += 4 * sequence_count
    pointers = _array("q", idx[offset:offset + 8 * sequence_count]); offset += 8 * sequence_count
    document_indices = _array("q", idx[offset:offset + 8 * document_count]); offset += 8 * document_count
    if offset != len(idx):
        raise ValueError(f"{prefix}.idx: {len(idx) - offset} bytes after the document indices")
    kind, size = MEGATRON_DTYPES[code]
    with open(prefix + ".bin", "rb") as f:
        data = f.read()
    sequences = [list(_array(kind, data[p:p + n * size])) for p, n in zip(pointers, lengths)]
    return {"format": "megatron", "dtype_code": code, "documents": document_count - 1,
            "document_indices": list(document_indices), "tokens": sum(lengths), "sequences": sequences}


def read_llmc(files):
    """llm.c llmc/dataloader.h: 256 int32 header (magic, version, token count), then the tokens."""
    stream, widths = [], set()
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        header = _array("i", data[:1024])
        magic, version, count = header[0], header[1], header[2]
        if magic not in LLMC_MAGIC or LLMC_MAGIC[magic][0] != version:
            raise ValueError(f"{path}: magic {magic} version {version} is not an llm.c token file")
        _, code, size = LLMC_MAGIC[magic]
        if len(data) != 1024 + count * size:
            raise ValueError(f"{path}: {len(data)} bytes, the header promises {1024 + count * size}")
        stream.extend(_array(code, data[1024:]))
        widths.add(size)
    return {"format": "llmc", "token_bytes": sorted(widths), "tokens": len(stream), "stream": stream}


def read_nanogpt(path):
    with open(path, "rb") as f:
        tokens = list(_array("H", f.read()))
    return {"format": "nanogpt", "tokens": len(tokens), "stream": tokens}


def safetensors_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    return n, header


# ---------------------------------------------------------------------------------------------- torch check

def check_hf(directory, device, tolerance):
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    def load(path):
        n, header = safetensors_header(path)
        dtypes = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "I64": torch.int64}
        with open(path, "rb") as f:
            f.seek(8 + n)
            data = f.read()
        tensors = {}
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            begin, end = entry["data_offsets"]
            t = torch.frombuffer(bytearray(data[begin:end]), dtype=dtypes[entry["dtype"]])
            tensors[name] = t.reshape(entry["shape"]).to(device)
        return tensors

    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    w = load(os.path.join(directory, "model.safetensors"))
    ref = load(os.path.join(directory, "rk_reference.safetensors"))
    ids = ref["input_ids"]
    d, heads, layers = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    hd, eps, theta = d // heads, cfg["layer_norm_eps"], cfg.get("rotary_emb_base", cfg.get("rope_theta", 10000.0))
    assert cfg["model_type"] == "gpt_neox" and not cfg["use_parallel_residual"] and cfg.get("rotary_pct", 1.0) == 1.0

    def norm(x, p):
        return torch.nn.functional.layer_norm(x, (d,), w[p + ".weight"].float(), w[p + ".bias"].float(), eps)

    def dense(x, p):
        return x @ w[p + ".weight"].float().T + w[p + ".bias"].float()

    def rotate_half(x):
        return torch.cat((-x[..., hd // 2:], x[..., :hd // 2]), dim=-1)

    with torch.no_grad():
        b, t = ids.shape
        x = w["gpt_neox.embed_in.weight"].float()[ids]
        inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64, device=device).float() / hd))
        freqs = torch.outer(torch.arange(t, device=device).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        causal = torch.ones(t, t, dtype=torch.bool, device=device).tril()
        for i in range(layers):
            h = f"gpt_neox.layers.{i}"
            qkv = dense(norm(x, h + ".input_layernorm"), h + ".attention.query_key_value").view(b, t, heads, 3 * hd).permute(0, 2, 1, 3)
            q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
            q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
            scores = scores.masked_fill(~causal, float("-inf"))
            attn = (scores.softmax(-1) @ v).permute(0, 2, 1, 3).reshape(b, t, d)
            x = x + dense(attn, h + ".attention.dense")
            x = x + dense(torch.nn.functional.gelu(dense(norm(x, h + ".post_attention_layernorm"), h + ".mlp.dense_h_to_4h")), h + ".mlp.dense_4h_to_h")
        logits = norm(x, "gpt_neox.final_layer_norm") @ w["embed_out.weight"].float().T

    expected = ref["logits"].float()
    worst = (logits - expected).abs().max().item()
    print(f"plain PyTorch forward vs rk: max |logit difference| {worst:.3e} over {ids.numel()} tokens x {logits.shape[-1]} ids "
          f"(logits up to {expected.abs().max().item():.2f}; torch {torch.__version__}, {device})")
    failed = worst > tolerance

    try:
        import transformers
    except ImportError:
        print("transformers is not installed: skipped the AutoModelForCausalLM check")
    else:
        model = transformers.AutoModelForCausalLM.from_pretrained(directory, torch_dtype=torch.float32, attn_implementation="eager").to(device).eval()
        with torch.no_grad():
            hf_logits = model(ids).logits.float()
        hf_worst = (hf_logits - expected).abs().max().item()
        print(f"transformers {transformers.__version__} GPTNeoXForCausalLM vs rk: max |logit difference| {hf_worst:.3e}")
        failed = failed or hf_worst > tolerance
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    hf = sub.add_parser("hf")
    hf.add_argument("directory")
    hf.add_argument("--device", default="cpu")
    hf.add_argument("--tolerance", type=float, default=1e-4)
    sub.add_parser("megatron").add_argument("prefix")
    sub.add_parser("llmc").add_argument("files", nargs="+")
    sub.add_parser("nanogpt").add_argument("file")
    sub.add_parser("safetensors").add_argument("file")
    args = parser.parse_args()
    if args.command == "hf":
        return check_hf(args.directory, args.device, args.tolerance)
    if args.command == "megatron":
        result = read_megatron(args.prefix)
    elif args.command == "llmc":
        result = read_llmc(args.files)
    elif args.command == "nanogpt":
        result = read_nanogpt(args.file)
    else:
        n, header = safetensors_header(args.file)
        result = {"header_bytes": n, "metadata": header.pop("__metadata__", None),
                  "tensors": {k: {"dtype": v["dtype"], "shape": v["shape"]} for k, v in header.items()}}
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
