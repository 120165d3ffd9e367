"""``info`` and ``simulate`` say which frame they describe, and their JSON what made it.

Their JSON records start as ``denoise --json`` and ``metrics --json`` do (schema version,
disclaimer, software, created), with the input's SHA-256 and the frame, from 1.
"""

import hashlib
import json

from core.cli import main
from core.code_version import software_version


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _provenance_is_there(record):
    assert record["schema_version"] == 3
    assert record["disclaimer"] == "Not for diagnostic use"
    assert record["software"] == {"name": "xray-denoise", "version": software_version()}
    assert record["created"].endswith("+00:00")


def test_info_json_names_the_frame_and_starts_with_the_provenance(three_frame_dicom, capsys):
    assert main(["info", "--json", "--frame", "2", str(three_frame_dicom)]) == 0
    record = json.loads(capsys.readouterr().out)
    _provenance_is_there(record)
    assert record["input_sha256"] == _sha256(three_frame_dicom)
    assert (record["frame"], record["frames"]) == (2, 3)
    assert main(["info", str(three_frame_dicom)]) == 0
    assert "  size            64 x 64 px, frame 1 of 3\n" in capsys.readouterr().out


def test_simulate_json_is_one_record_of_the_simulation(three_frame_dicom, tmp_path, capsys):
    low = tmp_path / "low.dcm"
    argv = ["simulate", str(three_frame_dicom), "--frame", "3", "--dose", "0.25"]
    # Far more quanta than its noise says: a warning, on stderr and in the record.
    argv += ["--photons", "500000", "--seed", "7", "--output", str(low), "--json"]
    assert main(argv) == 0
    said = capsys.readouterr()
    (line,) = said.out.splitlines()
    record = json.loads(line)
    _provenance_is_there(record)
    assert record["input"] == str(three_frame_dicom)
    assert record["input_sha256"] == _sha256(three_frame_dicom)
    assert (record["frame"], record["output"]) == (3, str(low))
    assert (record["dose"], record["seed"]) == (0.25, 7)
    assert record["photons_per_pixel"] == 500000 and record["photons_measured"] is False
    assert record["photons_standard_error"] is None
    assert (record["electronic_noise"], record["max_attenuation"]) == (4.0, 7.0)
    assert record["value_range"]["description"] == "0 to 4095 in 12 bits"
    assert set(record["clipped"]) == {"low", "high"}
    assert record["description"].startswith("simulated 25 % dose (500000 quanta/pixel")
    assert record["warnings"] and record["warnings"] == [
        line.removeprefix(f"{three_frame_dicom}: warning: ") for line in said.err.splitlines()
    ]
    assert low.exists()
