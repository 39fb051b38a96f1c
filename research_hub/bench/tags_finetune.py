"""The fine-tuned tagger (ingest/tag_finetuned.py) as `bench tags --fine-tune` measures it:
trained in the run on most of the train rows, thresholds from the rest, scored on the test rows."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from research_hub.ingest.tag_finetuned import FineTuned, validation_split
from research_hub.ingest.tag_learning import Unit


def fine_tuned_labels(train: Sequence[Unit], test: Sequence[Unit], model_dir: str, epochs: int,
                      say: Callable[[str], None] = lambda m: None) -> tuple[np.ndarray, list[float]]:
    """Fine-tune on most of `train`, pick thresholds on the rest, label `test`."""
    fit_rows, validation = validation_split(train)
    say(f"fine-tuning the encoder on {len(fit_rows)} units; thresholds from {len(validation)} held-out train units")
    model = FineTuned(model_dir)
    model.fit(fit_rows, epochs, say=say)
    thresholds = model.pick_thresholds(validation)
    return model.labels(test), np.round(thresholds, 3).tolist()
