"""Helpers of the realtext tests: the committed labels and a shared folder written for a test."""

from __future__ import annotations

from tests.conftest import ROOT


LABELS = ROOT / "corpora" / "devset" / "labels.jsonl"


CODES = ["strateeg", "procesmanager", "netwerker", "organisatieontwikkelaar", "belangen", "schijnsamenwerking",
         "regie"]


def fake_shared(tmp_path):
    """A shared folder in the shape of ../shared, with text written for this test."""
    regs = tmp_path / "realdev" / "regelingen"
    regs.mkdir(parents=True)
    (regs / "GR_voorbeeld.md").write_text(
        "<meta http-equiv='Content-Type' content='text/html; charset=utf-8' />\n\n"
        "##Regeling Voorbeeldschap\n\n####Artikel 1\n\n"
        "1. Het *algemeen bestuur* stelt in 2003<sup>1</sup> de begroting vast, zie de [Wet](../../wet/README.md).\n\n"
        "--- | ---\n\n"
        "De deelnemers stemmen hun inzet voor de regionale opgave af in een gezamenlijk programma "
        "dat het dagelijks bestuur coördineert.\n", encoding="utf-8")
    world = tmp_path / "realworld" / "example-textual-classification-citizen-reports"
    world.mkdir(parents=True)
    (world / "voorbeeld_meldingen.csv").write_text('Tekst,Label\n"Er staat een kapotte fiets\nbij de brug",Fiets\n'
                                                   ",Leeg\nGraag de prullenbak legen,Afval\n", encoding="utf-8")
    panel = tmp_path / "realworld" / "partypanel-18.1"
    panel.mkdir()
    (panel / "pre9.csv").write_text("id,interviewtime,suggestion,extraQuestions_vraag1\n1,34.5,NA,Geen idee eigenlijk\n"
                                    "2,12.0,Meer vragen over muziek graag,NA\n", encoding="utf-8")
    return tmp_path
