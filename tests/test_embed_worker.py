"""The embedding workers: same vectors as model.encode, every file back once, errors surface."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from research_hub.ingest import embed_worker
from research_hub.ingest.embed_worker import Cores, EmbedWorker
from research_hub.core.text import text_hash

pytestmark = pytest.mark.integration

WORDS = "export invoice receipt bank feed currency report login mobile reminder quote payroll".split()


def _files(n_files: int, per_file: int) -> list[SimpleNamespace]:
    rng = np.random.default_rng(3)
    files = []
    for f in range(n_files):
        texts = [f"File {f} line {i}: " + " ".join(rng.choice(WORDS, size=int(rng.integers(2, 30))))
                 for i in range(per_file)]
        files.append(SimpleNamespace(name=f"f{f}", snippets=[{"text": t, "text_hash": text_hash(t)}
                                                             for t in texts]))
    return files


def _run(embedder, files, **kw) -> dict[str, np.ndarray]:
    out = {}
    with EmbedWorker(embedder, **kw) as worker:
        for f in files:
            worker.submit(f)
        worker.close()
        while (group := worker.wait()) is not None:
            done, vectors = group
            start = 0
            for f in done:
                assert f.name not in out, "a file came back twice"
                out[f.name] = vectors[start:start + len(f.snippets)]
                start += len(f.snippets)
            assert start == len(vectors)
    return out


def test_vectors_match_model_encode_and_every_file_comes_back(hub, monkeypatch):
    monkeypatch.setattr(embed_worker, "MIN_POOL", 40)  # several groups from a small input
    monkeypatch.setattr(embed_worker, "MAX_POOL", 90)
    files = _files(9, 23)
    before = hub.workspace.embedder.encoded
    out = _run(hub.workspace.embedder, files)
    assert set(out) == {f.name for f in files}
    texts = [s["text"] for f in files for s in f.snippets]
    expected = hub.workspace.embedder.encoder().encode(texts, batch_size=hub.workspace.settings.batch_size)
    got = np.vstack([out[f.name] for f in files])
    assert np.allclose(got, expected, atol=1e-5)
    assert hub.workspace.embedder.encoded - before == len(texts)


def test_cached_texts_do_not_reach_the_model(hub):
    files = _files(3, 10)
    first = _run(hub.workspace.embedder, files)
    before = hub.workspace.embedder.encoded
    again = _run(hub.workspace.embedder, files)
    assert hub.workspace.embedder.encoded == before
    for name in first:
        assert np.array_equal(first[name], again[name])


def test_texts_a_file_also_needs_go_to_the_cache_and_are_not_handed_back(hub):
    files = _files(2, 6)
    question = "What makes month-end close slow for your team?"
    files[1].also_embed = [question, files[1].snippets[0]["text"]]  # one new, one a snippet
    embedder = hub.workspace.embedder
    before = embedder.encoded
    out = _run(embedder, files)
    assert [len(out[f.name]) for f in files] == [6, 6]
    assert embedder.encoded - before == 13  # twelve snippets and the question, each once
    cached = embedder.cache.get_many([text_hash(question)])
    expected = embedder.encoder().encode([question], batch_size=hub.workspace.settings.batch_size)[0]
    assert np.allclose(cached[text_hash(question)], expected, atol=1e-5)


def test_model_error_reaches_the_caller_and_threads_end(hub, monkeypatch):
    def broken(texts, model=None):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(hub.workspace.embedder, "encode_raw", broken)
    with pytest.raises(RuntimeError, match="model exploded"):
        _run(hub.workspace.embedder, _files(2, 5))
    assert not [t for t in threading.enumerate() if t.name.startswith("embed-")]


def test_torch_threads_go_back_to_the_default(tmp_path):
    import torch

    from research_hub import Hub

    hub = Hub(tmp_path / "ws", backend="torch")
    default = torch.get_num_threads()
    _run(hub.workspace.embedder, _files(1, 3))
    assert torch.get_num_threads() == default
    hub.close()


def test_cores_give_the_next_free_core_to_the_main_thread():
    cores = Cores(1)
    cores.take()  # a batch is running
    order: list[str] = []

    def take(who: str, main: bool) -> None:
        cores.take(main=main)
        order.append(who)
        cores.give()

    main = threading.Thread(target=take, args=("main", True))
    main.start()
    while not cores._main_waiting:
        time.sleep(0.001)
    worker = threading.Thread(target=take, args=("worker", False))
    worker.start()
    cores.give()
    main.join()
    worker.join()
    assert order == ["main", "worker"]


def test_nothing_to_embed_starts_no_thread(hub):
    with EmbedWorker(hub.workspace.embedder) as worker:
        worker.close()
        assert worker.wait() is None
    assert not [t for t in threading.enumerate() if t.name.startswith("embed-")]
