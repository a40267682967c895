"""lab/gpu_batch.py: every job it would run on a lent GPU is a command the CLIs accept, in an
order where each job's input exists before it starts, and a dry run's pack stays within what a
lease returns (at most eight files)."""
from pathlib import Path

from comgan_lite import segment, train
from comgan_lite.checkpoints import config_parser
from lab import gpu_batch

PARSERS = {"comgan_lite.train": (config_parser(train.TrainConfig, "", "out"), train.TrainConfig),
           "comgan_lite.segment": (config_parser(segment.SegConfig, "", "out"), segment.SegConfig)}


def test_every_job_is_a_valid_command_after_its_input(tmp_path):
    jobs = gpu_batch.jobs(tmp_path, dry=False)
    names = [j["name"] for j in jobs]
    assert len(set(names)) == len(names)
    for i, job in enumerate(jobs):
        if job["after"]:
            assert job["after"] in names[:i], job["name"]
        if job["cmd"][1:3] == ["-m", "comgan_lite.train"] or job["cmd"][1:3] == ["-m", "comgan_lite.segment"]:
            parser, config = PARSERS[job["cmd"][2]]
            a = vars(parser.parse_args(job["cmd"][3:]))
            for k in ("out", "no_progress", "force"):
                a.pop(k)
            cfg = config(**a)                              # validates every setting
            assert cfg.device == "cuda"
            if config is segment.SegConfig and cfg.mode != "supervised":
                gen = Path(cfg.generator)
                assert gen.is_relative_to(tmp_path) or gen.parts[0] in ("data", ".gpu"), cfg.generator


def test_pack_returns_at_most_eight_files(tmp_path):
    work, out = tmp_path / "work", tmp_path / "out"
    (work / "seg" / "S64-ds-emoji-s0").mkdir(parents=True)
    (work / "seg" / "S64-ds-emoji-s0" / "metrics.jsonl").write_text("{}\n")
    (work / "logs").mkdir()
    gpu_batch.pack(work, out, gpu_batch.jobs(work, dry=True), {})
    assert 0 < len(list(out.iterdir())) <= 8
