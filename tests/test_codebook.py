"""pipeline/codebook.py: the codebook file, its codes and their axes."""

from __future__ import annotations

import pytest

from pipeline.codebook import load_codebook
from pipeline.errors import SamenspelError
from tests.conftest import CODEBOOK


def test_codebook_has_the_seven_codes_on_the_articles_axes():
    cb = load_codebook(CODEBOOK)
    assert cb.ids == ["strateeg", "procesmanager", "netwerker", "organisatieontwikkelaar", "belangen",
                      "schijnsamenwerking", "regie"]
    axes = {c.id: (c.axes["niveau"], c.axes["focus"]) for c in cb.group("orientatie")}
    assert axes == {"strateeg": ("richten", "binnen"), "netwerker": ("richten", "buiten"),
                    "organisatieontwikkelaar": ("inrichten/verrichten", "binnen"),
                    "procesmanager": ("inrichten/verrichten", "buiten")}
    assert all(c.definition and c.indicators and c.include and c.exclude and c.examples for c in cb.codes)


def test_codebook_grows_without_code_changes(tmp_path):
    text = CODEBOOK.read_text(encoding="utf-8") + """
  - id: vertrouwen
    groep: thema
    naam: Vertrouwen
    definitie: Onderling vertrouwen tussen partners.
    indicatoren: [vertrouwen]
"""
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_codebook(path).ids[-1] == "vertrouwen"


@pytest.mark.parametrize("code_id", ["text", "codes", "wave", "p_regie", "meta_x"])
def test_codebook_refuses_ids_that_clash_with_output_columns(tmp_path, code_id):
    text = CODEBOOK.read_text(encoding="utf-8") + f"""
  - id: {code_id}
    groep: thema
    naam: Botsing
    definitie: Een id die een kolomnaam van de uitvoer is.
    indicatoren: [botsing]
"""
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SamenspelError, match="gereserveerd"):
        load_codebook(path)
