"""The alternative `bench tags --fine-tune` measures beside the shipped tag model:
MiniLM itself trained end to end with a five-way sigmoid head.

The shipped model reads frozen MiniLM vectors (ingest/tag_model.py); on held-out
interview text its precision and recall for pain points sit below what a second
reader of the labelling guide reaches, and no setting of it moved that. Here the
encoder's weights are trained too, on the same ``train`` rows, reading each unit
with the question it answers. Its threshold per tag is picked by the shipped rule
(``tag_model.pick_threshold``) on whole train documents kept out of the
fine-tuning, never on the test rows. It needs torch (a dependency of
sentence-transformers) and takes about five minutes an epoch on two cores, which
is why ingest does not use it.
"""
from __future__ import annotations

import random
from typing import Callable, Sequence

import numpy as np

from research_hub.ingest.tag_learning import TAGS, Unit
from research_hub.ingest.tag_model import Config, pick_threshold

MAX_TOKENS = 128
CONTEXT_CHARS = 200


def validation_split(train: Sequence[Unit], share: float = 0.15, seed: int = 0) -> tuple[list[Unit], list[Unit]]:
    """(fit rows, validation rows): whole groups (documents, BANKING77 intents) on one side only."""
    groups = sorted({u.group for u in train})
    random.Random(seed).shuffle(groups)
    held = set(groups[:max(1, round(len(groups) * share))])
    return [u for u in train if u.group not in held], [u for u in train if u.group in held]


def _reading(u: Unit) -> str:
    return f"{u.text} [SEP] {u.context[-CONTEXT_CHARS:]}" if u.context else u.text


class FineTuned:
    """A copy of the sentence-transformers model with a linear head, trained on labelled units."""

    def __init__(self, model_dir: str, seed: int = 0, encoder_lr: float = 3e-5, head_lr: float = 1e-3):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.manual_seed(seed)
        self.torch, self.seed = torch, seed
        st = SentenceTransformer(model_dir, device="cpu")
        self.tokenizer, self.encoder = st.tokenizer, st[0].auto_model
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(TAGS))
        self.optimizer = torch.optim.AdamW([{"params": self.encoder.parameters(), "lr": encoder_lr},
                                            {"params": self.head.parameters(), "lr": head_lr}], weight_decay=0.01)
        self.thresholds = np.full(len(TAGS), 0.5)

    def _logits(self, texts: list[str]):
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return self.head((hidden * mask).sum(1) / mask.sum(1))  # mean pooling, as MiniLM's own

    def fit(self, units: Sequence[Unit], epochs: int = 3, batch: int = 16,
            say: Callable[[str], None] = lambda m: None) -> list[float]:
        """Train; the mean loss of each epoch. Rare tags weigh more (up to 4x)."""
        torch = self.torch
        Y = torch.tensor([u.labels for u in units], dtype=torch.float32)
        share = Y.mean(0).clamp(min=1e-3)
        loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - share) / share).clamp(max=4.0))
        texts, losses = [_reading(u) for u in units], []
        self.encoder.train()
        for epoch in range(epochs):
            order, total = np.random.default_rng(self.seed + epoch).permutation(len(units)), 0.0
            for start in range(0, len(order), batch):
                rows = order[start:start + batch]
                loss = loss_of(self._logits([texts[i] for i in rows]), Y[rows])
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(rows)
            losses.append(total / max(len(units), 1))
            say(f"fine-tuning: epoch {epoch + 1} of {epochs}, loss {losses[-1]:.3f}")
        return losses

    def predict_proba(self, units: Sequence[Unit], batch: int = 64) -> np.ndarray:
        self.encoder.eval()
        out = []
        with self.torch.no_grad():
            for start in range(0, len(units), batch):
                out.append(self.torch.sigmoid(self._logits([_reading(u) for u in units[start:start + batch]])).numpy())
        return np.vstack(out) if out else np.zeros((0, len(TAGS)))

    def pick_thresholds(self, validation: Sequence[Unit], config: Config | None = None) -> np.ndarray:
        """Each tag's cut-off on held-out train documents; the pain-point one on interview and
        session rows only, as the shipped model chooses it."""
        cfg, P = config or Config(), self.predict_proba(validation)
        Y = np.array([u.labels for u in validation]).reshape(len(validation), len(TAGS))
        talk = np.array([u.source != "banking77" for u in validation])
        for j, tag in enumerate(TAGS):
            rows = talk if tag == "pain_point" and talk.any() else np.ones(len(validation), bool)
            self.thresholds[j] = pick_threshold(Y[rows, j], P[rows, j], tag == "pain_point", cfg)
        return self.thresholds

    def labels(self, units: Sequence[Unit]) -> np.ndarray:
        """(n, 5) 0/1 at the picked thresholds."""
        return (self.predict_proba(units) >= self.thresholds).astype(int)


def fine_tuned_labels(train: Sequence[Unit], test: Sequence[Unit], model_dir: str, epochs: int,
                      say: Callable[[str], None] = lambda m: None) -> tuple[np.ndarray, list[float]]:
    """Fine-tune on most of `train`, pick thresholds on the rest, label `test`."""
    fit_rows, validation = validation_split(train)
    say(f"fine-tuning the encoder on {len(fit_rows)} units; thresholds from {len(validation)} held-out train units")
    model = FineTuned(model_dir)
    model.fit(fit_rows, epochs, say=say)
    thresholds = model.pick_thresholds(validation)
    return model.labels(test), np.round(thresholds, 3).tolist()
