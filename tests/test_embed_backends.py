"""The ONNX backends against sentence-transformers on torch, and vectors that never mix."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from research_hub import IndexMismatchError
from research_hub.core.settings import resolve_model
from research_hub.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration


def readme_queries() -> list[str]:
    """The queries the README shows, without their options or quotes."""
    readme = (ROOT / "README.md").read_text()
    cli = re.findall(r"^research-hub search (['\"])(.+?)\1", readme, re.M)
    api = re.findall(r'hub\.search\("([^"]+)"', readme)
    return list(dict.fromkeys([q.strip('"') for _, q in cli] + api))


@pytest.fixture(scope="module")
def vectors(sample_hub):
    texts = [s.text for s in sample_hub.snippets(role="participant")]
    queries = readme_queries()
    assert len(queries) >= 4 and len(texts) > 500
    model = resolve_model(None)
    out = {}
    for backend in ("torch", "onnx", "onnx-int8"):
        e = Embedder(model, backend)
        out[backend] = (e.encode_raw(texts), np.vstack([e.encode_query(q) for q in queries]))
    return out


def top5(docs: np.ndarray, queries: np.ndarray) -> list[list[int]]:
    return [list(np.argsort(-(docs @ q), kind="stable")[:5]) for q in queries]


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_onnx_vectors_are_close_to_torch(vectors, backend):
    cosine = (vectors[backend][0] * vectors["torch"][0]).sum(axis=1)
    assert cosine.mean() >= 0.99 and cosine.min() > 0.95


def test_fp32_onnx_ranks_the_readme_queries_exactly_as_torch(vectors):
    assert top5(*vectors["onnx"]) == top5(*vectors["torch"])


def test_int8_keeps_most_of_torchs_top_five(vectors):
    """int8 moves similarities by up to about 0.03, enough to swap neighbours that torch scores
    0.03 apart (even a top 1), which is why it is not the default; it must not lose more."""
    reference = top5(*vectors["torch"])
    for got, want in zip(top5(*vectors["onnx-int8"]), reference):
        assert len(set(got) & set(want)) >= 3


def test_a_query_loads_no_torch_transformers_or_spacy():
    code = ("import sys; from research_hub.core.settings import resolve_model; "
            "from research_hub.embed import Embedder; "
            "v = Embedder(resolve_model(None), 'onnx').encode_query('export is slow'); "
            "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'spacy') if m in sys.modules]; "
            "print(len(v), heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "384 []"


def test_a_workspace_never_mixes_vectors_of_two_backends(tmp_path, sample_workspace):
    import shutil

    from research_hub import Hub

    home = tmp_path / "ws"
    shutil.copytree(sample_workspace, home)
    other = Hub(home, backend="onnx-int8")
    with pytest.raises(IndexMismatchError, match="research-hub reindex"):
        other.search("export is slow")
    with pytest.raises(IndexMismatchError):
        other.ingest([ROOT / "sample_interviews" / "feedback"])
    assert not other.doctor()["ok"]
    assert other.reindex()["encoded"] > 0  # re-embedded with the configured backend
    assert other.search("export is slow") and other.doctor()["ok"]
    other.close()


def test_themes_from_stored_vectors_load_no_torch_transformers_or_spacy(tmp_path, sample_workspace):
    import shutil

    home = tmp_path / "ws"
    shutil.copytree(sample_workspace, home)
    code = ("import sys; import numpy as np; from research_hub import Hub; "
            "from research_hub.themes.cluster import cluster; "
            f"h = Hub({str(home)!r}); t = h.themes(all_snippets=True); "
            "big = cluster(np.random.default_rng(0).normal(size=(240, 16)));"  # the UMAP path
            "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'spacy') if m in sys.modules]; "
            "print(len(t) > 0, big.partition, heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().split("\n")[-1] == "True True []"


def test_a_damaged_optimised_copy_is_made_again_from_the_export():
    from research_hub.embed.onnx_encoder import OnnxEncoder

    first = OnnxEncoder(resolve_model(None), "onnx", 1)
    want = first.encode(["export is slow"])
    copy = first.model_path.with_name(first.model_path.stem + ".opt.onnx")
    assert copy.exists()
    copy.write_bytes(b"not an onnx file")
    again = OnnxEncoder(resolve_model(None), "onnx", 1)
    assert np.array_equal(again.encode(["export is slow"]), want)
    assert copy.stat().st_size > 1_000_000


def test_reading_commands_load_no_torch_transformers_or_spacy(tmp_path, sample_workspace):
    """search, stats, snippets and features list, each a new `research-hub` process."""
    import shutil

    from research_hub.bench.cold import COMMANDS, _env, heavy_imports

    home = tmp_path / "ws"
    shutil.copytree(sample_workspace, home)
    for name in ("search", "stats", "snippets", "features list"):
        assert heavy_imports(COMMANDS[name], _env(home, "onnx"), tmp_path) == [], name
