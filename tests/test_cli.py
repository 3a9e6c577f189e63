"""Usage errors on the command line: click's usage line, a Dutch hint, exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from pipeline.cli import app, main
from tests.conftest import ROOT


def _commands(group, path=()):
    """Every runnable subcommand of the app, as its argv prefix, read from the app itself."""
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = list(_commands(typer.main.get_command(app)))
REQUIRED = [(path, command, param.name) for path, command in COMMANDS
            for param in command.params if param.required]


def _ids(case):
    return " ".join(case[0]) + (f" zonder {case[2]}" if len(case) > 2 else "")


def _args_without(command, missing: str) -> list[str]:
    """Dummy values for every required parameter except `missing`, so parsing stops at that one."""
    args: list[str] = []
    for param in command.params:
        if not param.required or param.name == missing:
            continue
        if param.param_type_name == "option":
            args += [param.opts[0], "x"]
        else:
            args.append("x")
    return args


def _assert_usage_error(code: int, output: str, path: tuple[str, ...]) -> None:
    assert code == 2, output
    assert "Traceback" not in output
    usage = next(line for line in output.splitlines() if line.startswith("Usage:"))
    assert " ".join(path) in usage
    assert any(line.startswith("fout:") and "--help" in line for line in output.splitlines())


def test_every_command_is_found():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"ingest", "report", "annotate import"} <= names
    assert any(name == "files" for _, _, name in REQUIRED)


@pytest.mark.parametrize("case", COMMANDS, ids=_ids)
def test_an_unknown_option_shows_the_usage(case, capsys):
    path, _ = case
    code = main([*path, "--bogus"])
    out = capsys.readouterr()
    _assert_usage_error(code, out.out + out.err, path)
    assert "onbekende optie --bogus" in out.err


@pytest.mark.parametrize("case", REQUIRED, ids=_ids)
def test_a_missing_required_parameter_shows_the_usage(case, capsys):
    path, command, missing = case
    code = main([*path, *_args_without(command, missing)])
    out = capsys.readouterr()
    _assert_usage_error(code, out.out + out.err, path)
    assert "ontbreekt" in out.err


def test_a_usage_error_in_a_real_process_has_no_traceback():
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "annotate", "import", "x.xlsx"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    _assert_usage_error(done.returncode, done.stdout + done.stderr, ("annotate", "import"))
    assert "--annotator ontbreekt" in done.stderr


def test_an_own_error_stays_one_line(tmp_path, capsys):
    code = main(["ingest", "--params", str(tmp_path / "geen.yaml")])
    out = capsys.readouterr()
    assert code == 2 and "Traceback" not in out.err
    assert [line for line in out.err.splitlines() if line.strip()][0].startswith("fout:")


def test_a_reader_that_goes_away_early_gives_no_traceback():
    """`samenspel report --help | head -1`: the pipe closes before the help is written.
    rich then exits with 1; the CLI must not crash on its way out."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "report", "--help"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone long before the interpreter has imported the CLI
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "AttributeError" not in err

