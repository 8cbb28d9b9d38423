"""HF4xx — sentence representations: which vector of an encoder stands for a sentence."""
from __future__ import annotations

import re
from typing import Iterable, Optional

from ..lazy_libcst import cst

from .. import knowledge
from ..analysis.batches import padding_label
from ..analysis.hfobjects import is_encoder_arch
from ..analysis.values import Hidden, HFObject, Str, Use
from .base import Invalid, Report, Rule, Valid

_SIMILARITY = frozenset({"cosine_similarity", "cos_sim", "pytorch_cos_sim", "dot_score", "semantic_search",
                         "cdist", "pairwise_distances", "cosine_distances", "euclidean_distances", "mm", "matmul",
                         "dot", "inner", "cosine", "paraphrase_mining", "CosineSimilarity()", "PairwiseDistance()"})
_CLUSTERING = ("KMeans", "MiniBatchKMeans", "AgglomerativeClustering", "DBSCAN", "HDBSCAN", "SpectralClustering",
               "OPTICS", "Birch", "MeanShift", "AffinityPropagation", ".cluster.")
_VECTOR_STORE_KEYWORDS = frozenset({"embeddings", "embedding", "vectors", "query_embeddings"})
_VECTOR_STORE_METHODS = frozenset({"add_embeddings", "upsert", "add_vectors", "add_with_ids"})
_EMBED_FUNCTION = re.compile(r"(embed|encode|vector|represent|sentence_vec)", re.IGNORECASE)
_EMBEDDING_NAME = re.compile(
    r"^(all_|sentence_|sent_|text_|doc_|document_|query_|passage_|corpus_|batch_)?"
    r"(embeddings?|embs?|vectors?|vecs|sentence_embeddings?|sentence_vectors?)$", re.IGNORECASE)
# Training code: the encoder is being fine-tuned, so the pooled vector learns what it is used for.
_TRAINING_METHODS = frozenset({"forward", "training_step", "validation_step", "test_step", "predict_step",
                               "compute_loss", "_shared_step", "shared_step"})
_HEAD_SUFFIXES = ("Linear()", "Sequential()", "Dropout()", "LayerNorm()")


def _short(module: cst.Module, node: cst.CSTNode, limit: int = 60) -> str:
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def sentence_embedding_use(vec: Hidden) -> Optional[tuple[str, Use]]:
    """Where a pooled vector is used as a sentence embedding: compared, clustered, indexed, returned from an
    embed-style function or stored as embeddings. None when it is fed to a trainable head."""
    found: list[tuple[int, str, Use]] = []
    for use in vec.uses:
        last = use.callee.rsplit(".", 1)[-1] if use.callee else ""
        if use.kind == "arg":
            if use.callee.startswith("self.") or use.callee.endswith(_HEAD_SUFFIXES):
                return None  # a head being trained on it
            if last in _SIMILARITY or use.callee.endswith(("CosineSimilarity()", "PairwiseDistance()")):
                found.append((0, f"compared with `{last.rstrip('()') or use.callee}`", use))
            elif last in ("fit", "fit_predict", "fit_transform") and any(c in use.callee for c in _CLUSTERING):
                found.append((0, "clustering", use))
            elif use.callee.startswith("faiss.") or last in _VECTOR_STORE_METHODS \
                    or use.keyword in _VECTOR_STORE_KEYWORDS:
                found.append((0, "a vector index", use))
        elif use.kind == "binop" and use.name == "MatrixMultiply":
            found.append((0, "compared with `@`", use))
        elif use.kind == "method" and use.name in ("dot", "mm", "matmul"):
            found.append((0, f"compared with `.{use.name}()`", use))
        elif use.kind == "return" and _EMBED_FUNCTION.search(use.name) and use.name not in _TRAINING_METHODS:
            found.append((1, f"returned from `{use.name}()`", use))
        elif use.kind in ("assign", "append", "subscript_store") \
                and _EMBEDDING_NAME.match(use.name.rsplit(".", 1)[-1]):
            found.append((2, f"stored as `{use.name}`", use))
    if not found:
        return None
    _, what, use = min(found, key=lambda f: (f[0], f[2].seq))
    return what, use


def _in_training_code(vec: Hidden) -> bool:
    scope = vec.scope
    while scope is not None and scope.kind != "function":
        scope = scope.parent
    return scope is not None and scope.class_scope is not None and scope.name in _TRAINING_METHODS


def sentence_encoder_checkpoint(model: HFObject, extra_cls_pooled: tuple = ()) -> Optional[str]:
    """The checkpoint of a pretrained base *encoder* that was not trained for CLS pooling, else None."""
    if model.role != "model" or model.model_kind != "base" or model.origin != "from_pretrained":
        return None
    ckpt = model.checkpoint
    if not ckpt or knowledge.is_local_path(ckpt) or knowledge.is_cls_pooled(ckpt, tuple(extra_cls_pooled)):
        return None
    family = knowledge.family_of(ckpt)
    if family is not None:
        return ckpt if knowledge.family_info(family)["architecture"] == "encoder" else None
    return ckpt if model.arch and is_encoder_arch(model.arch) else None


class _PooledVectorRule(Rule):
    kind = ""

    def check(self) -> Iterable[Report]:
        extra = tuple(self.ctx.settings.cls_pooled_checkpoints)
        for vec in self.ctx.facts.tracked:
            if not isinstance(vec, Hidden) or vec.kind != self.kind or _in_training_code(vec):
                continue
            ckpt = sentence_encoder_checkpoint(vec.output.model, extra)
            if ckpt is None:
                continue
            use = sentence_embedding_use(vec)
            if use is None:
                continue
            what, where = use
            line = self.at(where.site, f"used as a sentence embedding here: {what}")
            yield self.report(vec.node, self.message.format(expr=_short(self.ctx.module, vec.node), ckpt=ckpt,
                                                            use=what, line=line),
                              data={"checkpoint": ckpt, "pooling": "cls"})


class ClsTokenAsSentenceEmbedding(_PooledVectorRule):
    """The first-token (`[CLS]`) hidden state of a base encoder is used as a sentence embedding.

    ## What it does
    Reports `out.last_hidden_state[:, 0]`, `out[0][:, 0, :]` or `out.hidden_states[-1][:, 0]` of a
    pretrained base encoder (BERT, RoBERTa, ...) when the vector is compared with cosine or dot
    similarity, clustered, put in a vector index (faiss, vector stores), returned from an
    `embed`/`encode`-style function, or stored as embeddings. Silent when the vector feeds a
    trainable head (`self.classifier(cls)`), inside training code (`forward`, `training_step`), and
    for checkpoints trained for CLS pooling (`BAAI/bge-*`, SimCSE, DPR, `*-cls-token` models;
    extend with `cls-pooled-checkpoints`).

    ## Why is this bad?
    BERT's `[CLS]` was trained for next-sentence prediction, not for similarity: as a sentence
    embedding it does worse than averaged GloVe vectors (Reimers & Gurevych, Sentence-BERT, 2019).

    ## Example
    ```python
    out = model(**tokenizer(sentences, padding=True, return_tensors="pt"))
    embeddings = out.last_hidden_state[:, 0]
    scores = F.cosine_similarity(embeddings[0:1], embeddings[1:])
    ```

    ## Use instead
    ```python
    enc = tokenizer(sentences, padding=True, return_tensors="pt")
    out = model(**enc)
    mask = enc["attention_mask"].unsqueeze(-1).float()
    embeddings = (out.last_hidden_state * mask).sum(1) / mask.sum(1)
    # or: SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2").encode(sentences)
    ```
    """

    code = "HF401"
    name = "cls-token-as-sentence-embedding"
    message = "`{expr}` takes the [CLS] vector of '{ckpt}' as a sentence embedding ({use}, {line}); " \
              "a base encoder's [CLS] is not trained for similarity: use attention-masked mean pooling " \
              "or sentence-transformers"
    kind = "first_token"

    VALID = [
        Valid("""
            # the sentence-transformers README pattern
            import torch
            from transformers import AutoModel, AutoTokenizer

            def mean_pooling(model_output, attention_mask):
                token_embeddings = model_output[0]
                mask = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).float()
                return torch.sum(token_embeddings * mask, 1) / torch.clamp(mask.sum(1), min=1e-9)

            tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")
            model = AutoModel.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")
            encoded = tokenizer(["a", "b"], padding=True, truncation=True, return_tensors="pt")
            with torch.no_grad():
                model_output = model(**encoded)
            sentence_embeddings = mean_pooling(model_output, encoded["attention_mask"])
        """),
        Valid("""
            from torch import nn
            from transformers import AutoModel

            class Classifier(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.encoder = AutoModel.from_pretrained("bert-base-uncased")
                    self.classifier = nn.Linear(768, 2)

                def forward(self, input_ids, attention_mask):
                    out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
                    cls = out.last_hidden_state[:, 0]
                    return self.classifier(cls)
        """),
        Valid("""
            import torch.nn.functional as F
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("BAAI/bge-small-en-v1.5")
            model = AutoModel.from_pretrained("BAAI/bge-small-en-v1.5")  # trained for CLS pooling
            out = model(**tokenizer(["q", "d"], padding=True, return_tensors="pt"))
            embeddings = F.normalize(out.last_hidden_state[:, 0], dim=-1)
            score = embeddings[0] @ embeddings[1]
        """),
        Valid("""
            from sklearn.linear_model import LogisticRegression
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            features = model(**tokenizer(["great", "awful"], padding=True, return_tensors="pt")).last_hidden_state[:, 0]
            LogisticRegression().fit(features.detach().numpy(), [1, 0])  # a probe, not similarity
        """),
        Valid("""
            import torch.nn.functional as F
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased",
                                                                       output_hidden_states=True)
            out = model(**tokenizer(["a", "b"], padding=True, return_tensors="pt"))
            cls = out.hidden_states[-1][:, 0]
            print(F.cosine_similarity(cls[0], cls[1], dim=0))
        """),
        Valid("""
            import torch.nn.functional as F
            from transformers import AutoModel, AutoTokenizer
            def similarity(args, a, b):
                tokenizer = AutoTokenizer.from_pretrained(args.model_name)
                model = AutoModel.from_pretrained(args.model_name)
                out = model(**tokenizer([a, b], padding=True, return_tensors="pt"))
                emb = out.last_hidden_state[:, 0]
                return F.cosine_similarity(emb[0], emb[1], dim=0)
        """),
        Valid("""
            import torch
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModel.from_pretrained("gpt2")
            out = model(**tokenizer("hello world", return_tensors="pt"))
            embeddings = out.last_hidden_state[:, 0]
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("BAAI/bge-base-en-v1.5")
            encoder = AutoModel.from_pretrained("BAAI/bge-base-en-v1.5")
            def encode(texts):
                seq, _ = encoder(**tokenizer(texts, padding=True, return_tensors="pt"), return_dict=False)
                return seq[:, 0]
        """),
    ]
    INVALID = [
        Invalid("""
            import torch.nn.functional as F
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            out = model(**tokenizer(["a cat", "a dog"], padding=True, return_tensors="pt"))
            cls = out.last_hidden_state[:, 0]
            print(F.cosine_similarity(cls[0:1], cls[1:2]))
        """, line=6, message="`out.last_hidden_state[:, 0]` takes the [CLS] vector of 'bert-base-uncased' as a "
                             "sentence embedding (compared with `cosine_similarity`, line 7)"),
        Invalid("""
            import torch
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")

            def embed(texts):
                enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
                with torch.no_grad():
                    out = model(**enc)
                return out[0][:, 0, :]
        """, line=10, message="returned from `embed()`"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
            model = AutoModel.from_pretrained("bert-base-cased", output_hidden_states=True)
            outputs = model(**tokenizer(["a cat sat on the mat", "a dog sat"], padding=True, return_tensors="pt"))
            sentence_embeddings = outputs.hidden_states[-1][:, 0]
        """, line=5, message="stored as `sentence_embeddings`"),
        Invalid("""
            import faiss
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased")
            model = AutoModel.from_pretrained("distilbert-base-uncased")
            index = faiss.IndexFlatIP(768)
            out = model(**tokenizer(["a cat sat on the mat", "a dog sat"], padding=True, return_tensors="pt"))
            vecs = out.last_hidden_state[:, 0].detach().numpy()
            index.add(vecs)
        """, line=7, message="a vector index"),
        Invalid("""
            from sklearn.cluster import KMeans
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("xlm-roberta-base")
            model = AutoModel.from_pretrained("xlm-roberta-base")
            out = model(**tokenizer(["a cat sat on the mat", "a dog sat"], padding=True, return_tensors="pt"))
            feats = out.last_hidden_state[:, 0, :].detach().cpu().numpy()
            labels = KMeans(n_clusters=5).fit_predict(feats)
        """, line=6, message="clustering"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-mpnet-base-v2")
            model = AutoModel.from_pretrained("sentence-transformers/all-mpnet-base-v2")
            q = model(**tokenizer(["query"], return_tensors="pt")).last_hidden_state[:, 0]
            d = model(**tokenizer(["doc one", "doc two"], padding=True, return_tensors="pt")).last_hidden_state[:, 0]
            scores = q @ d.T
        """, line=4, message="compared with `@`", count=2),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer

            class Embedder:
                def __init__(self, name="bert-base-multilingual-cased"):
                    self.tokenizer = AutoTokenizer.from_pretrained("bert-base-multilingual-cased")
                    self.model = AutoModel.from_pretrained("bert-base-multilingual-cased")

                def encode(self, texts):
                    out = self.model(**self.tokenizer(texts, padding=True, return_tensors="pt"))
                    return out.last_hidden_state[:, 0]
        """, line=10, message="returned from `encode()`"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            encoder = AutoModel.from_pretrained("bert-base-uncased")
            def encode(texts):
                seq, _ = encoder(**tokenizer(texts, padding=True, return_tensors="pt"), return_dict=False)
                return seq[:, 0]
        """, line=6, message="returned from `encode()`"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.resolvable_loads > 0 and features.first_token_index


class PoolerOutputAsSentenceEmbedding(_PooledVectorRule):
    """A base encoder's `pooler_output` is used as a sentence embedding.

    ## What it does
    Reports `outputs.pooler_output` (or `outputs[1]` of a base model) of a pretrained base encoder
    used as a sentence embedding, under the same conditions as HF401 (compared, clustered, indexed,
    returned from an `embed`-style function or stored as embeddings). DPR encoders and other
    checkpoints trained for CLS pooling are fine.

    ## Why is this bad?
    The pooler is a dense + tanh layer on top of `[CLS]`, trained for next-sentence prediction (and
    absent or left untrained in many checkpoints). Its output is a poor sentence representation:
    unrelated sentences come out with high cosine similarity.

    ## Example
    ```python
    outputs = model(**inputs)
    cls_output = outputs.pooler_output
    score = F.cosine_similarity(cls_output[0], cls_output[1], dim=0)
    ```

    ## Use instead
    ```python
    outputs = model(**inputs)
    mask = inputs["attention_mask"].unsqueeze(-1).float()
    sentence_embeddings = (outputs.last_hidden_state * mask).sum(1) / mask.sum(1)
    ```
    """

    code = "HF402"
    name = "pooler-output-as-sentence-embedding"
    message = "`{expr}` (the pooler layer of '{ckpt}') is used as a sentence embedding ({use}, {line}); " \
              "it was trained for next-sentence prediction, not similarity: use attention-masked mean pooling " \
              "or sentence-transformers"
    kind = "pooler"

    VALID = [
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            model_name = "bert-base-cased"
            tokenizer = AutoTokenizer.from_pretrained(model_name)
            model = AutoModel.from_pretrained(model_name)
            inputs = tokenizer("What can I do for you?!", return_tensors="pt")
            outputs = model(**inputs)
            cls_output = outputs.pooler_output  # feeds a task head later
        """),
        Valid("""
            import torch.nn.functional as F
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("facebook/dpr-question_encoder-single-nq-base")
            model = AutoModel.from_pretrained("facebook/dpr-question_encoder-single-nq-base")
            q = model(**tokenizer(["who wrote it?"], return_tensors="pt")).pooler_output
            print(F.cosine_similarity(q, q))
        """),
        Valid("""
            from torch import nn
            from transformers import AutoModel

            class Head(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.bert = AutoModel.from_pretrained("bert-base-uncased")
                    self.dropout = nn.Dropout(0.1)
                    self.out = nn.Linear(768, 3)

                def forward(self, **batch):
                    pooled = self.bert(**batch).pooler_output
                    return self.out(self.dropout(pooled))
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            def embeddings_for(path, texts):
                tokenizer = AutoTokenizer.from_pretrained(path)
                model = AutoModel.from_pretrained(path)
                embeddings = model(**tokenizer(texts, padding=True, return_tensors="pt")).pooler_output
                return embeddings
        """),
        Valid("""
            import numpy as np
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
            out = model(**tokenizer(["a", "b"], padding=True, return_tensors="pt"))
            vectors = out[1]
        """),
        Valid("""
            import torch
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            enc = tokenizer(["a", "b"], padding=True, return_tensors="pt")
            out = model(**enc)
            mask = enc["attention_mask"].unsqueeze(-1)
            embeddings = (out.last_hidden_state * mask).sum(1) / mask.sum(1)
            print(torch.cosine_similarity(embeddings[0], embeddings[1], dim=0))
        """),
        Valid("""
            # the unpacked pooler output feeds a classifier head being trained
            import torch
            from transformers import AutoModel
            class Classifier(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.encoder = AutoModel.from_pretrained("bert-base-uncased")
                    self.head = torch.nn.Linear(768, 2)

                def forward(self, **enc):
                    seq, pooled = self.encoder(**enc, return_dict=False)
                    return self.head(pooled)
        """),
        Valid("""
            import torch.nn.functional as F
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
            enc = tokenizer(["a", "b"], padding=True, return_tensors="pt")
            logits, = model(**enc, return_dict=False)
            print(F.softmax(logits, dim=-1))
        """),
    ]
    INVALID = [
        Invalid("""
            import torch.nn.functional as F
            from transformers import AutoModel, AutoTokenizer
            model_name = "bert-base-cased"
            tokenizer = AutoTokenizer.from_pretrained(model_name)
            model = AutoModel.from_pretrained(model_name)
            outputs = model(**tokenizer(["I love it", "I hate it"], padding=True, return_tensors="pt"))
            cls_output = outputs.pooler_output
            print(F.cosine_similarity(cls_output[0], cls_output[1], dim=0))
        """, line=7, message="`outputs.pooler_output` (the pooler layer of 'bert-base-cased')"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-large")
            model = AutoModel.from_pretrained("roberta-large")
            def get_sentence_embedding(text):
                return model(**tokenizer(text, return_tensors="pt"))[1]
        """, line=5, message="returned from `get_sentence_embedding()`"),
        Invalid("""
            from transformers import BertModel, BertTokenizer
            tokenizer = BertTokenizer.from_pretrained("bert-base-uncased")
            model = BertModel.from_pretrained("bert-base-uncased")
            embeddings = []
            for batch in [["a cat sat on the mat", "a dog"], ["the mat"]]:
                pooled = model(**tokenizer(batch, padding=True, return_tensors="pt")).pooler_output
                embeddings.append(pooled)
        """, line=6, message="stored as `embeddings`"),
        Invalid("""
            import numpy as np
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("albert-base-v2")
            model = AutoModel.from_pretrained("albert-base-v2")
            a = model(**tokenizer("first", return_tensors="pt")).pooler_output.detach().numpy()
            b = model(**tokenizer("second", return_tensors="pt")).pooler_output.detach().numpy()
            print(np.dot(a[0], b[0]))
        """, line=5, count=2),
        Invalid("""
            import chromadb
            from transformers import AutoModel, AutoTokenizer
            DOCS = ["a cat sat on the mat", "a dog sat"]
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            pooled = model(**tokenizer(DOCS, padding=True, return_tensors="pt")).pooler_output
            collection = chromadb.Client().create_collection("docs")
            collection.add(ids=["1", "2"], embeddings=pooled.tolist(), documents=DOCS)
        """, line=6, message="a vector index"),
        Invalid("""
            from sentence_transformers import util
            from transformers import AutoModel, AutoTokenizer
            tok = AutoTokenizer.from_pretrained("distilroberta-base")
            enc_model = AutoModel.from_pretrained("distilroberta-base")
            p = enc_model(**tok(["x", "y"], padding=True, return_tensors="pt"))[1]
            print(util.cos_sim(p[0], p[1]))
        """, line=5, message="compared with `cos_sim`"),
        Invalid("""
            import torch.nn.functional as F
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            encoder = AutoModel.from_pretrained("roberta-base")
            enc = tokenizer(["a cat", "a dog"], padding=True, return_tensors="pt")
            seq, pooled = encoder(**enc, return_dict=False)
            print(F.cosine_similarity(pooled[0:1], pooled[1:2]))
        """, line=6, message="`pooled` (the pooler layer of 'roberta-base')"),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.resolvable_loads > 0 and ("pooler_output" in features.attrs or features.index_one
                                                  or features.unpacks_call)


class MeanPoolingWithoutAttentionMask(Rule):
    """Hidden states of a padded batch are averaged without the attention mask.

    ## What it does
    Reports `last_hidden_state.mean(dim=1)`, `torch.mean(hidden, 1)` and the like when the model's
    input was tokenized with padding (`padding=True`, `"longest"`, `"max_length"`) as a batch.
    Unpadded single inputs are fine.

    ## Why is this bad?
    Padding positions have hidden states too, and a plain mean averages them in: a sentence's
    vector then depends on how long the other sentences in its batch are, and short sentences are
    diluted by padding.

    ## Example
    ```python
    enc = tokenizer(sentences, padding=True, return_tensors="pt")
    embeddings = model(**enc).last_hidden_state.mean(dim=1)
    ```

    ## Use instead
    ```python
    enc = tokenizer(sentences, padding=True, return_tensors="pt")
    hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    embeddings = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    ```
    """

    code = "HF403"
    name = "mean-pooling-without-attention-mask"
    message = "`{expr}` averages padding positions too: the batch is padded (`padding={padding}` at {line}), " \
              "so each vector depends on the rest of its batch; weight by the attention mask: " \
              "`(h * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)`"

    VALID = [
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            enc = tokenizer(["a cat sat on the mat", "a dog"], padding=True, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            embeddings = (hidden * mask).sum(1) / mask.sum(1)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            enc = tokenizer("a single sentence", padding=True, return_tensors="pt")
            embedding = model(**enc).last_hidden_state.mean(dim=1)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            for text in ["a cat sat on the mat", "a dog"]:
                out = model(**tokenizer(text, return_tensors="pt"))
                vec = out.last_hidden_state.mean(dim=1)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            out = model(**tokenizer(["a cat sat on the mat", "a dog"], padding=True, return_tensors="pt"))
            per_token_norm = out.last_hidden_state.mean(dim=-1)
        """),
        Valid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            out = model(**tokenizer(["a cat sat on the mat", "a dog"], padding=False, truncation=True, return_tensors="pt"))
            vec = out.last_hidden_state.mean(1)
        """),
        Valid("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("bert-base-uncased")
            def embed(loader):  # batches from elsewhere: padding unknown
                for batch in loader:
                    hidden = model(**batch).last_hidden_state
                    yield hidden.mean(dim=1)
        """),
    ]
    INVALID = [
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            enc = tokenizer(["a cat sat on the mat", "a dog"], padding=True, return_tensors="pt")
            embeddings = model(**enc).last_hidden_state.mean(dim=1)
        """, line=5, message="the batch is padded (`padding=True` at line 4)"),
        Invalid("""
            import torch
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("roberta-base")
            model = AutoModel.from_pretrained("roberta-base")
            out = model(**tokenizer(["short", "a much longer sentence"], padding="longest", return_tensors="pt"))
            emb = torch.mean(out.last_hidden_state, 1)
        """, line=6, message="`padding='longest'`"),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            enc = tokenizer(["a cat sat on the mat", "a dog"], padding="max_length", max_length=128, truncation=True, return_tensors="pt")
            hidden = model(**enc).last_hidden_state.detach().numpy()
            vectors = hidden.mean(axis=1)
        """, line=6),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased")
            out = model(**tokenizer(["a cat sat on the mat", "a dog"], padding=True, return_tensors="pt"))
            emb = out[0].mean(1)
        """, line=5),
        Invalid("""
            import torch
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased").to("cuda")
            def encode(texts):
                enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
                enc = {k: v.to("cuda") for k, v in enc.items()}
                with torch.no_grad():
                    out = model(**enc)
                return out.last_hidden_state.mean(dim=1).cpu()
        """, line=10),
        Invalid("""
            from transformers import AutoModel, AutoTokenizer
            tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
            model = AutoModel.from_pretrained("bert-base-uncased", output_hidden_states=True)
            out = model(**tokenizer(["a cat sat on the mat", "a dog"], padding=True, return_tensors="pt"))
            layer_avg = out.hidden_states[-2].mean(dim=1)
        """, line=5),
    ]

    @staticmethod
    def may_match(features) -> bool:
        return features.from_pretrained > 0 and "mean" in features.calls and "padding" in features.keywords

    def check(self) -> Iterable[Report]:
        for vec in self.ctx.facts.tracked:
            if not isinstance(vec, Hidden) or vec.kind != "mean":
                continue
            for enc in vec.output.encodings:
                padding = padding_label(enc.padding)
                if padding is None or isinstance(enc.text, Str):
                    continue
                line = self.at(enc.call, "the batch is padded here")
                yield self.report(vec.node, self.message.format(expr=_short(self.ctx.module, vec.node),
                                                                padding=padding, line=line))
                break
