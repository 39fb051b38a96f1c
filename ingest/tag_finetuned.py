"""The fine-tuned tagger: MiniLM's top layers trained on the shipped labelled snippets, with a five-way head.

The logistic tag model (tag_model.py) reads frozen MiniLM vectors, and on held-out
interview text its pain-point kappa stays near 0.5 where a second reader of the
labelling guide reaches 0.85. Training the encoder's top three layers (of six) finds
a fifth more pains on interviews at the same precision, and about twice as many pains
and requests on usability text no model here was trained on (`research-hub bench
tags --fine-tune`). The lower layers stay MiniLM's own, so training reads each unit
through them once and then runs only the top; what is kept is those layers and the
head (21 MB). Training all six layers took three times as long and 88 MB, and found
no more pains. The package ships those weights (float16, SHIPPED), so it is the default
tagger wherever they fit the embedding model; `research-hub train-tagger` trains this
machine's own copy. The price: each snippet is read once more by torch at ingest.

Each unit is read as its text and the end of the question it answers. Thresholds
are picked by the shipped model's rule (tag_model.pick_threshold) on whole train
documents kept out of the fine-tuning. torch loads only when a model is built.
"""
from __future__ import annotations

import contextlib
import json
import random
import shutil
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from research_hub.embed.model_files import cache_root
from research_hub.ingest.tag_learning import LEARNED, TAGS, Unit, cache_key, training_units
from research_hub.ingest.tag_model import Config, pick_thresholds, tags_over

MAX_TOKENS = 128
FROZEN_BATCH = 64  # units per batch through the frozen layers
WEIGHTS, THRESHOLDS = "tuned.pt", "thresholds.json"
# Trained by `research-hub train-tagger --ship` from the labelled sets, for the bundled MiniLM.
SHIPPED = Path(__file__).with_name("data") / "tag_finetuned"
TUNED_LAYERS = 3  # of MiniLM's six: two found fewer requests, all six no more pains in three times the time
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
    """MiniLM with its top layers trained and a linear head, on labelled units.

    The embeddings and lower layers stay MiniLM's own, frozen: their output is computed
    once per unit, so each epoch only runs the tuned layers, and only those layers and
    the head are kept. It offers the shipped model's `predict_proba` and `tags`, reading
    the texts themselves: the vectors the pipeline passes are ignored."""

    reads_vectors = False  # it encodes text and question itself

    def __init__(self, model_dir: str, seed: int = 0, tuned_layers: int = TUNED_LAYERS,
                 encoder_lr: float = 1e-4, head_lr: float = 1e-3):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.manual_seed(seed)
        self.torch, self.seed = torch, seed
        self.st = SentenceTransformer(model_dir, device="cpu")
        self.tokenizer, self.encoder = self.st.tokenizer, self.st[0].auto_model
        layers = self.encoder.encoder.layer
        self.frozen_depth = len(layers) - tuned_layers
        self.tuned = layers[self.frozen_depth:]
        self.encoder.requires_grad_(False)
        self.tuned.requires_grad_(True)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(TAGS))
        self.optimizer = torch.optim.AdamW([{"params": self.tuned.parameters(), "lr": encoder_lr},
                                            {"params": self.head.parameters(), "lr": head_lr}], weight_decay=0.01)
        self.thresholds = np.full(len(TAGS), 0.5)

    def _batch(self, texts: list[str]):
        return self.tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")

    def _pool(self, hidden, mask):
        mask = mask.unsqueeze(-1).to(hidden.dtype)
        return self.head((hidden * mask).sum(1) / mask.sum(1))  # mean pooling, as MiniLM's own

    def _logits(self, texts: list[str]):
        batch = self._batch(texts)
        return self._pool(self.encoder(**batch).last_hidden_state, batch["attention_mask"])

    def frozen_states(self, texts: list[str], batch: int = FROZEN_BATCH, tick: Callable[[], None] = lambda: None) -> list:
        """Per text, unpadded: the hidden states the tuned layers start from (float16 to halve
        the memory a training set takes). `tick` is called after each batch."""
        self.encoder.eval()
        out = []
        with self.torch.no_grad():
            for start in range(0, len(texts), batch):
                tokens = self._batch(texts[start:start + batch])
                hidden = self.encoder(**tokens, output_hidden_states=True).hidden_states[self.frozen_depth]
                lengths = tokens["attention_mask"].sum(1).tolist()
                out += [h[:n].to(self.torch.float16) for h, n in zip(hidden, lengths)]
                tick()
        return out

    def tuned_logits(self, states: list):
        """The head's logits from frozen states: the tuned layers, pooling and head."""
        torch = self.torch
        width = max(len(s) for s in states)
        hidden = torch.zeros(len(states), width, states[0].shape[1])
        mask = torch.zeros(len(states), width)
        for i, s in enumerate(states):
            hidden[i, :len(s)], mask[i, :len(s)] = s.float(), 1.0
        additive = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
        for layer in self.tuned:
            out = layer(hidden, attention_mask=additive)
            hidden = out[0] if isinstance(out, tuple) else out
        return self._pool(hidden, mask)

    def fit(self, units: Sequence[Unit], epochs: int = 3, batch: int = 16, say: Say = lambda m: None,
            progress: Progress | None = None) -> list[float]:
        """Train; the mean loss of each epoch. Rare tags weigh more (up to 4x). `progress` hears
        (batches done, batches in all, message) after every batch."""
        torch = self.torch
        Y = torch.tensor([u.labels for u in units], dtype=torch.float32)
        share = Y.mean(0).clamp(min=1e-3)
        loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - share) / share).clamp(max=4.0))
        texts, losses = [_reading(u.text, u.context) for u in units], []
        steps, done = -(-len(units) // FROZEN_BATCH) + epochs * -(-len(units) // batch), 0

        def tick(message: str) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, steps, message)

        states = self.frozen_states(texts, tick=lambda: tick("reading the units through the frozen layers"))
        self.tuned.train()
        for epoch in range(epochs):
            message = f"fine-tuning: epoch {epoch + 1} of {epochs}"
            losses.append(self._epoch(states, Y, loss_of, batch, epoch, lambda: tick(message)))
            say(f"fine-tuning: epoch {epoch + 1} of {epochs}, loss {losses[-1]:.3f}")
        return losses

    def _epoch(self, states: list, Y, loss_of, batch: int, epoch: int, tick: Callable[[], None]) -> float:
        """One pass over the units in a seeded order; the mean loss."""
        order, total = np.random.default_rng(self.seed + epoch).permutation(len(states)), 0.0
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            loss = loss_of(self.tuned_logits([states[i] for i in rows]), Y[rows])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item() * len(rows)
            tick()
        return total / max(len(states), 1)

    def predict_proba(self, texts: Sequence[str], contexts: Sequence[str] | None = None,
                      X=None, Xc=None, batch: int = 64) -> np.ndarray:
        """(n, 5) probabilities in TAGS order."""
        contexts = list(contexts) if contexts is not None else [""] * len(texts)
        readings = [_reading(t, c) for t, c in zip(texts, contexts)]
        order = np.argsort([len(r) for r in readings], kind="stable")  # batches of like length pad little
        self.encoder.eval()
        P = np.zeros((len(readings), len(TAGS)))
        with self.torch.no_grad():
            for start in range(0, len(readings), batch):
                rows = order[start:start + batch]
                P[rows] = self.torch.sigmoid(self._logits([readings[i] for i in rows])).numpy()
        return P

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
    def save(self, folder: Path, half: bool = False, fits: str | None = None) -> None:
        """What training changed (the tuned layers and the head) and the thresholds; the frozen
        rest is the installed MiniLM. `half` keeps the weights as float16 (what ships: no held-out
        label changes); `fits` records the fit_key they were trained for."""
        folder.mkdir(parents=True, exist_ok=True)
        weights = {"tuned": self.tuned.state_dict(), "head": self.head.state_dict()}
        if half:
            weights = {part: {k: v.half() for k, v in d.items()} for part, d in weights.items()}
        self.torch.save(weights, folder / WEIGHTS)
        saved = {"tuned_layers": len(self.tuned), **dict(zip(TAGS, self.thresholds.tolist()))}
        (folder / THRESHOLDS).write_text(json.dumps({**saved, **({"fits": fits} if fits else {})}, indent=1))

    @classmethod
    def load(cls, folder: Path, model_name: str) -> "FineTuned":
        """The model `save` kept in `folder`, over `model_name`, the MiniLM it was trained from."""
        saved = json.loads((folder / THRESHOLDS).read_text())
        model = cls(model_name, tuned_layers=saved["tuned_layers"])
        weights = model.torch.load(folder / WEIGHTS, weights_only=True)
        model.tuned.load_state_dict(weights["tuned"])  # float16 weights are copied in as float32
        model.head.load_state_dict(weights["head"])
        model.thresholds = np.array([saved[t] for t in TAGS])
        return model


def fit_key(model_name: str) -> str:
    """What shipped weights must have been trained from to apply: the embedding model (by its
    files), the labelled sets and how many layers were tuned."""
    return cache_key(model_name, *LEARNED, f"tuned_layers={TUNED_LAYERS}")


def folder_for(model_name: str) -> Path:
    """Where this machine keeps the model fine-tuned from `model_name`, named by that model,
    the labelled set and this code."""
    return cache_root().parent / "tag_models" / f"finetuned-{cache_key(model_name, *LEARNED, Path(__file__))}"


def train(model_name: str, epochs: int = 3, progress: Progress | None = None,
          rows: Sequence[Unit] | None = None, ship: bool = False) -> dict:
    """Fine-tune `model_name` (a sentence-transformers name or folder) on the shipped train rows
    (or `rows`), pick thresholds, keep it in the cache, or with `ship` as the package's weights
    (float16, SHIPPED). The folder appears whole or not at all."""
    fit_rows, validation = validation_split(list(rows) if rows is not None else training_units())
    model = FineTuned(model_name)
    losses = model.fit(fit_rows, epochs, progress=progress)
    model.pick_thresholds(validation)
    target = SHIPPED if ship else folder_for(model_name)
    staging = target.with_name(target.name + ".partial")
    _remove(staging)
    model.save(staging, half=ship, fits=fit_key(model_name) if ship else None)
    _remove(target)
    staging.rename(target)
    return {"folder": str(target), "units": len(fit_rows), "validation_units": len(validation),
            "losses": [round(x, 4) for x in losses], "thresholds": dict(zip(TAGS, np.round(model.thresholds, 3).tolist()))}


def _kept_here(model_name: str) -> Path | None:
    folder = folder_for(model_name)
    return folder if (folder / THRESHOLDS).exists() else None


def trained(model_name: str) -> FineTuned | None:
    """This machine's fine-tuned model for `model_name`, or None when none was trained."""
    folder = _kept_here(model_name)
    return FineTuned.load(folder, model_name) if folder is not None else None


def shipped_fits(model_name: str) -> bool:
    """Whether the package's weights were trained for `model_name` and today's labelled sets."""
    with contextlib.suppress(OSError, ValueError):
        return json.loads((SHIPPED / THRESHOLDS).read_text()).get("fits") == fit_key(model_name)
    return False


def source(model_name: str) -> Path | None:
    """Where the fine-tuned tagger for `model_name` loads from (`FineTuned.load`), found without
    torch: this machine's folder, else the package's weights when they fit, else None."""
    here = _kept_here(model_name)
    return here if here is not None else (SHIPPED if shipped_fits(model_name) else None)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
