"""What the offline NLP fallback costs, measured against gold Dutch annotation.

Compares the NLP backends (the fallback always; nl_core_news_sm when installed) on a
Universal Dependencies Dutch treebank: lemma accuracy (lowercased, on the gold
tokens), sentence-boundary F1 (on the raw text) and speed. An "identity" row (lemma =
lowercased word form) shows how much a lemmatizer adds at all, and a row for spaCy's
lookup lemmatizer (spacy-lookups-data, the fallback's lemmatizer before simplemma)
what the switch gained.

Lemmas are compared lowercased and without underscores: the Alpino annotation writes
separable verbs and some compounds as "af_spreken", the pipeline as "afspreken".
simplemma mines the UD train splits for corrections; these are the dev splits.

Usage:
    python -m benchmarks.fallback_cost [CONLLU ...] [--json benchmarks/fallback_cost.json]

Default treebanks: the UD Dutch dev files in ../shared/realworld (never the test files).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from spacy.tokens import Doc

DEFAULT = [
    Path("../shared/realworld/UD_Dutch-Alpino/nl_alpino-ud-dev.conllu"),
    Path("../shared/realworld/UD_Dutch-LassySmall/nl_lassysmall-ud-dev.conllu"),
]


def read_conllu(path: Path) -> list[dict]:
    """Sentences with their text, word forms and lemmas (multiword-token lines skipped)."""
    sents, cur = [], {"text": "", "words": [], "lemmas": [], "upos": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            cur["text"] = line[len("# text = "):]
        elif not line.strip():
            if cur["words"]:
                sents.append(cur)
            cur = {"text": "", "words": [], "lemmas": [], "upos": []}
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            cur["words"].append(cols[1])
            cur["lemmas"].append(cols[2])
            cur["upos"].append(cols[3])
    if cur["words"]:
        sents.append(cur)
    return sents


def lemma_accuracy(nlp, sents: list[dict]) -> tuple[float, float]:
    """(all tokens, content tokens: NOUN/VERB/ADJ/ADV) lemma accuracy on gold tokenisation."""
    ok = total = ok_c = total_c = 0
    pipes = [name for name, _ in nlp.pipeline]
    for s in sents:
        doc = Doc(nlp.vocab, words=s["words"])
        for name in pipes:
            if name in ("sentencizer", "senter", "parser"):
                continue
            doc = nlp.get_pipe(name)(doc)
        for tok, gold, upos in zip(doc, s["lemmas"], s["upos"]):
            if upos == "PUNCT":
                continue
            hit = same_lemma(tok.lemma_ or tok.text, gold)
            ok += hit
            total += 1
            if upos in ("NOUN", "VERB", "ADJ", "ADV"):
                ok_c += hit
                total_c += 1
    return ok / total, ok_c / total_c


def same_lemma(predicted: str, gold: str) -> bool:
    return predicted.lower().replace("_", "") == gold.lower().replace("_", "")


def lookup_pipeline():
    """spaCy's lookup lemmatizer on blank Dutch: the fallback's lemmatizer until simplemma replaced it."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp, "blank-nl+sentencizer+lookup (spacy-lookups-data, vorige fallback)"


def identity_accuracy(sents: list[dict]) -> tuple[float, float]:
    ok = total = ok_c = total_c = 0
    for s in sents:
        for w, gold, upos in zip(s["words"], s["lemmas"], s["upos"]):
            if upos == "PUNCT":
                continue
            hit = same_lemma(w, gold)
            ok += hit
            total += 1
            if upos in ("NOUN", "VERB", "ADJ", "ADV"):
                ok_c += hit
                total_c += 1
    return ok / total, ok_c / total_c


def sentence_f1(nlp, sents: list[dict], group: int = 10) -> float:
    """Boundary F1 when groups of gold sentences are joined into one text and re-split."""
    tp = fp = fn = 0
    for i in range(0, len(sents), group):
        chunk = [s["text"] for s in sents[i:i + group] if s["text"]]
        text = " ".join(chunk)
        gold, pos = set(), 0
        for t in chunk[:-1]:
            pos += len(t) + 1
            gold.add(pos)
        pred = {s.start_char for s in nlp(text).sents if s.start_char > 0}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    from pipeline.nlp import MODEL, load_backend, model_installed

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("conllu", nargs="*", type=Path, default=DEFAULT)
    ap.add_argument("--json", type=Path, default=Path("benchmarks/fallback_cost.json"))
    args = ap.parse_args()
    sents = [s for p in args.conllu for s in read_conllu(p)]
    texts = [s["text"] for s in sents]
    rows = []
    ia, ic = identity_accuracy(sents)
    rows.append({"backend": "identity (lemma = woordvorm)", "lemma_acc": ia, "lemma_acc_content": ic})
    backends = ["lookup", "fallback"] + ([MODEL] if model_installed() else [])
    for name in backends:
        nlp, label = lookup_pipeline() if name == "lookup" else load_backend(name, lambda *a, **k: None)
        la, lc = lemma_accuracy(nlp, sents)
        start = time.perf_counter()
        n_tok = sum(len(d) for d in nlp.pipe(texts, batch_size=256))
        secs = time.perf_counter() - start
        rows.append({"backend": label, "lemma_acc": la, "lemma_acc_content": lc,
                     "sentence_f1": sentence_f1(nlp, sents), "tokens_per_s": n_tok / secs,
                     "ner": "ner" in nlp.pipe_names})
    if not model_installed():
        rows.append({"backend": f"{MODEL}: niet geïnstalleerd op deze machine (geen internet)"})
    print(f"{len(sents)} zinnen uit {', '.join(p.name for p in args.conllu)}")
    print(f"{'backend':62} {'lemma':>6} {'inhoud':>7} {'zin-F1':>7} {'tok/s':>9}")
    for r in rows:
        if "lemma_acc" not in r:
            print(r["backend"])
            continue
        print(f"{r['backend'][:62]:62} {r['lemma_acc']:6.3f} {r['lemma_acc_content']:7.3f} "
              f"{r.get('sentence_f1', float('nan')):7.3f} {r.get('tokens_per_s', float('nan')):9.0f}")
    args.json.write_text(json.dumps({"sentences": len(sents), "rows": rows}, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
