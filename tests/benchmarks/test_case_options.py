"""The scripts that simulate as denoise_bench.py does take its case options, and only those."""

import error_by_counts
import pytest
import strength_bound


@pytest.mark.parametrize("script", [strength_bound, error_by_counts])
def test_help_is_the_script_s_own(script, capsys):
    with pytest.raises(SystemExit) as stop:
        script.main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert script.__doc__.split("\n")[0][:40] in " ".join(out.split())
    assert "--views" in out and "--methods" not in out and "--time-full" not in out


@pytest.mark.parametrize("script", [strength_bound, error_by_counts])
@pytest.mark.parametrize("option", [["--methods", "bm3d"], ["--output", "x.md"]])
def test_an_option_the_script_ignores_is_refused(script, option, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        script.main([str(tmp_path), *option])
    assert stop.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@pytest.mark.parametrize("script", [strength_bound, error_by_counts])
def test_no_images_is_refused(script, capsys):
    with pytest.raises(SystemExit) as stop:
        script.main(["--views", "1"])
    assert stop.value.code == 2
    assert "give a FOLDER of clean images or --synthetic N" in capsys.readouterr().err


@pytest.mark.parametrize("script", [strength_bound, error_by_counts])
@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--views", "3"], "--views must be 1, 2, 4 or 8, got 3"),
        (["--crop", "0"], "--crop must be >= 1"),
        (["--limit", "0"], "--limit must be >= 1"),
        (["--synthetic-size", "-4"], "--synthetic-size must be >= 1"),
    ],
)
def test_a_value_that_cannot_run_is_refused_in_one_line(script, option, message, capsys):
    with pytest.raises(SystemExit) as stop:
        script.main(["--synthetic", "1", *option])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
