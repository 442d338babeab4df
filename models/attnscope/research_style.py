"""Models written the way research code writes them, for the test suite and
the README's export examples: AttnScope has to explain these unchanged.

- `VitLike`: a ViT / DeiT image classifier laid out as timm's
  `VisionTransformer` (`patch_embed.proj`, `cls_token`, `reg_token`,
  `pos_embed`, `blocks.N.{norm1, attn.{qkv, attn_drop, proj}, norm2,
  mlp.{fc1, fc2}}`, `norm`, `head`), its attention computed as timm's
  `Attention` does when fused attention is off: q scaled, q @ k^T, softmax,
  `attn_drop`, @ v. forward(image) returns the logits only.
- `BertLike`: a BERT sequence classifier laid out as Hugging Face's
  `BertForSequenceClassification` (`bert.embeddings.{word, position,
  token_type}_embeddings`, `bert.encoder.layer.N.attention.self.{query, key,
  value, dropout}`, ..., `bert.pooler`, `classifier`), the additive mask
  (1 - mask) * -10000 as BERT applies it. forward(input_ids,
  attention_mask, token_type_ids) returns the logits only.

Both are exported with the attention recorder on their dropout modules:

    wrapped = export.AttentionRecorder(VitLike(...), modules="blocks.*.attn.attn_drop")
    wrapped = export.AttentionRecorder(BertLike(...), modules="bert.encoder.layer.*.attention.self.dropout")
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class TimmAttention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias=True, attn_drop=0.0):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.fused_attn = False
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(0.0)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        if self.fused_attn:
            x = F.scaled_dot_product_attention(q, k, v)  # no probabilities ever formed
        else:
            q = q * self.scale
            attn = q @ k.transpose(-2, -1)
            attn = attn.softmax(dim=-1)
            attn = self.attn_drop(attn)
            x = attn @ v
        x = x.transpose(1, 2).reshape(B, N, C)
        return self.proj_drop(self.proj(x))


class TimmMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TimmBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=2.0, qkv_bias=True):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = TimmAttention(dim, num_heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = TimmMlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, dim):
        super().__init__()
        self.grid = (img_size[0] // patch_size, img_size[1] // patch_size)
        self.proj = nn.Conv2d(3, dim, patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VitLike(nn.Module):
    """Class token, `reg_tokens` register tokens (position embeddings for the
    patches only, as timm's `no_embed_class=True` register models), pooled at
    the class token."""

    def __init__(self, num_classes, img_size=(24, 32), patch_size=8, dim=24, depth=2, num_heads=2, reg_tokens=2):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, patch_size, dim)
        n = self.patch_embed.grid[0] * self.patch_embed.grid[1]
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.5)
        self.reg_token = nn.Parameter(torch.randn(1, reg_tokens, dim) * 0.5) if reg_tokens else None
        self.pos_embed = nn.Parameter(torch.randn(1, n, dim) * 0.5)
        self.blocks = nn.Sequential(*[TimmBlock(dim, num_heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)

    def forward_features(self, x):
        x = self.patch_embed(x) + self.pos_embed
        prefix = [self.cls_token.expand(x.shape[0], -1, -1)]
        if self.reg_token is not None:
            prefix.append(self.reg_token.expand(x.shape[0], -1, -1))
        x = torch.cat(prefix + [x], dim=1)
        return self.norm(self.blocks(x))

    def forward(self, x):
        return self.head(self.forward_features(x)[:, 0])


class BertSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.num_attention_heads = heads
        self.attention_head_size = dim // heads
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.dropout = nn.Dropout(0.1)

    def split(self, x):
        b, n, _ = x.shape
        return x.view(b, n, self.num_attention_heads, self.attention_head_size).permute(0, 2, 1, 3)

    def forward(self, hidden, extended_mask):
        q, k, v = self.split(self.query(hidden)), self.split(self.key(hidden)), self.split(self.value(hidden))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.attention_head_size)
        probs = nn.functional.softmax(scores + extended_mask, dim=-1)
        probs = self.dropout(probs)
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return context.view(hidden.shape)


class BertOutput(nn.Module):
    def __init__(self, dim_in, dim):
        super().__init__()
        self.dense = nn.Linear(dim_in, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class BertAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.self = BertSelfAttention(dim, heads)
        self.output = BertOutput(dim, dim)

    def forward(self, hidden, extended_mask):
        return self.output(self.self(hidden, extended_mask), hidden)


class BertIntermediate(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.dense = nn.Linear(dim, hidden)

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attention = BertAttention(dim, heads)
        self.intermediate = BertIntermediate(dim, 2 * dim)
        self.output = BertOutput(2 * dim, dim)

    def forward(self, hidden, extended_mask):
        a = self.attention(hidden, extended_mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, dim, heads, layers):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(dim, heads) for _ in range(layers)])

    def forward(self, hidden, extended_mask):
        for layer in self.layer:
            hidden = layer(hidden, extended_mask)
        return hidden


class BertEmbeddings(nn.Module):
    def __init__(self, vocab, dim, max_positions, type_vocab=2):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, dim)
        self.position_embeddings = nn.Embedding(max_positions, dim)
        self.token_type_embeddings = nn.Embedding(type_vocab, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None]
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) \
            + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x)


class BertModel(nn.Module):
    """pool_last: read the last real (unpadded) token instead of [CLS], as
    GPT-2's sequence classifier does."""

    def __init__(self, vocab, dim, heads, layers, max_positions, pool_last=False):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, dim, max_positions)
        self.encoder = BertEncoder(dim, heads, layers)
        self.pooler_dense = nn.Linear(dim, dim)
        self.pool_last = pool_last

    def forward(self, input_ids, attention_mask, token_type_ids):
        extended = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
        hidden = self.encoder(self.embeddings(input_ids, token_type_ids), extended)
        if self.pool_last:
            last = attention_mask.sum(1) - 1
            pooled = hidden[torch.arange(hidden.shape[0], device=hidden.device), last]
        else:
            pooled = hidden[:, 0]
        return torch.tanh(self.pooler_dense(pooled))


class BertLike(nn.Module):
    def __init__(self, vocab, num_labels, dim=24, heads=2, layers=2, max_positions=32, pool_last=False):
        super().__init__()
        self.bert = BertModel(vocab, dim, heads, layers, max_positions, pool_last)
        self.classifier = nn.Linear(dim, num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.classifier(self.bert(input_ids, attention_mask, token_type_ids))


class ClipResidualBlock(nn.Module):
    """openai/CLIP's ResidualAttentionBlock: pre-norm nn.MultiheadAttention
    (sequence-first) and a QuickGELU MLP."""

    def __init__(self, width, heads, causal_length=0):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(width, width * 4))
        self.mlp.add_module("c_proj", nn.Linear(width * 4, width))
        self.ln_2 = nn.LayerNorm(width)
        mask = torch.full((causal_length, causal_length), float("-inf")).triu(1) if causal_length else None
        self.register_buffer("attn_mask", mask if mask is not None else torch.zeros(0))
        self.causal = bool(causal_length)

    def forward(self, x):
        h = self.ln_1(x)
        mask = self.attn_mask if self.causal else None
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        h = self.ln_2(x)
        h = self.mlp.c_fc(h)
        return x + self.mlp.c_proj(h * torch.sigmoid(1.702 * h))


class ClipLike(nn.Module):
    """A CLIP-style dual encoder laid out as openai/CLIP's model.py (visual
    conv1, class_embedding, positional_embedding, ln_pre, transformer,
    ln_post, proj; token_embedding, causal text transformer, ln_final,
    text_projection, logit_scale). forward(image, input_ids) returns one
    logit per pair, exp(logit_scale) * cos(image, text), the text read at its
    first end-of-text id (CLIP's argmax over ids finds the same place when
    end-of-text has the highest id)."""

    def __init__(self, vocab, eot_id, img_size=24, patch=8, width=24, layers=2, heads=2, context=12, embed=16):
        super().__init__()
        grid = img_size // patch
        self.eot_id = eot_id
        self.conv1 = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * 0.5)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, width) * 0.5)
        self.ln_pre = nn.LayerNorm(width)
        self.visual_blocks = nn.ModuleList([ClipResidualBlock(width, heads) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(torch.randn(width, embed) / width ** 0.5)
        self.token_embedding = nn.Embedding(vocab, width)
        self.text_positional_embedding = nn.Parameter(torch.randn(context, width) * 0.3)
        self.text_blocks = nn.ModuleList([ClipResidualBlock(width, heads, context) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.randn(width, embed) / width ** 0.5)
        self.logit_scale = nn.Parameter(torch.tensor(2.6593))  # log(1 / 0.07), CLIP's start

    def encode_image(self, image):
        x = self.conv1(image).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.positional_embedding)
        x = x.permute(1, 0, 2)
        for block in self.visual_blocks:
            x = block(x)
        return self.ln_post(x.permute(1, 0, 2)[:, 0]) @ self.proj

    def encode_text(self, input_ids):
        x = (self.token_embedding(input_ids) + self.text_positional_embedding).permute(1, 0, 2)
        for block in self.text_blocks:
            x = block(x)
        x = self.ln_final(x.permute(1, 0, 2))
        eot = (input_ids == self.eot_id).int().argmax(dim=-1)
        return x[torch.arange(x.shape[0]), eot] @ self.text_projection

    def forward(self, image, input_ids):
        i = self.encode_image(image)
        t = self.encode_text(input_ids)
        i = i / i.norm(dim=-1, keepdim=True)
        t = t / t.norm(dim=-1, keepdim=True)
        return (self.logit_scale.exp() * (i * t).sum(-1))[:, None]
