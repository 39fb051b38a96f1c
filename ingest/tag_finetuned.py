"""The fine-tuned tagger: MiniLM itself trained on the shipped labelled snippets, with a five-way head.

The shipped tag model (tag_model.py) reads frozen MiniLM vectors, and on held-out
interview text its pain-point kappa stays near 0.5 where a second reader of the
labelling guide reaches 0.85. Training the encoder's own weights finds more pains at
lower precision on interviews, and two to three times as many on usability text
(`research-hub bench tags --fine-tune`). The price: training takes about twenty
minutes on two cores, the weights take about 90 MB, and each snippet is read once
more by torch at ingest. So it is opt-in: `research-hub train-tagger`, then the
`tagger` setting `finetuned` and `research-hub retag`.

Each unit is read as its text and the end of the question it answers. Thresholds
are picked by the shipped model's rule (tag_model.pick_threshold) on whole train
documents kept out of the fine-tuning. torch loads only when a model is built.
"""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from research_hub.embed.model_files import cache_root
from research_hub.ingest.tag_learning import SESSIONS, TAGS, TRAINING, Unit, cache_key, training_units
from research_hub.ingest.tag_model import Config, pick_thresholds, tags_over

MAX_TOKENS = 128
CONTEXT_CHARS = 200
Say = Callable[[str], None]
Progress = Callable[[int, int, str], None]


def validation_split(train: Sequence[Unit], share: float = 0.15, seed: int = 0) -> tuple[list[Unit], list[Unit]]:
    """(fit rows, validation rows): whole groups (documents, BANKING77 intents) on one side only."""
    groups = sorted({u.group for u in train})
    random.Random(seed).shuffle(groups)
    held = set(groups[:max(1, round(len(groups) * share))])
    return [u for u in train if u.group not in held], [u for u in train if u.group in held]


def _reading(text: str, context: str | None) -> str:
    return f"{text} [SEP] {context[-CONTEXT_CHARS:]}" if context else text


class FineTuned:
    """A copy of the sentence-transformers model with a linear head, trained on labelled units.

    It offers the shipped model's `predict_proba` and `tags`, reading the texts themselves:
    the vectors the pipeline passes are ignored."""

    reads_vectors = False  # it encodes text and question itself

    def __init__(self, model_dir: str, seed: int = 0, encoder_lr: float = 3e-5, head_lr: float = 1e-3):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.manual_seed(seed)
        self.torch, self.seed = torch, seed
        self.st = SentenceTransformer(model_dir, device="cpu")
        self.tokenizer, self.encoder = self.st.tokenizer, self.st[0].auto_model
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(TAGS))
        self.optimizer = torch.optim.AdamW([{"params": self.encoder.parameters(), "lr": encoder_lr},
                                            {"params": self.head.parameters(), "lr": head_lr}], weight_decay=0.01)
        self.thresholds = np.full(len(TAGS), 0.5)

    def _logits(self, texts: list[str]):
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return self.head((hidden * mask).sum(1) / mask.sum(1))  # mean pooling, as MiniLM's own

    def fit(self, units: Sequence[Unit], epochs: int = 3, batch: int = 16, say: Say = lambda m: None,
            progress: Progress | None = None) -> list[float]:
        """Train; the mean loss of each epoch. Rare tags weigh more (up to 4x). `progress` hears
        (batches done, batches in all, message) after every batch."""
        torch = self.torch
        Y = torch.tensor([u.labels for u in units], dtype=torch.float32)
        share = Y.mean(0).clamp(min=1e-3)
        loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - share) / share).clamp(max=4.0))
        texts, losses = [_reading(u.text, u.context) for u in units], []
        self.encoder.train()
        steps, done = epochs * -(-len(units) // batch), 0
        for epoch in range(epochs):
            order, total = np.random.default_rng(self.seed + epoch).permutation(len(units)), 0.0
            for start in range(0, len(order), batch):
                rows = order[start:start + batch]
                loss = loss_of(self._logits([texts[i] for i in rows]), Y[rows])
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(rows)
                done += 1
                if progress:
                    progress(done, steps, f"fine-tuning: epoch {epoch + 1} of {epochs}")
            losses.append(total / max(len(units), 1))
            say(f"fine-tuning: epoch {epoch + 1} of {epochs}, loss {losses[-1]:.3f}")
        return losses

    def predict_proba(self, texts: Sequence[str], contexts: Sequence[str] | None = None,
                      X=None, Xc=None, batch: int = 64) -> np.ndarray:
        """(n, 5) probabilities in TAGS order."""
        contexts = list(contexts) if contexts is not None else [""] * len(texts)
        readings = [_reading(t, c) for t, c in zip(texts, contexts)]
        self.encoder.eval()
        out = []
        with self.torch.no_grad():
            for start in range(0, len(readings), batch):
                out.append(self.torch.sigmoid(self._logits(readings[start:start + batch])).numpy())
        return np.vstack(out) if out else np.zeros((0, len(TAGS)))

    def tags(self, texts: Sequence[str], contexts: Sequence[str] | None, X=None, Xc=None) -> list[dict[str, float]]:
        """Per snippet: {tag: confidence} for each tag at or over its threshold."""
        return tags_over(self.predict_proba(texts, contexts), self.thresholds)

    def unit_proba(self, units: Sequence[Unit]) -> np.ndarray:
        return self.predict_proba([u.text for u in units], [u.context for u in units])

    def pick_thresholds(self, validation: Sequence[Unit], config: Config | None = None) -> np.ndarray:
        """Each tag's cut-off on held-out train documents; the pain-point one on interview and
        session rows only, as the shipped model chooses it."""
        Y = np.array([u.labels for u in validation]).reshape(len(validation), len(TAGS))
        talk = [u.source != "banking77" for u in validation]
        self.thresholds = pick_thresholds(Y, self.unit_proba(validation), talk, config or Config())
        return self.thresholds

    def labels(self, units: Sequence[Unit]) -> np.ndarray:
        """(n, 5) 0/1 at the picked thresholds."""
        return (self.unit_proba(units) >= self.thresholds).astype(int)

    # -- keeping a trained model ----------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """The encoder as a sentence-transformers folder, the head and thresholds beside it."""
        folder.mkdir(parents=True, exist_ok=True)
        self.st.save(str(folder / "encoder"))
        self.torch.save(self.head.state_dict(), folder / "head.pt")
        (folder / "thresholds.json").write_text(json.dumps(dict(zip(TAGS, self.thresholds.tolist()))))

    @classmethod
    def load(cls, folder: Path) -> "FineTuned":
        model = cls(str(folder / "encoder"))
        model.head.load_state_dict(model.torch.load(folder / "head.pt", weights_only=True))
        saved = json.loads((folder / "thresholds.json").read_text())
        model.thresholds = np.array([saved[t] for t in TAGS])
        return model


def folder_for(model_name: str) -> Path:
    """Where this machine keeps the model fine-tuned from `model_name`, named by that model,
    the labelled set and this code."""
    return cache_root().parent / "tag_models" / f"finetuned-{cache_key(model_name, TRAINING, SESSIONS, Path(__file__))}"


def train(model_name: str, epochs: int = 3, progress: Progress | None = None,
          rows: Sequence[Unit] | None = None) -> dict:
    """Fine-tune `model_name` (a sentence-transformers name or folder) on the shipped train rows
    (or `rows`), pick thresholds, keep it in the cache. The folder appears whole or not at all."""
    fit_rows, validation = validation_split(list(rows) if rows is not None else training_units())
    model = FineTuned(model_name)
    losses = model.fit(fit_rows, epochs, progress=progress)
    model.pick_thresholds(validation)
    target = folder_for(model_name)
    staging = target.with_name(target.name + ".partial")
    _remove(staging)
    model.save(staging)
    _remove(target)
    staging.rename(target)
    return {"folder": str(target), "units": len(fit_rows), "validation_units": len(validation),
            "losses": [round(x, 4) for x in losses], "thresholds": dict(zip(TAGS, np.round(model.thresholds, 3).tolist()))}


def trained(model_name: str) -> FineTuned | None:
    """This machine's fine-tuned model for `model_name`, or None when none was trained."""
    folder = folder_for(model_name)
    return FineTuned.load(folder) if (folder / "thresholds.json").exists() else None


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
