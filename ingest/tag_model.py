"""The learned snippet tagger: pain_point, feature_request, praise, workaround, question.

Two logistic regressions per tag, averaged, then calibrated:

* on meaning: the snippet's vector, half the vector of the question it answers
  (zero when there is none) and half the side features (ingest/tag_cues.py);
* on words: word 1-2-gram TF-IDF plus the side features, scoring the whole
  snippet and each of its sentences and averaging the snippet's score with its
  best sentence's (a pain stated in one sentence of three still counts).

Out-of-fold scores (folds keep a document together) give the Platt calibration
and each tag's threshold: for pain_point the most recall with precision at
least 0.70 (provided recall reaches 0.60) on the interview and session rows
(`pick`), for the others the best F1 on all rows. Fitted on the labelled sets in
ingest/data, it reached pain_point P 0.70 / R 0.68 (P 0.61 / R 0.57 on the
interview and session rows, 0.65 / 0.44 on usability sessions) and
feature_request P 0.68 / R 0.90 on documents kept out of training
(`research-hub bench tags`). Deterministic: the same data
give the same model.
"""
from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from research_hub.ingest.tag_cues import Side

TAGS = ("pain_point", "feature_request", "praise", "workaround", "question")
FORMAT = "research_hub.tag_model/2"


@dataclass
class Config:
    c_dense: float = 1.0
    c_text: float = 4.0
    context_weight: float = 0.5
    side_weight: float = 0.5
    sentence_pool: float = 0.5  # share of the best sentence in the word score
    text_weight: float = 0.5  # share of the word model in the final probability
    folds: int = 5
    pain_precision: float = 0.70
    pain_recall: float = 0.60
    min_df: int = 2


def _vectorizer(vocabulary: dict[str, int] | None = None, min_df: int = 2):
    from sklearn.feature_extraction.text import TfidfVectorizer  # scikit-learn loads only to tag

    return TfidfVectorizer(ngram_range=(1, 2), min_df=1 if vocabulary else min_df, sublinear_tf=True,
                           token_pattern=r"[a-z0-9]+", vocabulary=vocabulary,
                           preprocessor=lambda t: t.lower().replace("'", "").replace("\u2019", ""))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def _fit_linear(F, Y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
    """(coef (d, tags), intercept (tags)) of one L2 logistic regression per tag column."""
    from sklearn.linear_model import LogisticRegression

    coef, bias = [], []
    for j in range(Y.shape[1]):
        if Y[:, j].min() == Y[:, j].max():  # a tag this data never (or always) has
            coef.append(np.zeros(F.shape[1]))
            bias.append(-35.0 if Y[0, j] == 0 else 35.0)
            continue
        lr = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(F, Y[:, j])
        coef.append(lr.coef_[0])
        bias.append(lr.intercept_[0])
    return np.column_stack(coef), np.array(bias)


class _Inputs:
    """What both parts read, computed once per call."""

    def __init__(self, texts: Sequence[str], contexts: Sequence[str] | None, X, Xc, config: Config):
        self.texts = [t or "" for t in texts]
        self.n = len(self.texts)
        side = Side(self.texts)
        Xc = np.zeros_like(X) if Xc is None else np.array(Xc, dtype=np.float64)
        if contexts is not None:
            Xc[[not (c or "").strip() for c in contexts]] = 0.0
        self.side = side.units * config.side_weight
        self.dense = np.hstack([np.asarray(X, dtype=np.float64), config.context_weight * Xc, self.side])
        self.sentences, self.owner = side.sentences, side.owner
        self.sentence_side = side.of_sentences * config.side_weight

    def words(self, vec):
        from scipy import sparse  # with scikit-learn: only to tag

        unit = sparse.hstack([vec.transform(self.texts), sparse.csr_matrix(self.side)]).tocsr()
        sent = sparse.hstack([vec.transform(self.sentences), sparse.csr_matrix(self.sentence_side)]).tocsr()
        return unit, sent


class TagModel:
    reads_vectors = True  # the pipeline hands it the snippets' and questions' MiniLM vectors

    def __init__(self, config: Config | None = None):
        self.config = config or Config()
        self.thresholds = np.full(len(TAGS), 0.5)
        self.calibration = np.tile([1.0, 0.0], (len(TAGS), 1))
        self.fitted = False

    # -- fitting -----------------------------------------------------------------------
    def fit(self, texts: Sequence[str], contexts: Sequence[str] | None, X, Xc, Y, groups,
            pick: Sequence[bool] | None = None) -> "TagModel":
        """Fit on labelled snippets. Y: (n, 5) 0/1 in TAGS order; groups: what a fold keeps together;
        pick: the rows the pain threshold is chosen on (default all; ingest/tag_learning.py passes the
        interview and session rows, the kind of text the tagger is for)."""
        from sklearn.model_selection import GroupKFold

        cfg, Y, groups = self.config, np.asarray(Y, dtype=np.int64), np.asarray(groups)
        data = _Inputs(texts, contexts, X, Xc, cfg)
        self.vectorizer = _vectorizer(min_df=cfg.min_df).fit(data.texts)
        unit, sent = data.words(self.vectorizer)
        oof = np.zeros((data.n, len(TAGS)))
        for train, held in GroupKFold(n_splits=min(cfg.folds, len(set(groups)))).split(data.dense, Y, groups):
            parts = self._fit_parts(data, unit, Y, train)
            oof[held] = self._combine(data, unit, sent, parts, held)
        self.calibration = np.array([_platt(oof[:, j], Y[:, j]) for j in range(len(TAGS))])
        calibrated = self._calibrate(oof)
        self.thresholds = pick_thresholds(Y, calibrated, pick, cfg)
        self.parts = self._fit_parts(data, unit, Y, np.arange(data.n))
        self.fitted = True
        return self

    def _fit_parts(self, data: _Inputs, unit, Y: np.ndarray, rows: np.ndarray) -> dict:
        cfg = self.config
        dense = _fit_linear(data.dense[rows], Y[rows], cfg.c_dense)
        words = _fit_linear(unit[rows], Y[rows], cfg.c_text)
        return {"dense": dense, "words": words}

    # -- scoring -----------------------------------------------------------------------
    def _combine(self, data: _Inputs, unit, sent, parts: dict, rows: np.ndarray | None = None) -> np.ndarray:
        """Uncalibrated probabilities: the two parts averaged."""
        cfg = self.config
        rows = np.arange(data.n) if rows is None else rows
        (Wd, bd), (Wt, bt) = parts["dense"], parts["words"]
        p_dense = _sigmoid(data.dense[rows] @ Wd + bd)
        z_unit = unit[rows] @ Wt + bt
        z_sent = sent @ Wt + bt
        best = np.full((data.n, len(TAGS)), -np.inf)
        np.maximum.at(best, data.owner, z_sent)
        z_words = (1 - cfg.sentence_pool) * z_unit + cfg.sentence_pool * best[rows]
        return (1 - cfg.text_weight) * p_dense + cfg.text_weight * _sigmoid(z_words)

    def _calibrate(self, p: np.ndarray) -> np.ndarray:
        return _sigmoid(_logit(p) * self.calibration[:, 0] + self.calibration[:, 1])

    def predict_proba(self, texts: Sequence[str], contexts: Sequence[str] | None, X, Xc) -> np.ndarray:
        """(n, 5) calibrated probabilities in TAGS order."""
        if len(texts) == 0:
            return np.zeros((0, len(TAGS)))
        data = _Inputs(texts, contexts, X, Xc, self.config)
        unit, sent = data.words(self.vectorizer)
        return self._calibrate(self._combine(data, unit, sent, self.parts))

    def tags(self, texts: Sequence[str], contexts: Sequence[str] | None, X, Xc) -> list[dict[str, float]]:
        """Per snippet: {tag: confidence} for each tag at or over its threshold."""
        return tags_over(self.predict_proba(texts, contexts, X, Xc), self.thresholds)

    # -- keeping a fitted model ----------------------------------------------------------------
    def to_dict(self) -> dict:
        (Wd, bd), (Wt, bt) = self.parts["dense"], self.parts["words"]
        vocab = self.vectorizer.vocabulary_
        return {"format": FORMAT, "tags": list(TAGS), "config": asdict(self.config),
                "thresholds": self.thresholds.tolist(), "calibration": self.calibration.tolist(),
                "terms": sorted(vocab, key=vocab.get), "idf": _pack(self.vectorizer.idf_),
                "dense": [_pack(Wd), _pack(bd)], "words": [_pack(Wt), _pack(bt)]}

    @classmethod
    def from_dict(cls, d: dict) -> "TagModel":
        if d.get("format") != FORMAT or tuple(d.get("tags", ())) != TAGS:
            raise ValueError(f"not a {FORMAT} model")
        m = cls(Config(**d["config"]))
        m.thresholds, m.calibration = np.array(d["thresholds"]), np.array(d["calibration"])
        m.vectorizer = _vectorizer({t: i for i, t in enumerate(d["terms"])})
        m.vectorizer.idf_ = _unpack(d["idf"])
        m.parts = {"dense": tuple(map(_unpack, d["dense"])), "words": tuple(map(_unpack, d["words"]))}
        m.fitted = True
        return m


def _platt(p: np.ndarray, y: np.ndarray) -> list[float]:
    """(slope, intercept) mapping a tag's logit to a calibrated one."""
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return [1.0, 0.0]
    lr = LogisticRegression(C=100.0, max_iter=2000).fit(_logit(p)[:, None], y)
    return [float(lr.coef_[0, 0]), float(lr.intercept_[0])]


def tags_over(P: np.ndarray, thresholds: np.ndarray) -> list[dict[str, float]]:
    """Per row of probabilities: {tag: confidence} for each tag at or over its threshold."""
    return [{t: round(float(row[j]), 3) for j, t in enumerate(TAGS) if row[j] >= thresholds[j]} for row in P]


def pick_thresholds(Y: np.ndarray, P: np.ndarray, pick: Sequence[bool] | None, cfg: Config) -> np.ndarray:
    """Each tag's cut-off on held-out probabilities; the pain-point one only on the `pick` rows
    (all when None or none picked)."""
    on = np.ones(len(Y), dtype=bool) if pick is None or not np.any(pick) else np.asarray(pick, dtype=bool)
    return np.array([pick_threshold(Y[on, j], P[on, j], True, cfg) if TAGS[j] == "pain_point"
                     else pick_threshold(Y[:, j], P[:, j], False, cfg) for j in range(len(TAGS))])


def pick_threshold(y: np.ndarray, p: np.ndarray, pain: bool, cfg: Config) -> float:
    """The cut-off on out-of-fold probabilities (see the module docstring)."""
    if y.sum() == 0:
        return 0.5
    order = np.argsort(-p, kind="mergesort")
    ps, ys = p[order], y[order]
    hits = np.cumsum(ys)
    precision, recall = hits / np.arange(1, len(ys) + 1), hits / ys.sum()
    cut = np.r_[ps[1:] < ps[:-1], True]  # a threshold can only sit between two different scores
    if pain:
        ok = cut & (precision >= cfg.pain_precision) & (recall >= cfg.pain_recall)
        if ok.any():
            return float(ps[np.flatnonzero(ok).max()])
        ok = cut & (recall >= cfg.pain_recall)
        if ok.any():
            i = np.flatnonzero(ok)
            return float(ps[i[np.argmax(precision[i])]])
    f1 = np.where(cut, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    return float(ps[int(np.argmax(f1))])


def _pack(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a, dtype="<f4")
    return {"shape": list(a.shape), "f4": base64.b64encode(a.tobytes()).decode("ascii")}


def _unpack(o: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(o["f4"]), dtype="<f4").reshape(o["shape"]).astype(np.float64)
