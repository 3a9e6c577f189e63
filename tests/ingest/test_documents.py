"""Tests for `pipeline.ingest.documents`: a document's paragraphs as passages."""

from __future__ import annotations

from tests.ingest.helpers import run


def test_document_signature_block_is_kept_with_its_status(tmp_path, ingest_cfg):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "besluit.md").write_text("##Besluit regionale samenwerking\n\n###Artikel 1\n\n"
                                          "De regio werkt samen.\n\nDen Haag, 3 maart 2024\n\n"
                                          "De Minister van Binnenlandse Zaken,\nw.g. J. Jansen\n", encoding="utf-8")
    df, acc, metrics = run(tmp_path, ingest_cfg, documents=documents)
    assert df["status"].tolist() == ["ok", "signature", "signature"]
    assert set(df["section"]) == {"Besluit regionale samenwerking › Artikel 1"}
    assert acc["files"][0]["signature_passages"] == 2 and metrics["passages_ok"] == 1
