import quanta_interval


def test_counts_what_is_measured_refused_and_held(capsys):
    argv = ["--sizes", "256,512", "--photons", "2000", "--seeds", "1"]
    assert quanta_interval.main(argv) == 0
    header, small, large = capsys.readouterr().out.strip().splitlines()
    assert header.split()[:2] == ["size", "quanta"]
    assert small.split()[:4] == ["256", "2000", "0", "1"]  # too small to measure: refused
    size, quanta, measured, refused, error, held = large.split()
    assert (size, measured, refused) == ("512", "1", "0")
    assert abs(float(error)) < 10 and held in ("0/1", "1/1")
