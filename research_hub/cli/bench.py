"""`research-hub bench ...`: benchmarks that report ratios against a same-run baseline."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from research_hub.bench import cold as bench_cold_run
from research_hub.bench import ingest as bench_ingest_run
from research_hub.bench import link as bench_link_run
from research_hub.bench import load as bench_load_run
from research_hub.bench import redact as bench_redact_run
from research_hub.bench import scale as bench_scale_run
from research_hub.bench import search as bench_search_run
from research_hub.bench import snippets as bench_snippets_run
from research_hub.bench import tags as bench_tags_run
from research_hub.bench import themes as bench_themes_run
from research_hub.bench import themes_eval as bench_themes_eval_run
from research_hub.cli.common import err, fail, print_json, table
from research_hub.core.settings import env_value
from research_hub.embed import BACKENDS

SAMPLES = Path(__file__).resolve().parents[2] / "sample_interviews"
BANKING = Path(__file__).resolve().parents[3] / "shared" / "eval" / "banking77_train.csv"


def _show(title: str, result: dict, as_json: bool) -> None:
    if as_json:
        print_json(result)
    else:
        table(title, ["measure", "value"], list(result.items()))


def _eval_dir() -> Path:
    return Path(env_value("eval_dir")) if env_value("eval_dir") else BANKING.parent


def _backends(names: Optional[str]) -> tuple[str, ...]:
    chosen = tuple(n.strip() for n in (names or ",".join(BACKENDS)).split(",") if n.strip())
    unknown = [n for n in chosen if n not in BACKENDS]
    if unknown:
        fail(f"unknown backend {unknown[0]!r}; use some of {', '.join(BACKENDS)}")
    return chosen


def bench_ingest(backends: Optional[str] = typer.Option(None, help="Comma-separated (default: all)."),
                 files: Optional[int] = typer.Option(None, help="Use only the first N interviews."),
                 as_json: bool = typer.Option(False, "--json")):
    """Every backend's whole ingest against raw torch encode of the same texts, real interviews."""

    try:
        result = bench_ingest_run.run(_eval_dir(), _backends(backends), files,
                                      out=lambda m: typer.echo(m, err=True))
    except FileNotFoundError as exc:
        fail(str(exc))
    if as_json:
        return print_json(result)
    rows = result.pop("rows")
    _show("bench ingest", result, False)
    table("bench ingest: pipeline per backend (ratio: raw torch encode seconds / ingest seconds; "
          "ceiling: the same for the backend's raw encode alone)",
          ["backend", "snippets", "encoded", "seconds", "texts/s", "ratio", "ceiling", "cpu s", "tag s",
           "upsert s"],
          [(r["backend"], r["snippets"], r["encoded"], r["seconds"], r["distinct_texts_per_s"],
            r["ratio_to_raw_torch"], r["ceiling_ratio"], r["cpu_s"], r["tag_s"], r["upsert_s"]) for r in rows])


def bench_cold(backends: Optional[str] = typer.Option(None, help="Comma-separated (default: all; the first also runs the other commands)."),
               repeat: int = typer.Option(5, help="Timed runs per backend (the median is shown)."),
               as_json: bool = typer.Option(False, "--json")):
    """A new `research-hub search` process on the sample workspace: wall time and peak memory per backend."""

    result = bench_cold_run.run(SAMPLES, _backends(backends), repeat, out=lambda m: typer.echo(m, err=True))
    if as_json:
        return print_json(result)
    table(f"bench cold: research-hub search, median of {repeat} new processes ({result['load_average_1min (start, end)']})",
          ["backend", "wall s", "min-max s", "peak MB"],
          [(r["backend"], r["wall_s_median"], r["wall_s_min_max"], r["peak_mb_median"]) for r in result["search"]])
    table("bench cold: reading commands (one run each)", ["command", "heavy imports", "wall s", "peak MB"],
          [(n, ", ".join(c["heavy_imports"]) if isinstance(c["heavy_imports"], list) else c["heavy_imports"],
            c["wall_s"], c["peak_mb"]) for n, c in result["commands"].items()])


def bench_scale(sizes: str = typer.Option("25000,100000", help="Store sizes, comma-separated."),
                queries: int = typer.Option(60, help="Distinct timed queries per measure."),
                themes: bool = typer.Option(True, help="Also time `themes` (pain_point snippets) on each store."),
                as_json: bool = typer.Option(False, "--json")):
    """Synthesised stores: store writes, search p50/p95, cold search, themes, reindex, disk per snippet."""

    try:
        n = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError:
        fail(f"--sizes takes whole numbers separated by commas, not {sizes!r}")
    try:
        result = bench_scale_run.run(_eval_dir() / "banking77_train.csv", SAMPLES, n, queries, themes,
                                     out=lambda m: typer.echo(m, err=True))
    except FileNotFoundError as exc:
        fail(str(exc))
    print_json(result) if as_json else _show("bench scale", {k: v for k, v in result.items()}, False)


def bench_link(k: int = typer.Option(50, "--k", help="Suggestions per feature."),
               as_json: bool = typer.Option(False, "--json")):
    """Evidence suggestions for BANKING77 intents as features: precision@10, recall@50."""

    _show("bench link", bench_link_run.run(k), as_json)


def bench_search(snippets: int = typer.Option(100_000, help="Snippets in the latency store (0: no latency)."),
                 queries: int = typer.Option(100, help="Distinct timed queries per measure."),
                 backends: Optional[str] = typer.Option(None, help="Backends side by side, comma-separated "
                                                        "(default: all; 'none' to skip)."),
                 as_json: bool = typer.Option(False, "--json")):
    """Backends side by side and precision@10 on banking77; latency at 100k snippets vs raw Chroma."""

    banking = _eval_dir() / "banking77_train.csv"
    chosen = () if backends == "none" else _backends(backends)
    try:
        result = bench_search_run.run(banking, SAMPLES, snippets, queries, out=lambda m: typer.echo(m, err=True),
                                      backends=chosen)
    except (FileNotFoundError, RuntimeError) as exc:
        fail(str(exc))
    if as_json:
        return print_json(result)
    if result.get("backends"):
        b = result["backends"]
        table(f"bench search: backends ({b['data']})",
              ["backend", "texts/s", "x torch", "one query ms", "p@10 dense", "p@10 hybrid", "cosine to torch"],
              [(r["backend"], r["texts_per_s"], r["speed_vs_torch"], r["query_ms"], r["p@10 dense"],
                r["p@10 hybrid"], r["cosine_to_torch"]) for r in b["rows"]])
    _show("bench search: quality on banking77 (CC BY 4.0, PolyAI)", result["quality"], False)
    if "latency" not in result:
        return
    _show("bench search: cold costs", result["cold"], False)
    table("bench search: latency", ["measure", "queries", "p50 ms", "p95 ms", "note"],
          [(r["measure"], r["queries"], r["p50_ms"], r["p95_ms"], r["note"]) for r in result["latency"]])


def bench_themes(csv_path: Optional[Path] = typer.Option(None, "--csv", help="A labelled CSV (text, category), e.g. BANKING77, instead of the interviews."),
                 sample: Optional[int] = typer.Option(None, help="With --csv: a random sample of this many rows."),
                 no_bertopic: bool = typer.Option(False, "--no-bertopic", help="Skip the BERTopic baseline."),
                 scale: int = typer.Option(100_000, help="Snippets for the scale run (0: skip)."),
                 workdir: Optional[Path] = typer.Option(None, help="Where the ingested Anthropic workspace is kept and reused."),
                 as_json: bool = typer.Option(False, "--json")):
    """Themes against the archivists' codes (oral histories) next to BERTopic, generic labels
    on the Anthropic pain points, and time at scale. --csv: a labelled CSV instead."""
    say = lambda m: err.print(m, markup=False, highlight=False)  # noqa: E731
    try:
        if csv_path:
            return _bench_labelled(bench_themes_run.run(csv_path, sample, not no_bertopic, out=say), as_json)
        result = bench_themes_eval_run.run(not no_bertopic, scale, workdir, out=say)
    except (FileNotFoundError, KeyError) as exc:
        fail(str(exc))
    if as_json:
        return print_json(result)
    oral, pain, big = result["oral"], result["pain"], result["scale"]
    _methods_table(f"bench themes: oral histories, {oral['rows']} participant rows, {oral['coded']} coded",
                   oral["methods"], oral)
    table(f"pain_point themes: {pain['snippets']} snippets",
          ["themes", "generic labels", "unthemed", "seconds"],
          [(pain["themes"], f"{pain['generic_share']:.1%}", f"{pain['unthemed_share']:.1%}", pain["seconds"])])
    typer.echo(f"generic words: {', '.join(pain['generic'])}")
    typer.echo(f"labels: {'; '.join(pain['labels'])}")
    typer.echo(f"data: {pain['data']}")
    if big:
        typer.echo(f"scale: {big['snippets']} snippets -> {big['themes']} themes in {big['seconds']}s, "
                   f"process peak {big['peak_gb']} GB (timings inflated by other work on this machine)")


def _bench_labelled(result: dict, as_json: bool) -> None:
    if as_json:
        return print_json(result)
    if "time_ratio" in result:
        typer.echo(f"time ratio research_hub / BERTopic: {result['time_ratio']:.3f}")
    _methods_table(f"bench themes: {result['texts']} texts, {result['intents']} intents", result["rows"], result)


def _methods_table(title: str, rows: list[dict], result: dict) -> None:
    table(title, ["method", "V-measure", "ARI", "themes", "unthemed", "seconds"],
          [(r["method"], r["v_measure"], r["ari"], r["themes"], f"{r['unthemed_share']:.1%}", r["seconds"])
           for r in rows])
    if "note" in result:
        typer.echo(f"note: {result['note']}")
    typer.echo(f"data: {result['data']}")


def bench_redact(interviews: int = typer.Option(20, help="Made-up interviews with planted PII."),
                 seed: int = typer.Option(7, help="Seed for the planted values."),
                 as_json: bool = typer.Option(False, "--json")):
    """Recall of PII redaction on planted emails, phones, cards and names (ingest --redact)."""

    _show("bench redact: planted PII", bench_redact_run.run(interviews, seed), as_json)


def bench_tags(fine_tune: bool = typer.Option(False, "--fine-tune", help="Also fine-tune MiniLM's top layers "
                                               "(torch; about eight minutes on two cores) and score it."),
               epochs: int = typer.Option(3, help="Epochs of --fine-tune."),
               as_json: bool = typer.Option(False, "--json")):
    """Tag precision and recall on held-out labelled snippets: the learned models against the rules."""

    result = bench_tags_run.run(out=lambda m: err.print(m, markup=False, highlight=False),
                                fine_tune_epochs=epochs if fine_tune else 0)
    if as_json:
        return print_json(result)
    guessers = ["model", "rules"] + [g for g in ("shipped", "finetuned") if f"{g}_precision" in result["rows"][0]]
    table(f"bench tags: fitted on {result['train_units']} units in {result['fit_seconds']} s, "
          f"scored on {result['test_units']} held-out units, {result['session_units']} held-out usability-session "
          f"units, {result['usability_units']} usability quotes and {result['autistica_units']} Autistica prototype-test quotes "
          f"({result['backend']})",
          ["source", "tag", "positives"] + [f"{g} {m}" for g in guessers for m in ("P", "R")],
          [(r["source"], r["tag"], r["positives"], *(r[f"{g}_{m}"] for g in guessers for m in ("precision", "recall")))
           for r in result["rows"]])
    for key, what in (("kappa", "interview and session test units"), ("kappa_autistica", "Autistica prototype-test units")):
        kappa = result[key]
        table(f"Cohen's kappa against the labels, on the {kappa['units']} {what} labelled twice",
              ["guesser", "pain_point", "feature_request"],
              [(name, k["pain_point"], k["feature_request"]) for name, k in kappa.items() if name != "units"])
    typer.echo(f"thresholds: {result['thresholds']}")
    if fine_tune:
        typer.echo(f"fine-tuned: {epochs} epochs in {result['finetune_seconds']} s, "
                   f"thresholds {result['finetuned_thresholds']}")
    typer.echo(f"data: {result['data']}")


def bench_load(sessions: int = typer.Option(20, help="Concurrent app sessions (browser contexts)."),
               searches: int = typer.Option(3, help="Searches per session at least; they go on while the ingest runs."),
               base: int = typer.Option(20, help="Interviews ingested before the load (the searched corpus)."),
               live: int = typer.Option(30, help="Interviews ingested by another process during the load."),
               as_json: bool = typer.Option(False, "--json")):
    """p50/p95 of app searches from N browser sessions while an ingest runs, against one session
    alone; each search checked against a direct hub.search (Anthropic Interviewer, CC BY)."""
    eval_dir = Path(env_value("eval_dir")) if env_value("eval_dir") else next(
        (c for c in (BANKING.parent, SAMPLES.parents[2] / "shared" / "eval") if (c / "interviews").is_dir()),
        BANKING.parent)
    try:
        result = bench_load_run.run(eval_dir, sessions, searches, base, live,
                                    out=lambda m: err.print(m, markup=False, highlight=False))
    except (FileNotFoundError, RuntimeError) as exc:
        fail(str(exc))
    if as_json:
        return print_json(result)
    table("bench load: app searches", ["run", "searches", "p50 ms", "p95 ms", "max ms", "correct",
                                       "raced an ingest commit", "differed", "during ingest"],
          [(name, r["searches"], r["p50_ms"], r["p95_ms"], r["max_ms"], r["correct"], r["raced"],
            r["wrong"], r["during_ingest"]) for name, r in (("1 session alone", result["alone"]),
                                                           (f"{sessions} sessions + ingest", result["loaded"]),
                                                           (f"{sessions} sessions after it", result["settled"]))])
    _show("bench load: the rest", {k: v for k, v in result.items() if k not in ("alone", "loaded", "settled")},
          False)


def bench_snippets(per_set: int = typer.Option(40, help="Anthropic Interviewer transcripts from each set."),
                   as_json: bool = typer.Option(False, "--json")):
    """Roles right, titles taken from speech, participant snippets under four words, on real transcripts."""

    eval_dir = Path(env_value("eval_dir")) if env_value("eval_dir") else BANKING.parent
    try:
        result = bench_snippets_run.run(eval_dir, per_set, out=lambda m: err.print(m, markup=False, highlight=False))
    except FileNotFoundError as exc:
        fail(str(exc))
    if as_json:
        return print_json(result)
    table("bench snippets", ["corpus", "documents", "snippets", "roles right", "titles from speech",
                             "participant snippets", "under 4 words"],
          [(r["corpus"], r["documents"], r["snippets"], f"{r['roles_right']:.2%}", r["titles_from_speech"],
            r["participant_snippets"], f"{r['under_four_words']} ({r['under_four_share']:.2%})")
           for r in result["rows"]])
    for r in result["rows"]:
        typer.echo(f"{r['corpus']}, short examples: {r['short_examples']}")
    typer.echo(f"data: {result['data']}")
