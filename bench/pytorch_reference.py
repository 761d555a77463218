#!/usr/bin/env python3
"""PyTorch reference for `rk bench train`: the same GPT (pre-norm, RoPE, causal SDPA, tied head, nanoGPT init),
the same optimizer step (grad-norm clip 1.0, AdamW with decay on matrices only), random tokens, and the same
output line. Eager with bf16 autocast and fused AdamW by default; --compile adds torch.compile.

    python bench/pytorch_reference.py                 # d 768, 12 layers, 12 heads, T 1024, vocab 50304, batch 16
    python bench/pytorch_reference.py --compile
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        q, k, v = self.attn_qkv(self.ln1(x)).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attn_proj(y.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp_proj(F.gelu(self.mlp_fc(self.ln2(x))))


def rope(q, cos, sin):
    """Rotates (first half, second half) pairs by the position angle, in fp32 (as Gpt.cs)."""
    half = q.shape[-1] // 2
    qf = q.float()
    q1, q2 = qf[..., :half], qf[..., half:]
    return torch.cat([q1 * cos - q2 * sin, q2 * cos + q1 * sin], -1).to(q.dtype)


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

    def forward(self, tokens):
        t = tokens.shape[1]
        cos, sin = self.cos[:t], self.sin[:t]
        x = self.wte(tokens)
        for block in self.blocks:
            x = block(x, cos, sin)
        return F.linear(self.ln_f(x), self.wte.weight).float()  # tied head


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=50304)
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--context", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--fp32", action="store_true", help="no autocast (compare with --precision Fp32)")
    ap.add_argument("--peak-tflops", type=float, default=989.0)
    args = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(1234)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    model = GPT(args.vocab, args.d, args.layers, args.heads, args.context).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=6e-4, betas=(0.9, 0.95), eps=1e-8, fused=device == "cuda")
    step_model = torch.compile(model) if args.compile else model
    use_bf16 = device == "cuda" and not args.fp32
    g = torch.Generator(device=device).manual_seed(1234)

    def step():
        ids = torch.randint(0, args.vocab, (args.batch, args.context + 1), device=device, generator=g)
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=use_bf16):
            logits = step_model(ids[:, :-1])
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()  # one sync per step, as the C# trainer

    for _ in range(args.warmup):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    per_step = (time.perf_counter() - start) / args.steps
    tokens_per_s = args.batch * args.context / per_step
    # 6N + 12·L·T·d FLOPs per token (PaLM / nanoGPT), N counting the tied embedding once.
    flops_per_token = 6 * n_params + 12 * args.layers * args.context * args.d
    mfu = flops_per_token * tokens_per_s / (args.peak_tflops * 1e12)
    impl = "pytorch-compile" if args.compile else "pytorch-eager"
    precision = "Bf16Mixed" if use_bf16 else "Fp32"
    print(f"impl={impl} device={device} precision={precision} params={n_params / 1e6:.1f}M batch={args.batch}x{args.context} "
          f"step_ms={per_step * 1000:.1f} tokens_per_s={tokens_per_s:.0f} mfu={mfu * 100:.1f}%")


if __name__ == "__main__":
    main()
