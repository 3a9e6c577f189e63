"""pipeline/report/comparison.py: the comparison of two waves, per respondent."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.report.inputs import REPORT_PARAMS, build_waves, run_on, section_of


def test_wave_comparison_flags_large_change_and_not_tiny_one(report, page):
    comp = pd.read_csv(report["plots"] / "golfvergelijking.csv", dtype={"golf_a": str, "golf_b": str})
    codes = comp[comp["soort"] == "code"].set_index("item")
    assert (codes["golf_a"].iloc[0], codes["golf_b"].iloc[0]) == ("2016", "2026")
    big, tiny = codes.loc["belangen"], codes.loc["regie"]
    assert bool(big["significant"]) and big["conclusie"] == "significant afgenomen"
    assert big["verschil_pp"] == pytest.approx(100 * (8 / 79 - 50 / 79), abs=0.01)
    assert big["ci_laag_pp"] < big["verschil_pp"] < big["ci_hoog_pp"] < 0
    assert not bool(tiny["significant"]) and tiny["conclusie"].startswith("geen aantoonbaar verschil")
    # Never a claim the corrected test does not support.
    assert (comp["significant"] == (comp["p_gecorrigeerd"] < 0.05)).all()
    assert comp.loc[~comp["significant"], "conclusie"].str.startswith("geen aantoonbaar verschil").all()
    assert (comp["p_gecorrigeerd"] >= comp["p"] - 1e-12).all()
    assert "Holm" in page and "significant afgenomen" in page


def test_topic_shares_are_compared_when_the_corpus_spans_both_waves(report, page):
    comp = pd.read_csv(report["plots"] / "golfvergelijking.csv", dtype={"item": str})
    topics = comp[comp["soort"] == "onderwerp"]
    assert set(topics["corpus"]) == {"enquete"}  # 'documenten' has no waves
    assert bool(topics.set_index("item").loc["0", "significant"])
    assert 'href="topics/enquete.html"' in page and "belang_gemeente_regio" in page
    assert "bevat niet beide golven" in page


def test_a_talkative_respondent_counts_once_in_the_wave_comparison(tmp_path):
    # Wave 'oud': respondent R0 gives 18 answers about interests, 29 others one answer without.
    # Per answer that is 18/47 against 3/30 in 'nieuw' (a significant drop); per respondent 1/30 vs 3/30.
    questions = [f"v{i}" for i in range(18)]
    oud = [("R0", q, ["belangen"]) for q in questions]
    oud += [(f"R{i}", "v0", []) for i in range(1, 30)]
    oud += [(f"R{i}", q, None) for i in range(1, 30) for q in questions[1:]]
    nieuw = [(f"N{i}", q, (["belangen"] if i < 3 else []) if q == "v0" else None) for i in range(30) for q in questions]
    df, acc = build_waves({"oud": oud, "nieuw": nieuw})
    result = run_on(tmp_path, df, acc)
    row = result["comp"].set_index("item").loc["belangen"]
    assert (row["k_a"], row["n_a"], row["k_b"], row["n_b"]) == (1, 30, 3, 30)
    assert not bool(row["significant"]) and row["conclusie"].startswith("geen aantoonbaar verschil")
    assert "een respondent telt één keer" in result["page"]


def test_no_test_below_the_minimum_of_respondents_and_the_summary_says_so(tmp_path):
    # Two respondents in 'oud' (one of them with 18 answers): too few to test anything.
    questions = [f"v{i}" for i in range(18)]
    oud = [("R0", q, ["belangen"]) for q in questions] + [("R1", "v0", ["regie"])]
    nieuw = [(f"N{i}", "v0", ["belangen"] if i < 3 else []) for i in range(69)]
    nieuw += [(f"N{i}", q, None) for i in range(69) for q in questions[1:]]
    df, acc = build_waves({"oud": oud, "nieuw": nieuw})
    result = run_on(tmp_path, df, acc)
    comp, page = result["comp"], result["page"]
    codes = comp[comp["soort"] == "code"]
    assert not codes["getoetst"].any() and not codes["significant"].any()
    assert codes["p"].isna().all() and codes["verschil_pp"].isna().all()
    assert (codes["conclusie"] == "niet te toetsen (golf oud: 2 respondenten, minimaal 20)").all()
    part = section_of(page, "golfvergelijking")
    # The bold line agrees with the table beneath it.
    assert "Geen enkele code veranderde aantoonbaar" not in part
    assert "<strong>Geen enkele code is getoetst: er zijn te weinig respondenten" in part
    assert "Golf oud telt 2 respondenten met een gecodeerd antwoord" in part
    assert "verdict-up" not in part and "verdict-down" not in part and "fig-golfvergelijking" not in part
    assert result["metrics"]["tests"] == 0 and result["metrics"]["untestable"] == len(codes)
    assert "change_pp.belangen" not in result["metrics"]


def test_only_questions_both_waves_asked_are_compared(tmp_path):
    # 'oud' also asked 'extra', where every answer is about interests; 'nieuw' never asked it.
    oud = [(f"R{i}", "rol", ["netwerker"] if i < 10 else []) for i in range(40)]
    oud += [(f"R{i}", "extra", ["belangen"]) for i in range(40)]
    nieuw = [(f"N{i}", "rol", ["netwerker"] if i < 12 else []) for i in range(40)]
    df, acc = build_waves({"oud": oud, "nieuw": nieuw})
    result = run_on(tmp_path, df, acc)
    rows = result["comp"].set_index("item")
    assert (rows.loc["belangen", "k_a"], rows.loc["belangen", "n_a"]) == (0, 40)  # 'extra' left out
    assert not bool(rows.loc["belangen", "significant"])
    part = section_of(result["page"], "golfvergelijking")
    assert "Niet vergeleken: <code>extra</code> (alleen in golf oud)" in part


def test_comparison_summary_agrees_with_its_rows():
    from pipeline.report.comparison import comparison_summary
    from pipeline.report.config import ReportConfig
    from pipeline.report.stats import compare

    cfg = ReportConfig.from_params(REPORT_PARAMS)
    big = {"k_a": 10, "n_a": 100, "k_b": 60, "n_b": 100}
    same = {"k_a": 30, "n_a": 100, "k_b": 31, "n_b": 100}
    small = {"k_a": 1, "n_a": 5, "k_b": 60, "n_b": 100}
    table = compare([{"item": "a", "name": "a", **big}, {"item": "b", "name": "b", **same},
                     {"item": "c", "name": "c", **small}], cfg, ("2016", "2026"))
    assert list(table["tested"]) == [True, True, False]
    assert table.loc[2, "verdict"] == "niet te toetsen (golf 2016: 5 respondenten, minimaal 20)"
    assert comparison_summary(table, "code", "codes") == (
        "Eén code veranderde aantoonbaar (van 2 getoetst); 1 code was niet te toetsen (te weinig respondenten).")
    assert comparison_summary(table.iloc[[1]], "code", "codes") == "Geen enkele code veranderde aantoonbaar."
    assert comparison_summary(table.iloc[[2]], "code", "codes").startswith("Geen enkele code is getoetst")
    assert comparison_summary(table.iloc[[1]], "onderwerp", "onderwerpen", neuter=True) == (
        "Geen enkel onderwerp veranderde aantoonbaar.")
