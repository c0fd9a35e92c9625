"""The exported attention against PyTorch's (version2.test.ts).

Usage: attention_check.py EXPORTED_PY. Prints the four largest differences as JSON: SelfAttention against
nn.MultiheadAttention with the same weights, and the exported scaled_dot_product_attention with a causal
flag, a boolean mask and a float mask against the written-out formula.
"""
import importlib.util
import json
import sys

import torch
from torch import nn

spec = importlib.util.spec_from_file_location("v2", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
torch.manual_seed(0)
attn = m.SelfAttention(16, 4).eval()
mha = nn.MultiheadAttention(16, 4, batch_first=True).eval()
with torch.no_grad():
    mha.in_proj_weight.copy_(attn.qkv.weight)
    mha.in_proj_bias.copy_(attn.qkv.bias)
    mha.out_proj.weight.copy_(attn.proj.weight)
    mha.out_proj.bias.copy_(attn.proj.bias)
    x = torch.randn(2, 5, 16)
    diff = float((attn(x) - mha(x, x, x, need_weights=False)[0]).abs().max())
    q, k, v = torch.randn(3, 2, 4, 5, 8).unbind(0)
    causal = torch.ones(5, 5).triu(1).bool()
    ref = torch.softmax((q @ k.transpose(-2, -1) / 8**0.5).masked_fill(causal, float("-inf")), -1) @ v
    d_causal = float((m.scaled_dot_product_attention(q, k, v, is_causal=True) - ref).abs().max())
    d_bool = float((m.scaled_dot_product_attention(q, k, v, attn_mask=~causal) - ref).abs().max())
    float_mask = torch.zeros(5, 5).masked_fill(causal, float("-inf"))
    d_float = float((m.scaled_dot_product_attention(q, k, v, attn_mask=float_mask) - ref).abs().max())
print(json.dumps([diff, d_causal, d_bool, d_float]))
