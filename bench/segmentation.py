"""The segmentation table (Table 4 analog), regenerated from shipped files.

    python bench/segmentation.py            # print the table; exit 1 if it drifted from the shipped one
    python bench/segmentation.py --write    # (re)write data/segmentation/table.json, teachers.json
    python bench/segmentation.py --unseen [--write]   # the held-out-sprite comparison
    python bench/segmentation.py --styles [--write]   # the unseen-style comparison
    python bench/segmentation.py --size64 [--write]   # the emoji pipeline at 64 px, seen and unseen style
    python bench/segmentation.py --studies RUNS --write   # variants of S (trained runs in RUNS) scored
    python bench/segmentation.py --seeds RUNS --write     # S-ds seed 1 per dataset (runs in RUNS) scored

For every dataset (easy, medium, hard, emoji, multi) it scores, on the 1,000 held-out test images
that no training stage saw, per-image IoU and Dice at 0.5 with fixed polarity (best-of-two in
separate columns) of:
  - DS-ComGAN's S (L_cons + D_m), S with L_cons only, and the supervised U-Net (the upper bound),
    all from data/segmentation/S-<mode>-<dataset>/segmenter.pt;
  - GrabCut (central rectangle, margin 1/8 of the side), Otsu and k-means (k = 2).
and each S-ds's teacher: its generator's masks on 512 fresh pairs, judged by the supervised U-Net.
Then it checks the goals: S at least 0.15 IoU above GrabCut on every preset (the paper's
margin on CUB), and S within 10% of the supervised U-Net on easy.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import torch

from comgan_lite import shipped
from lab import table4
from comgan_lite.data import DATASETS

TOLERANCE = 0.01


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", nargs="*", default=list(DATASETS))
    p.add_argument("--write", action="store_true", help="write data/segmentation/table.json")
    p.add_argument("--unseen", action="store_true",
                   help="the held-out-sprite comparison instead: segmenters of data/segmentation/unseen/ "
                        "(trained on emoji-seen) on emoji-seen's test split and on emoji-unseen")
    p.add_argument("--styles", action="store_true",
                   help="the unseen-style comparison instead: the emoji segmenters (trained on Noto "
                        "sprites) on emoji's test split and on emoji-fluent (Fluent's flat and modern art)")
    p.add_argument("--size64", action="store_true",
                   help="the emoji segmenters of data/segmentation/size64/ (64 px) on emoji and emoji-fluent")
    p.add_argument("--studies", metavar="RUNS",
                   help="score the S variants in folder RUNS (segment runs named S32-emoji-<change>-s<seed>) "
                        "on emoji and emoji-fluent; their segmenters do not ship, so --write is needed")
    p.add_argument("--seeds", metavar="RUNS",
                   help="score S-ds in a second seed (segment runs named S32-<dataset>-ds-s<seed> in RUNS, "
                        "each from its dataset's shipped generator, or from a retrained one whose log is "
                        "the shipped log) on each dataset's test split; their segmenters do not ship")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    if args.size64:
        return generalisation(("emoji", "emoji-fluent"), shipped.SIZE64_DIR, shipped.SIZE64_TABLE, args.write, size=64)
    if args.studies:
        return studies(args.studies, args.write)
    if args.seeds:
        return second_seeds(args.seeds, args.write)
    if args.unseen:
        return generalisation(("emoji-seen", "emoji-unseen"), shipped.UNSEEN_DIR, shipped.UNSEEN_TABLE, args.write)
    if args.styles:
        return generalisation(("emoji", "emoji-fluent"), shipped.SEG_DIR, shipped.STYLES_TABLE, args.write)
    table = {}
    for d in args.datasets:
        t = time.time()
        table[d] = table4.means(table4.compare(d))
        print(f"{d}: {time.time() - t:.0f} s", file=sys.stderr)
    for key, title in (("iou", "IoU, fixed polarity"), ("dice", "Dice, fixed polarity"),
                       ("iou_best_of_two", "IoU, best-of-two polarity (flatters weak methods)")):
        print(f"\n{title} (mean over {table4.N_EVAL} held-out images)\n")
        print(shipped.table4_markdown(table, key))
    print("\nThe teachers: each dataset's generator, its masks judged by the supervised U-Net "
          "(512 pairs)\n\n| dataset | object in x_b | mask faithfulness | trivial share |\n|---|---|---|---|")
    teachers = {}
    for d in args.datasets:
        ships = table4.teacher_ships(d)   # else: config, log and snapshot only (size budget)
        q = teachers[d] = table4.teachers(d) if ships else shipped.teachers()[d]
        print(f"| {d} | {q['object in x_b']} | {q['faithfulness']:.2f} | {q['trivial']:.2f} |"
              + ("" if ships else " (stated: generator weights not shipped)"))
    print()
    for name, ok, numbers in table4.goals(table):
        print(f"{'MET ' if ok else 'MISS'} {name}: {numbers}")
    if args.write:
        table4.write_table(table)
        table4.write_teachers(teachers)
        print(f"wrote {shipped.TABLE4} and {shipped.TEACHERS}")
        return
    exit_if_drifted(shipped.table4(), table, shipped.TABLE4)


def exit_if_drifted(stated: dict, table: dict, path) -> None:
    """Exit 1, naming every cell, where a recomputed IoU is more than TOLERANCE from the shipped one."""
    drift = [f"{d} {m}: shipped {stated[d][m]['iou']:.3f}, now {table[d][m]['iou']:.3f}"
             for d in table for m in table[d]
             if abs(stated.get(d, {}).get(m, {}).get("iou", -1) - table[d][m]["iou"]) > TOLERANCE]
    if drift:
        sys.exit(f"the table no longer matches {path}:\n" + "\n".join(drift))


def generalisation(test_sets: tuple[str, str], root, path, write: bool, size: int = 32) -> None:
    """Every method on the test split of the data its segmenters trained on (``test_sets[0]``)
    and on images no training stage saw (``test_sets[1]``: held-out sprites, or an unseen art
    style), the segmenters those of ``root`` trained on ``test_sets[0]``."""
    seen, unseen = test_sets
    table = {d: table4.means(table4.compare(d, root=root, trained_on=seen, size=size)) for d in test_sets}
    print(f"IoU, fixed polarity, {size} px (mean over {table4.N_EVAL} test images)\n")
    print(shipped.table4_markdown(table, "iou"))
    print(f"\n{seen} - {unseen}:", ", ".join(f"{shipped.METHODS[m]} {table[seen][m]['iou'] - table[unseen][m]['iou']:+.3f}"
                                            for m in table[seen]))
    if write:
        path.write_text(json.dumps(table, indent=1) + "\n")
        print(f"wrote {path}")
        return
    exit_if_drifted(shipped.read_table(path), table, path)


def studies(runs, write: bool) -> None:
    """Each finished S run in ``runs`` (named S32-emoji-<change>-s<seed>, trained on the shipped
    emoji generator's pairs at 32 px) on 1,000 test images of emoji and of emoji-fluent; the
    shipped S-ds of emoji is the row "none", seed 0.  Rows already in studies.json are kept
    (their segmenters do not ship); a run of the same change and seed replaces its row."""
    from pathlib import Path
    from comgan_lite import segment
    tests = {d: segment.evaluation_set(d, 32, table4.N_EVAL)[:2] for d in ("emoji", "emoji-fluent")}
    folders = {("none", 0): shipped.segmenter("ds", "emoji")}
    for f in sorted(Path(runs).glob("S32-emoji-*-s[0-9]")):
        if (f / segment.SEGMENTER).exists():
            change, seed = f.name.removeprefix("S32-emoji-").rsplit("-s", 1)
            folders[("none" if change == "ds" else change, int(seed))] = f
    rows = shipped.studies_table() if shipped.STUDIES_TABLE.exists() else {}   # earlier rows stay
    for (change, seed), f in folders.items():
        s, cfg = segment.load_segmenter(f, "cpu")
        rows[f"{change}-s{seed}"] = {"change": change, "seed": seed, "steps": cfg.steps, "lr": cfg.lr,
                                     **{d: float(segment.scores(s.predict(x), gt)["iou"].mean())
                                        for d, (x, gt) in tests.items()}}
        print(f"{change:22s} seed {seed}: emoji {rows[f'{change}-s{seed}']['emoji']:.3f}, "
              f"emoji-fluent {rows[f'{change}-s{seed}']['emoji-fluent']:.3f}")
    if write:
        shipped.STUDIES_TABLE.write_text(json.dumps(rows, indent=1) + "\n")
        print(f"wrote {shipped.STUDIES_TABLE}")


def second_seeds(runs, write: bool) -> None:
    """S-ds in another seed on each dataset: the runs ``runs``/S32-<dataset>-ds-s<seed>, trained
    like the shipped S-ds of that dataset (same command, another --seed).  Their generator is the
    shipped one; where its weights do not ship it was retrained with the shipped command, and its
    log must equal the shipped log (the training is bit-exact on a CPU) or the run is refused.
    Rows already in seeds.json stay; a run of the same dataset replaces its row."""
    from pathlib import Path
    from comgan_lite import segment
    from comgan_lite.checkpoints import read_log
    rows = shipped.seeds_table() if shipped.SEEDS_TABLE.exists() else {}
    table = shipped.table4()
    for f in sorted(Path(runs).glob("S32-*-ds-s[0-9]")):
        if not (f / segment.SEGMENTER).exists():
            continue
        s, cfg = segment.load_segmenter(f, "cpu")
        ours = shipped.read_config(shipped.segmenter("ds", cfg.dataset))
        same = {k: v for k, v in ours.items() if k not in ("seed", "generator")}
        if {k: getattr(cfg, k) for k in same} != same:
            sys.exit(f"{f} is not trained like the shipped S-ds of {cfg.dataset} (only --seed may differ)")
        if not same_generator(Path(cfg.generator), Path(ours["generator"])):
            sys.exit(f"{f} learned from {cfg.generator}, whose log is not that of {ours['generator']}")
        x, gt, _ = segment.evaluation_set(cfg.dataset, 32, table4.N_EVAL)
        now = segment.scores(s.predict(x), gt)
        rows[cfg.dataset] = {"seed": cfg.seed, "steps": cfg.steps, "lr": cfg.lr, "generator": ours["generator"],
                             "iou": float(now["iou"].mean()), "dice": float(now["dice"].mean()),
                             "minutes": read_log(f / segment.LOG)[-1]["minutes"]}
        print(f"{cfg.dataset:7s} S-ds seed {cfg.seed}: IoU {rows[cfg.dataset]['iou']:.3f} (seed 0: "
              f"{table[cfg.dataset]['ds']['iou']:.3f}, GrabCut {table[cfg.dataset]['grabcut']['iou']:.3f})")
    if write:
        shipped.SEEDS_TABLE.write_text(json.dumps(dict(sorted(rows.items())), indent=1) + "\n")
        print(f"wrote {shipped.SEEDS_TABLE}")


def same_generator(used, shipped_folder) -> bool:
    """True when generator folder ``used`` is ``shipped_folder`` or a retraining of it whose log
    agrees with the shipped one at the six digits the shipped logs keep (wall-clock minutes aside)."""
    from comgan_lite.checkpoints import read_log
    from lab.ship import rounded
    if used.resolve() == shipped_folder.resolve():
        return True
    theirs = read_log(shipped_folder / "metrics.jsonl")
    mine = {r["step"]: r for r in read_log(used / "metrics.jsonl")}
    as_shipped = [{k: mine.get(r["step"], {}).get(k) for k in r if k != "minutes"} for r in theirs]
    return len(mine) == len(theirs) and json.dumps(rounded(as_shipped)) == json.dumps(   # NaN == NaN as text
        [{k: v for k, v in r.items() if k != "minutes"} for r in theirs])


if __name__ == "__main__":
    main()
