"""Embedding beside preparation: worker threads embed whatever files are ready.

The model is most of the work, and a runtime normally spreads each batch over
every core, with its threads waiting for each other at every step. While the
main thread parses, tags or stores, it takes one of those cores, and then all
of the model's threads wait for the one that lost its core. So during an
ingest the model runs single-threaded in one worker thread per core
(`Embedder.workers`: one shared ONNX Runtime session, or a torch replica
each), pulling length-sorted batches of the same size from a shared queue: a
core the main thread takes slows one batch and stalls nothing.

A file may also name texts to embed that are not its snippets (`also_embed`:
the questions its answers reply to, which the tag model reads); they go
through the same batches into the embedding cache, where the main thread then
finds them, and are not handed back.

Files go in as they are prepared; a group is all that is waiting (at least
MIN_POOL snippets unless input has ended, at most MAX_POOL), so the batches
stay tight; groups come back as (files, vectors).
"""
from __future__ import annotations

import queue
import threading
from collections import deque
from typing import Any, Iterator

import numpy as np

from research_hub.core.text import text_hash
from research_hub.embed import default_threads

MIN_POOL = 256  # snippets: fewer make ragged batches, and padding costs model time
MAX_POOL = 4096  # snippets: bigger groups pad less (tested up to 4096); they wait longer to be stored
LAST_POOL = 512  # the last group is stored after the model is done: keep it short
MAX_REPLICAS = 2  # each replica is a full copy of the model in memory


def plan(replicas: int | None = None) -> tuple[int, int]:
    """(worker threads, model threads each) for this machine."""
    cores = default_threads()
    n = replicas or max(1, min(MAX_REPLICAS, cores))
    return n, max(1, cores // n)


class Cores:
    """One token per core, so no more CPU-bound threads run than there are cores.

    Each model batch holds a token; so does the main thread while it works (it
    gives its token back while it waits for the model). Oversubscribed, threads
    evict each other from the caches and the model burns a tenth more CPU. The
    main thread goes first when a token comes free: it feeds the model."""

    def __init__(self, n: int):
        self._free = n
        self._main_waiting = False
        self._cond = threading.Condition()

    def take(self, main: bool = False) -> None:
        with self._cond:
            self._main_waiting |= main
            self._cond.wait_for(lambda: self._free > 0 and (main or not self._main_waiting))
            self._free -= 1
            if main:
                self._main_waiting = False

    def give(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()


class _Group:
    """Files embedded together: their cached vectors, and batches for the rest."""

    def __init__(self, files: list, embedder):
        self.files = files
        self.embedder = embedder
        self.hashes = [s["text_hash"] for p in files for s in p.snippets]
        extra = list(dict.fromkeys(t for p in files for t in getattr(p, "also_embed", ())))
        self.known, missing = embedder.split_cached(
            self.hashes + [text_hash(t) for t in extra], [s["text"] for p in files for s in p.snippets] + extra)
        self.keys, self.texts = list(missing), list(missing.values())
        order = np.argsort([-len(t) for t in self.texts], kind="stable")  # as model.encode sorts
        size = embedder.batch_size
        self.batches = deque(order[i:i + size] for i in range(0, len(order), size))
        self.left = len(self.batches)
        self.fresh = np.zeros((len(self.keys), embedder.dimension), dtype=np.float32)
        self.error: BaseException | None = None

    def vectors(self) -> np.ndarray:
        return self.embedder.stack(self.hashes, {**self.known, **dict(zip(self.keys, self.fresh))})


class EmbedWorker:
    """submit(prepared) ... close(); ready() and wait() give back (files, vectors)."""

    def __init__(self, embedder, replicas: int | None = None):
        self.embedder = embedder
        self.replicas, self.threads_each = plan(replicas)
        self._todo: deque = deque()
        self._todo_snippets = 0
        self._active: deque[_Group] = deque()  # groups with batches not yet taken
        self._cond = threading.Condition()
        self._closed = False
        self._results: queue.Queue = queue.Queue()
        self.outstanding = 0  # snippets submitted and not yet handed back
        self.cores = Cores(max(default_threads(), self.replicas))
        self._threads: list[threading.Thread] = []
        self._workers = None  # the embedder's workers() context while threads run

    def _start(self) -> None:
        """On the first file: an ingest of unchanged files never loads the model."""
        self._workers = self.embedder.workers(self.replicas)
        encoders = self._workers.__enter__()
        self.cores.take(main=True)  # the calling thread is working
        self._threads = [threading.Thread(target=self._loop, args=(model,), name=f"embed-{i}", daemon=True)
                         for i, model in enumerate(encoders)]
        for t in self._threads:
            t.start()

    def __enter__(self) -> EmbedWorker:
        return self

    def __exit__(self, *exc) -> None:
        if not self._threads:
            return
        with self._cond:  # on an error upstream, drop what is queued and stop
            self._todo.clear()
            for group in self._active:
                group.batches.clear()
            self._closed = True
            self._cond.notify_all()
        self.cores.give()
        for t in self._threads:
            t.join()
        self._workers.__exit__(None, None, None)

    def submit(self, prepared: Any) -> None:
        if not self._threads:
            self._start()
        n = len(prepared.snippets)
        with self._cond:
            self._todo.append(prepared)
            self._todo_snippets += n
            self.outstanding += n
            self._cond.notify_all()

    def close(self) -> None:
        """No more input: the workers embed what is left, then stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def ready(self) -> Iterator[tuple[list, np.ndarray]]:
        """Groups already embedded, without waiting."""
        while True:
            try:
                item = self._results.get_nowait()
            except queue.Empty:
                return
            yield self._hand_back(item)

    def wait(self) -> tuple[list, np.ndarray] | None:
        """The next group, waiting for it; None when everything was handed back."""
        if self.outstanding == 0:
            return None
        self.cores.give()
        try:
            item = self._results.get()
        finally:
            self.cores.take(main=True)
        return self._hand_back(item)

    def _hand_back(self, group: _Group) -> tuple[list, np.ndarray]:
        self.outstanding -= len(group.hashes)
        if group.error is not None:
            raise group.error
        return group.files, group.vectors()

    # -- worker threads ------------------------------------------------------
    def _loop(self, model) -> None:
        while (task := self._next()) is not None:
            group, rows = task
            self.cores.take()
            try:
                vecs = self.embedder.encode_raw([group.texts[r] for r in rows], model)
            except BaseException as exc:  # handed to the main thread, which raises it
                group.error, vecs = exc, None
            finally:
                self.cores.give()
            with self._cond:
                if vecs is not None:
                    group.fresh[rows] = vecs
                group.left -= 1
                done = group.left == 0
            if done:
                self._finish(group)

    def _next(self) -> tuple[_Group, np.ndarray] | None:
        """A batch to encode: from a group already started, else from a new group."""
        with self._cond:
            while True:
                self._cond.wait_for(lambda: self._startable() is not None or self._closed
                                    or self._todo_snippets >= MIN_POOL)
                group = self._startable()
                if group is not None:
                    return group, group.batches.popleft()
                if not self._todo:
                    return None  # closed, and nothing left to start
                group = _Group(self._take(), self.embedder)
                if group.batches:
                    self._active.append(group)
                    self._cond.notify_all()  # another worker can help with it
                else:  # everything came from the cache
                    self._finish(group)

    def _startable(self) -> _Group | None:
        while self._active and not self._active[0].batches:
            self._active.popleft()
        return self._active[0] if self._active else None

    def _take(self) -> list:
        """The files waiting, up to MAX_POOL snippets (called holding the lock)."""
        files, n, most = [], 0, MAX_POOL
        if self._closed and self._todo_snippets > 2 * LAST_POOL:  # leave a short last group
            most = min(MAX_POOL, self._todo_snippets - LAST_POOL)
        while self._todo and (not files or n + len(self._todo[0].snippets) <= most):
            p = self._todo.popleft()
            files.append(p)
            n += len(p.snippets)
        self._todo_snippets -= n
        return files

    def _finish(self, group: _Group) -> None:
        if group.error is None:
            try:
                self.embedder.remember(dict(zip(group.keys, group.fresh)))
            except BaseException as exc:
                group.error = exc
        self._results.put(group)
