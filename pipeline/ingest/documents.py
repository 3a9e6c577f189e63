"""One document -> passage rows (a paragraph each, long ones split) and its accounting entry."""

from __future__ import annotations

from pathlib import Path

from pipeline import readers
from pipeline.errors import InputFileError
from pipeline.ingest.config import IngestConfig
from pipeline.schema import STATUS_SIGNATURE
from pipeline.text import split_long


def ingest_document(path: Path, folder: Path, cfg: IngestConfig, say=None) -> tuple[list[dict], dict]:
    """Read one document; return passage rows and its accounting entry (with the reader's notes)."""
    reader = readers.DOCUMENT_READERS.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(f"onbekend documentformaat '{path.suffix}'", path=path,
                             hint=f"ondersteund: {', '.join(sorted(readers.DOCUMENT_READERS))}")
    paragraphs = reader(path)
    root = folder.parent
    rel = path.relative_to(root).as_posix()
    doc_id = path.relative_to(folder).with_suffix("").as_posix()
    rows = []
    for n, para in enumerate(paragraphs, start=1):
        chunks = split_long(para.text, cfg.max_passage_chars)
        for c, chunk in enumerate(chunks):
            pid = f"{doc_id}/{n:04d}" + (f".{c}" if len(chunks) > 1 else "")
            rows.append({"passage_id": pid, "source": rel, "kind": "document", "wave": None,
                         "respondent_id": None, "question_id": None, "row": None, "page": para.page,
                         "paragraph": n, "chunk": c, "section": para.section, "text": chunk, "status": para.status})
    pages = sorted({p.page for p in paragraphs if p.page})
    notes = list(getattr(paragraphs, "notes", []))
    for note in notes:
        if say and note.startswith(readers.WARNING_PREFIX):
            say(f"{rel}: {note}", warn=True)
    entry = {"file": rel, "kind": "document", "status": "read", "paragraphs": len(paragraphs),
             "passages": len(rows), "signature_passages": sum(r["status"] == STATUS_SIGNATURE for r in rows),
             "pages": len(pages) or None, "notes": notes}
    if not paragraphs:
        entry["notes"].append("geen tekst gevonden")
    return rows, entry
