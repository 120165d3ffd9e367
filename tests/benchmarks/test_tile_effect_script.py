"""benchmarks/tile_effect.py, which the docs quote for what the tile changes, on a small phantom."""

import tile_effect


def test_smaller_tiles_change_pixels_and_the_reach_falls_with_distance(capsys):
    argv = ["--size", "256", "--tiles", "128", "--overlaps", "16", "--threads", "1"]
    assert tile_effect.main(argv) == 0
    out = capsys.readouterr().out
    (tiled,) = [line for line in out.splitlines() if line.startswith("| 128 | 16 |")]
    share = float(tiled.split("|")[3].strip().rstrip("%"))
    assert 0 < share < 100  # the tile changes some pixels, not all
    reach = [line for line in out.splitlines() if line.startswith("| 0-31 |")]
    (edge,) = reach
    assert float(edge.split("|")[2]) > 0  # at a tile's edge the prediction changes
