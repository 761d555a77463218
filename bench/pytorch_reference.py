#!/usr/bin/env python3
"""PyTorch reference for `rk bench train`: the same GPT (pre-norm, RoPE, SDPA, tied head, nanoGPT init), the same
optimizer step (grad-norm clip 1.0, AdamW with decay on matrices only) on the same windows as the kit (the file
`rk bench train` writes: tokens, document segments, trainable flags), with the same document mask (block-diagonal
attention, positions restarting per document, no target across a border), the same masked-mean loss and the same
host syncs (the loss read every --log-every steps). Eager with bf16 autocast and fused AdamW by default; --compile
adds torch.compile. It prints one line in the kit's format, or "not comparable: why" for a PyTorch that is no fair
reference (older than 2.0: no fused AdamW, no scaled_dot_product_attention; or running on the reference BLAS).

    rk bench train --preset gpu                              # runs this script on the same windows and threads
    python bench/pytorch_reference.py --windows W.bin --threads 2 [--compile] [--fp32]

The version and BLAS checks and the data path need no torch, so they are tested where torch is missing:
    python bench/pytorch_reference.py --check-comparability --assume-torch 1.13.1 --assume-blas /usr/lib/x86_64-linux-gnu/blas/libblas.so.3
    python bench/pytorch_reference.py --check-data W.bin      # JSON: each window's inputs, targets, loss mask, positions
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import time

MIN_TORCH = (2, 0)


# --- comparability (no torch needed) -------------------------------------------------------------------------------

def parse_version(text):
    """(major, minor) of a version string such as '2.4.1+cu121' or '1.13.1'."""
    match = re.match(r"\s*(\d+)\.(\d+)", text)
    if not match:
        raise ValueError(f"not a version: {text!r}")
    return int(match.group(1)), int(match.group(2))


def classify_blas(libraries, build_config=""):
    """The BLAS a process computes with: the libraries mapped into it decide (Debian picks libblas.so.3 through
    alternatives at run time), else torch's build configuration (PyPI wheels link MKL statically)."""
    for lib in libraries:
        path = os.path.realpath(lib) if os.path.exists(lib) else lib
        low = path.lower()
        if "openblas" in low:
            return "openblas"
        if "mkl" in low:
            return "mkl"
        if "blis" in low:
            return "blis"
        if "atlas" in low:
            return "atlas"
        if re.search(r"/blas/libblas\.so", low) or re.search(r"(^|/)libblas\.so", low) or "refblas" in low or "netlib" in low:
            return "reference"
    match = re.search(r"BLAS_INFO=(\w+)", build_config)
    if match:
        info = match.group(1).lower()
        return {"open": "openblas", "blas": "reference", "generic": "reference"}.get(info, info)
    return "unknown"


def comparability(torch_version, blas):
    """Why timing this PyTorch would not be a fair reference, or None when it is one."""
    if parse_version(torch_version) < MIN_TORCH:
        return (f"PyTorch {torch_version} is older than {MIN_TORCH[0]}.{MIN_TORCH[1]}: it has no fused AdamW and no "
                f"scaled_dot_product_attention, so it times a different (slower) algorithm")
    if blas == "reference":
        return "PyTorch computes with the reference (netlib) BLAS, 12-16x slower on matmuls than an optimized BLAS"
    return None


def mapped_blas_libraries():
    """Shared libraries mapped into this process whose names say BLAS (after torch ran a matmul)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/" in line}
    except OSError:
        return []
    return sorted(p for p in paths if re.search(r"blas|mkl|blis|atlas", os.path.basename(p), re.I))


# --- windows and their derived arrays (no torch needed) ------------------------------------------------------------

def read_windows(path):
    """The file `rk bench train` writes (TrainBench.WriteWindows): "RKWINDOW", version, count, length, document mask,
    then per window int32 tokens[length], int32 segments[length], uint8 trainable[length]."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"RKWINDOW":
        raise ValueError(f"{path}: not a window file")
    version, count, length, mask = struct.unpack_from("<4i", data, 8)
    if version != 1:
        raise ValueError(f"{path}: window file version {version}, expected 1")
    at, windows = 24, []
    for _ in range(count):
        tokens = list(struct.unpack_from(f"<{length}i", data, at)); at += 4 * length
        segments = list(struct.unpack_from(f"<{length}i", data, at)); at += 4 * length
        trainable = [b != 0 for b in data[at:at + length]]; at += length
        windows.append((tokens, segments, trainable))
    if at != len(data):
        raise ValueError(f"{path}: {len(data) - at} bytes after {count} windows")
    return windows, bool(mask)


def derive(tokens, segments, trainable, document_mask):
    """Inputs, targets, loss mask and RoPE positions of one window of T+1 tokens, as the kit's Batch does: the target
    of a document's last token (the next document's first) is masked with the document mask, and positions restart
    at each document start (0 at the window start). single_document: no border among the inputs."""
    t = len(tokens) - 1
    loss_mask, positions, start = [], [], 0
    for i in range(t):
        same = segments[i] == segments[i + 1]
        loss_mask.append(1.0 if trainable[i + 1] and (same or not document_mask) else 0.0)
        if i > 0 and segments[i] != segments[i - 1]:
            start = i
        positions.append(i - start if document_mask else i)
    return {
        "inputs": tokens[:t],
        "targets": tokens[1:],
        "loss_mask": loss_mask,
        "positions": positions,
        "single_document": all(s == segments[0] for s in segments[:t]),
    }


# --- the model and the timed loop (torch) --------------------------------------------------------------------------

def build(torch):
    nn, F = torch.nn, torch.nn.functional

    def rope(q, cos, sin):
        """Rotates (first half, second half) pairs by the position angle, in fp32 (as Gpt.cs)."""
        half = q.shape[-1] // 2
        qf = q.float()
        q1, q2 = qf[..., :half], qf[..., half:]
        return torch.cat([q1 * cos - q2 * sin, q2 * cos + q1 * sin], -1).to(q.dtype)

    class Block(nn.Module):
        def __init__(self, d, heads):
            super().__init__()
            self.heads = heads
            self.ln1 = nn.LayerNorm(d)
            self.attn_qkv = nn.Linear(d, 3 * d, bias=False)
            self.attn_proj = nn.Linear(d, d, bias=False)
            self.ln2 = nn.LayerNorm(d)
            self.mlp_fc = nn.Linear(d, 4 * d, bias=False)
            self.mlp_proj = nn.Linear(4 * d, d, bias=False)

        def forward(self, x, cos, sin, mask):
            b, t, d = x.shape
            q, k, v = self.attn_qkv(self.ln1(x)).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
            q, k = rope(q, cos, sin), rope(k, cos, sin)
            if mask is None:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            x = x + self.attn_proj(y.transpose(1, 2).reshape(b, t, d))
            return x + self.mlp_proj(F.gelu(self.mlp_fc(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self, vocab, d, layers, heads, context, theta=10_000.0):
            super().__init__()
            self.wte = nn.Embedding(vocab, d)
            self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
            self.ln_f = nn.LayerNorm(d)
            hd = d // heads
            angles = torch.arange(context, dtype=torch.float64)[:, None] * theta ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
            self.register_buffer("cos", angles.cos().float(), persistent=False)
            self.register_buffer("sin", angles.sin().float(), persistent=False)
            for name, p in self.named_parameters():
                if p.dim() == 1:
                    continue  # LayerNorm: weight 1, bias 0 already
                std = 0.02 / math.sqrt(2 * layers) if name.endswith("proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

        def forward(self, tokens, positions, mask):
            t = tokens.shape[1]
            if positions is None:
                cos, sin = self.cos[:t], self.sin[:t]
            else:
                cos, sin = self.cos[positions].unsqueeze(1), self.sin[positions].unsqueeze(1)
            x = self.wte(tokens)
            for block in self.blocks:
                x = block(x, cos, sin, mask)
            return F.linear(self.ln_f(x), self.wte.weight).float()  # tied head

    return GPT


def batches_of(torch, windows, document_mask, batch):
    """Host tensors per step, derived before timing (the kit times its own loader in its phase breakdown)."""
    out = []
    for start in range(0, len(windows) - batch + 1, batch):
        rows = [derive(*w, document_mask) for w in windows[start:start + batch]]
        single = all(r["single_document"] for r in rows)
        t = len(rows[0]["inputs"])
        out.append({
            "inputs": torch.tensor([r["inputs"] for r in rows], dtype=torch.int64),
            "targets": torch.tensor([r["targets"] for r in rows], dtype=torch.int64),
            "loss_mask": torch.tensor([r["loss_mask"] for r in rows], dtype=torch.float32),
            "positions": None if single or not document_mask else torch.tensor([r["positions"] for r in rows], dtype=torch.int64),
            "segments": None if single or not document_mask else torch.tensor([w[1][:t] for w in windows[start:start + batch]], dtype=torch.int64),
        })
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", help="window file written by `rk bench train`")
    ap.add_argument("--vocab", type=int, default=50304)
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--context", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--log-every", type=int, default=10, help="read the loss back every N steps (as the kit)")
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--threads", type=int, help="intra-op CPU threads (the kit passes its own)")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--fp32", action="store_true", help="no autocast (compare with --precision Fp32)")
    ap.add_argument("--peak-tflops", type=float, default=989.0)
    ap.add_argument("--check-comparability", action="store_true", help="print the comparability verdict and exit")
    ap.add_argument("--assume-torch", help="with --check-comparability: this torch version instead of importing torch")
    ap.add_argument("--assume-blas", action="append", default=[], help="with --assume-torch: a mapped BLAS library path")
    ap.add_argument("--check-data", metavar="WINDOWS", help="print each window's derived arrays as JSON and exit")
    args = ap.parse_args()
    impl = "pytorch-compile" if args.compile else "pytorch-eager"

    if args.check_data:
        windows, mask = read_windows(args.check_data)
        print(json.dumps([derive(*w, mask) for w in windows]))
        return

    if args.assume_torch:
        version, blas = args.assume_torch, classify_blas(args.assume_blas)
    else:
        try:
            import torch
        except ImportError as e:
            print(f"impl={impl} not comparable: python3 cannot import torch ({e})")
            return
        torch.ones(64, 64) @ torch.ones(64, 64)  # loads the BLAS the process will use
        version, blas = torch.__version__, classify_blas(mapped_blas_libraries(), torch.__config__.show())
    why = comparability(version, blas)
    if why is not None or args.check_comparability:
        print(f"impl={impl} torch={version} blas={blas} " + (f"not comparable: {why}" if why else "comparable"))
        return
    run(torch, args, impl, version, blas)


def run(torch, args, impl, version, blas):
    F = torch.nn.functional
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    if not args.windows:
        sys.exit("--windows is required (rk bench train writes the file)")
    windows, document_mask = read_windows(args.windows)
    context = len(windows[0][0]) - 1
    if context != args.context:
        sys.exit(f"the windows hold {context} positions, --context is {args.context}")
    steps = batches_of(torch, windows, document_mask, args.batch)
    if len(steps) < args.warmup + args.steps:
        sys.exit(f"{len(steps)} batches in {args.windows}, {args.warmup + args.steps} needed")

    model = build(torch)(args.vocab, args.d, args.layers, args.heads, args.context).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    try:  # fused AdamW: CUDA since 2.0, CPU since 2.4
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8, fused=True)
        optimizer = "fused"
    except (RuntimeError, TypeError, ValueError):
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8, foreach=True)
        optimizer = "foreach"
    step_model = torch.compile(model) if args.compile else model
    use_bf16 = device == "cuda" and not args.fp32
    pin = device == "cuda"
    paths = {"causal-flag": 0, "masked": 0}
    pending = []

    def upload(x):
        return None if x is None else (x.pin_memory() if pin else x).to(device, non_blocking=True)

    def step(b, timed):
        tokens, targets, loss_mask = upload(b["inputs"]), upload(b["targets"]), upload(b["loss_mask"])
        positions, segments = upload(b["positions"]), upload(b["segments"])
        mask = None
        if segments is not None:
            t = segments.shape[1]
            causal = torch.ones(t, t, dtype=torch.bool, device=device).tril()
            mask = ((segments[:, :, None] == segments[:, None, :]) & causal).unsqueeze(1)
        if timed:
            paths["masked" if mask is not None else "causal-flag"] += 1
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=use_bf16):
            logits = step_model(tokens, positions, mask)
        per_token = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), reduction="none")
        loss = (per_token * loss_mask.view(-1)).sum() / loss_mask.sum().clamp_min(1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        pending.append(torch.stack([loss.detach(), norm.detach()]))
        if len(pending) >= args.log_every:
            read()

    def read():
        values = torch.stack(pending).cpu().tolist()  # one wait for the device per block, as the kit
        pending.clear()
        for loss, norm in values:
            if not (math.isfinite(loss) and math.isfinite(norm)):
                sys.exit(f"diverged: loss {loss}, grad norm {norm}")

    for b in steps[:args.warmup]:
        step(b, False)
    read()
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for b in steps[args.warmup:args.warmup + args.steps]:
        step(b, True)
    read()
    if device == "cuda":
        torch.cuda.synchronize()
    per_step = (time.perf_counter() - start) / args.steps
    tokens_per_s = args.batch * args.context / per_step
    # 6N + 12·L·T·d FLOPs per token (PaLM / nanoGPT), N counting the tied embedding once.
    flops_per_token = 6 * n_params + 12 * args.layers * args.context * args.d
    mfu = flops_per_token * tokens_per_s / (args.peak_tflops * 1e12)
    precision = "Bf16Mixed" if use_bf16 else "Fp32"
    wait = os.environ.get("OMP_WAIT_POLICY", "default").lower()
    print(f"impl={impl} device={device} precision={precision} params={n_params / 1e6:.1f}M batch={args.batch}x{args.context} "
          f"step_ms={per_step * 1000:.1f} tokens_per_s={tokens_per_s:.0f} mfu={mfu * 100:.1f}% "
          f"threads={torch.get_num_threads()} omp_wait={wait} attention=causal-flag:{paths['causal-flag']} masked:{paths['masked']} "
          f"torch={version} blas={blas} optimizer={optimizer} {peak_memory(torch, device)}")


def peak_memory(torch, device):
    """Peak resident memory of this process (ru_maxrss is KiB on Linux) and, on CUDA, the caching allocator's peak."""
    import resource
    host = f"peak_host_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6:.0f}"
    if device != "cuda":
        return host
    return f"{host} peak_device_mb={torch.cuda.max_memory_allocated() / 1e6:.0f} reserved_device_mb={torch.cuda.max_memory_reserved() / 1e6:.0f}"


if __name__ == "__main__":
    main()
