"""An untrained pipeline with nl_core_news_sm's architecture: a proxy for its compute cost.

spaCy's trained Dutch pipeline cannot be installed on the benchmark machine (its
wheel is on GitHub), so the NLP-overhead target for it cannot be measured. This
module builds a pipeline with the same components, layer sizes and output sizes but
random weights, and saves it with `nlp.to_disk`. Its `nlp.pipe` does the arithmetic
of the real model per token; its annotations are meaningless. The stage's own work
depends on them only a little: per distinct word and lemma, per sentence start (both
vectorised) and per entity. Random weights make the parser start a sentence and the
NER an entity at almost every token, far more entities than a trained model finds;
that makes the stage's share larger, not smaller.

What is established, and from where:

* Components, their order and the disabled senter: meta.json of nl_core_news_sm 3.8.0
  (explosion/spacy-models, meta/nl_core_news_sm-3.8.0.json): tok2vec, morphologizer,
  tagger, parser, lemmatizer (trainable_lemmatizer), attribute_ruler, ner; senter
  present but disabled.
* Number of labels, from the same meta.json: morphologizer 66, tagger 203, parser 36
  dependency labels, ner 18 (the OntoNotes types). The parser and NER labels below are
  those inventories; the tagger's CGN tags and the morphologizer's feature bundles get
  stand-in names, as only their number sets the size of the output layers.
* Layer sizes, from the sizes of the released files (huggingface.co/spacy/nl_core_news_sm,
  3.3 and later; `REAL_SIZES_KB`), which the proxy's files match (`python -m
  benchmarks.nlp_proxy` prints both): the shared tok2vec is spaCy's efficiency design,
  width 96, depth 4, with NORM/PREFIX/SUFFIX/SHAPE/SPACY embedded in 5000/1000/2500/
  2500/50 rows (6139 kB against 6140 kB; the 3.0 file, 6.59 MB, matches the older
  four attributes with 5000/2500/2500/2500 rows just as exactly); tagger-like heads on
  it (morphologizer 26 kB = 66 labels x 97 floats); parser hidden width 64 with 2 maxout
  pieces (311 against 315 kB); an edit-tree lemmatizer with about a thousand trees (395
  against 409 kB); a disabled senter with its own 16-wide tok2vec (197 kB, equal).

Not confirmed (the model's config.cfg was not reachable): the NER's own tok2vec. As in
spaCy's other sm pipelines it has one, 96 wide, with NORM/PREFIX/SUFFIX/SHAPE in
5000/1000/2500/2500 rows (6155 kB); the current file's size was not visible, the 3.0
one (6.73 MB) matches the 3.0 rows, and nl_core_news_md's (6.38 MB) matches this
design plus its static vectors by calculation. Not confirmed either: the tagger's file
size; the number of parser actions (72 here; the real parser file suggests about 90,
a fraction of a percent of the pipeline's arithmetic); the attribute ruler's patterns
(two stand-ins here); and the edit trees, which come from
spaCy's Dutch lookup table (spacy-lookups-data) with min_tree_freq 3 (spaCy's default,
and the value in da_core_news_lg's config), 1016 trees against about 1050 implied
by the real lemmatizer's size.

The generator is deterministic: the same spaCy, thinc and spacy-lookups-data give a
byte-identical directory (fixed seeds; numpy's global random state, which thinc draws
initial weights from, is restored afterwards).

    python -m benchmarks.nlp_proxy [OUT_DIR]
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import sys
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

#: Directory name under the benchmark workdir.
DIRNAME = "nl_core_news_sm_architectuur"
#: meta.json name: the label reads `nl_ongetraind_core_news_sm-0.0.0 (map ..., digest)`.
META_NAME = "ongetraind_core_news_sm"
SEED = 0
#: Released nl_core_news_sm files, 3.3 and later (huggingface.co/spacy/nl_core_news_sm), for comparison;
#: ner/model only as of 3.0/3.1, when the tok2vecs had larger tables (see the module docstring).
REAL_SIZES_KB = {
    "tok2vec/model": 6140, "morphologizer/model": 26, "parser/model": 315, "lemmatizer/model": 409,
    "lemmatizer/trees": 237, "senter/model": 197, "ner/model": 6730,
}

CONFIG = """
[nlp]
lang = "nl"
pipeline = ["tok2vec","morphologizer","tagger","parser","lemmatizer","senter","attribute_ruler","ner"]
# The senter is disabled after initialisation, as in the released model: a disabled
# component would not be initialised.
disabled = []
batch_size = 256

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = ${components.tok2vec.model.encode:width}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE","SPACY"]
rows = [5000,1000,2500,2500,50]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3

[components.morphologizer]
factory = "morphologizer"
extend = false
overwrite = true

[components.morphologizer.model]
@architectures = "spacy.Tagger.v2"
nO = null
normalize = false

[components.morphologizer.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${components.tok2vec.model.encode:width}
upstream = "tok2vec"

[components.tagger]
factory = "tagger"
overwrite = false

[components.tagger.model]
@architectures = "spacy.Tagger.v2"
nO = null
normalize = false

[components.tagger.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${components.tok2vec.model.encode:width}
upstream = "tok2vec"

[components.parser]
factory = "parser"
learn_tokens = false
min_action_freq = 30
moves = null
update_with_oracle_cut_size = 100

[components.parser.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "parser"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.parser.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${components.tok2vec.model.encode:width}
upstream = "tok2vec"

[components.lemmatizer]
factory = "trainable_lemmatizer"
backoff = "orth"
min_tree_freq = 3
overwrite = false
top_k = 1

[components.lemmatizer.model]
@architectures = "spacy.Tagger.v2"
nO = null
normalize = false

[components.lemmatizer.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${components.tok2vec.model.encode:width}
upstream = "tok2vec"

[components.senter]
factory = "senter"
overwrite = false

[components.senter.model]
@architectures = "spacy.Tagger.v2"
nO = null
normalize = false

[components.senter.model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[components.senter.model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 16
attrs = ["NORM","PREFIX","SUFFIX","SHAPE","SPACY"]
rows = [1000,500,500,500,50]
include_static_vectors = false

[components.senter.model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 16
depth = 2
window_size = 1
maxout_pieces = 2

[components.attribute_ruler]
factory = "attribute_ruler"
validate = false

[components.ner]
factory = "ner"
incorrect_spans_key = null
moves = null
update_with_oracle_cut_size = 100

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[components.ner.model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 96
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,1000,2500,2500]
include_static_vectors = false

[components.ner.model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3
"""

#: Universal Dependencies relations used for Dutch (the parser's 36 labels in nl_core_news_sm).
DEPRELS = ("ROOT acl acl:relcl advcl advmod amod appos aux aux:pass case cc ccomp compound:prt conj cop csubj "
           "dep det expl expl:pv fixed flat iobj mark nmod nmod:poss nsubj nsubj:pass nummod obj obl "
           "obl:agent orphan parataxis punct xcomp").split()
#: OntoNotes entity types, which nl_core_news_sm's NER predicts.
ENTITY_TYPES = ("CARDINAL DATE EVENT FAC GPE LANGUAGE LAW LOC MONEY NORP ORDINAL ORG PERCENT PERSON PRODUCT "
                "QUANTITY TIME WORK_OF_ART").split()
#: ArcEager's action ids (spacy/pipeline/_parser_internals/arc_eager.pyx: SHIFT, REDUCE, LEFT, RIGHT, BREAK).
LEFT, RIGHT = 2, 3
N_TAGS = 203  # fine-grained CGN tags of the real tagger (including _SP)
N_MORPH = 66  # UPOS + feature bundles of the real morphologizer
UPOS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PRON PROPN PUNCT SCONJ SPACE SYM VERB X".split()


def morph_labels() -> list[str]:
    """66 UD-style labels: each UPOS on its own, then with a numbered stand-in feature."""
    labels = [f"POS={p}" for p in UPOS]
    i = 0
    while len(labels) < N_MORPH:
        labels.append(f"POS={UPOS[i % len(UPOS)]}|Variant={i // len(UPOS) + 1}")
        i += 1
    return labels


def lemma_pairs() -> list[tuple[str, str]]:
    """(form, lemma) pairs of spaCy's Dutch lookup table, sorted: the source of the edit trees."""
    data = resources.files("spacy_lookups_data") / "data" / "nl_lemma_lookup.json.gz"
    return sorted(json.loads(gzip.decompress(data.read_bytes())).items())


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """thinc draws initial weights from numpy's global generator: seed it here, then put it back."""
    import numpy as np

    np_state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


def build(seed: int = SEED):
    """The untrained pipeline, initialised with the real label counts."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example
    from thinc.api import Config

    nlp = spacy.util.load_model_from_config(Config().from_str(CONFIG), auto_fill=True, validate=True)
    for label in morph_labels():
        nlp.get_pipe("morphologizer").add_label(label)
    for i in range(N_TAGS - 1):
        nlp.get_pipe("tagger").add_label(f"TAG{i + 1:03d}")
    nlp.get_pipe("tagger").add_label("_SP")
    moves = nlp.get_pipe("parser").moves
    for label in DEPRELS[1:]:  # attachments left and right with every label; ROOT only ends a sentence
        moves.add_action(LEFT, label)
        moves.add_action(RIGHT, label)
    for label in ENTITY_TYPES:
        nlp.get_pipe("ner").add_label(label)
    pairs = lemma_pairs()
    chunk = 1000

    def examples():
        # The lemmatizer takes its edit trees from these; the other components only
        # need docs to infer their input shapes (their labels were added above).
        for start in range(0, len(pairs), chunk):
            forms, lemmas = zip(*pairs[start:start + chunk])
            yield Example(Doc(nlp.vocab, words=list(forms)), Doc(nlp.vocab, words=list(forms), lemmas=list(lemmas)))

    with _seeded(seed):
        nlp.initialize(lambda: examples())
    _randomise_output_layers(nlp, seed)
    nlp.get_pipe("attribute_ruler").add_patterns([  # after `initialize`, which empties the ruler
        {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},
        {"patterns": [[{"ORTH": {"IN": ["[NAAM]", "[EMAIL]", "[URL]"]}}]], "attrs": {"POS": "PROPN"}},
    ])
    nlp.disable_pipe("senter")
    nlp.meta.update(name=META_NAME, version="0.0.0", description=(
        "Ongetrainde pijplijn (willekeurige gewichten) met de architectuur van nl_core_news_sm 3.8: "
        "alleen voor rekentijdmetingen, de annotaties betekenen niets (benchmarks/nlp_proxy.py)."))
    return nlp


def _randomise_output_layers(nlp, seed: int) -> None:
    """Give the output layers random weights too (Glorot-uniform); spaCy starts them at zero.

    Zero output weights cost the same arithmetic, but every token would get the first
    tag and the first lemma rule; random ones vary those decisions, as a trained
    model's do.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    for _, component in nlp.components:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if "W" in node.param_names and node.has_param("W"):
                W = node.get_param("W")
                if W.ndim == 2 and not W.any():
                    limit = (6.0 / sum(W.shape)) ** 0.5
                    node.set_param("W", rng.uniform(-limit, limit, W.shape).astype(W.dtype))


def write(folder: Path, seed: int = SEED) -> Path:
    """Build the proxy and save it to `folder` (replacing an earlier proxy there); return `folder`."""
    if folder.exists():
        meta = folder / "meta.json"
        if not meta.is_file() or json.loads(meta.read_text(encoding="utf-8")).get("name") != META_NAME:
            raise SystemExit(f"{folder} bestaat al en is geen eerder gemaakte proxy: niet overschreven")
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    build(seed).to_disk(folder)
    return folder


def file_sizes(folder: Path) -> dict[str, int]:
    """Bytes per model file, for comparison with `REAL_SIZES_KB`."""
    return {name: (folder / name).stat().st_size for name in REAL_SIZES_KB if (folder / name).exists()}


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    folder = write(Path(args[0]) if args else Path("/tmp") / DIRNAME)
    for name, size in file_sizes(folder).items():
        print(f"{name:<22} {size / 1000:8.0f} kB   (nl_core_news_sm: {REAL_SIZES_KB[name]} kB)")
    print(f"→ {folder}")


if __name__ == "__main__":
    main()
