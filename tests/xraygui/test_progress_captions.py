"""The progress captions of a denoise: what is running, and the time left once known."""

from core.io import read_image
from xraygui.controls import DenoiseOptions
from xraygui.jobs import denoise_job


def test_captions_start_after_the_noise_estimate_then_give_the_time_left(
    small_dicom, tiny_model_path
):
    options = DenoiseOptions(model=tiny_model_path, n_steps=2, views=2, device="cpu")
    job = denoise_job(read_image(small_dicom), options)
    captions = []
    while True:
        try:
            event = next(job)
        except StopIteration:
            break
        if event.done >= 0:
            captions.append(event.text)
    assert captions[0] == "denoise: noise estimated, starting"
    assert all(text.endswith(" s left") for text in captions[1:]), captions
    assert captions[-1] == "denoise: step 2/2, tile 2/2, 0 s left"


def test_the_status_line_names_the_model_and_its_hash_once(qtbot, window, small_dicom):
    assert window.open_file(small_dicom)
    worker = window.start_denoise()
    with qtbot.waitSignal(worker.finished, timeout=60000):
        pass
    status = window.controls.status.text()
    assert ", sha256 " in status and ") (" not in status
