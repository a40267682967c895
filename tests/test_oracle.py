"""The oracle segmenter: faithfulness arithmetic, safe loading, and the shipped file's quality."""
import pytest
import torch

from comgan_lite import oracle
from comgan_lite.data import DATA_DIR
from comgan_lite.nets import UNet
from comgan_lite.train import CheckpointError

SHIPPED = DATA_DIR / "oracle" / "oracle-32px.pt"


class MaskEcho(UNet):
    """A stand-in oracle that 'sees' exactly the masks it is given (stored in advance)."""

    def __init__(self, masks):
        super().__init__()
        self.masks = masks

    def forward(self, x):
        return (self.masks[: len(x)] * 2 - 1) * 20


def test_unet_shapes():
    for widths, size in (((16, 32, 64), 32), ((16, 32, 64, 128), 64)):
        assert UNet(widths)(torch.randn(2, 3, size, size)).shape == (2, 1, size, size)


def test_faithfulness_fixed_and_best_of_two():
    truth = torch.zeros(4, 1, 8, 8)
    truth[:, :, 2:6, 2:6] = 1
    echo = MaskEcho(truth)
    composites = torch.zeros(4, 3, 8, 8)
    same = oracle.faithfulness(echo, composites, truth, real_area=0.25)
    assert same["iou"] == 1.0 and same["iou_best_of_two"] == 1.0
    assert same["oracle_area"] == 0.25 and same["real_area"] == 0.25
    inverted = oracle.faithfulness(echo, composites, 1 - truth, real_area=0.25)
    assert inverted["iou"] == 0.0 and inverted["iou_best_of_two"] == 1.0


def test_load_oracle_refuses_other_files(tmp_path):
    torch.save({"g": {}}, tmp_path / "x.pt")
    with pytest.raises(CheckpointError, match="not an oracle file"):
        oracle.load_oracle(tmp_path / "x.pt")
    (tmp_path / "y.pt").write_bytes(b"\x00" * 10)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        oracle.load_oracle(tmp_path / "y.pt")


def test_shipped_oracle_still_reaches_its_heldout_iou():
    """The shipped oracle's stated held-out IoU (data/oracle/oracle-32px.json): >= 0.9 on easy
    and medium, the presets the generator comparisons use; about 0.88 on hard."""
    model, info = oracle.load_oracle(SHIPPED)
    scores = oracle.evaluate(model, 32, n=300)
    for preset, iou in scores.items():
        assert abs(iou - info["heldout_iou"][preset]) < 0.03, preset
    assert scores["easy"] >= 0.9 and scores["medium"] >= 0.9
    assert scores["hard"] >= 0.85


def test_shipped_64px_oracle_still_reaches_its_heldout_iou_on_easy():
    """The 64 px oracle (data/oracle/oracle-64px.json) scores notebook 02's 64 px runs, which
    are all on easy: >= 0.9 there."""
    model, info = oracle.load_oracle(DATA_DIR / "oracle" / "oracle-64px.pt")
    assert info["size"] == 64
    scores = oracle.evaluate(model, 64, n=200)
    assert abs(scores["easy"] - info["heldout_iou"]["easy"]) < 0.03
    assert scores["easy"] >= 0.9


def test_oracle_training_resumes_from_its_run_folder_and_refuses_other_settings(tmp_path):
    first, _ = oracle.train_oracle(32, steps=4, batch_size=4, n_train=16, progress=False, run_dir=tmp_path)
    again, _ = oracle.train_oracle(32, steps=4, batch_size=4, n_train=16, progress=False, run_dir=tmp_path)
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), again.state_dict().values()))
    with pytest.raises(CheckpointError, match="another setting.*batch_size"):
        oracle.train_oracle(32, steps=4, batch_size=8, n_train=16, progress=False, run_dir=tmp_path)


def test_an_oracle_of_other_widths_gets_one_line_naming_the_file_and_sizes(tmp_path):
    oracle.save_oracle(UNet(oracle.WIDTHS[32]), 32, {"easy": 1.0}, tmp_path / "o.pt")
    ckpt = torch.load(tmp_path / "o.pt", weights_only=True)
    ckpt["widths"] = [8, 16, 32, 64]                       # the weights are for (16, 32, 64, 128)
    torch.save(ckpt, tmp_path / "narrow.pt")
    with pytest.raises(CheckpointError) as refused:
        oracle.load_oracle(tmp_path / "narrow.pt")
    said = str(refused.value)
    assert "narrow.pt does not fit a U-Net of widths (8, 16, 32, 64)" in said
    assert "(16, 3, 3, 3) in the file, (8, 3, 3, 3) in" in said and "more sizes differ" in said
    assert "\n" not in said and "weights_only" not in said
    torch.save({"g": {}, "config": {}}, tmp_path / "gen.pt")
    with pytest.raises(CheckpointError, match="is an exported generator .*, not an oracle file"):
        oracle.load_oracle(tmp_path / "gen.pt")
