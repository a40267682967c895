"""Build the shipped image assets once (maintainers only; learners never need to run this).

- data/sprites/: emoji birds, flowers and cars rendered from Noto Color Emoji
  (Debian package fonts-noto-color-emoji; images Apache-2.0, font OFL-1.1), cropped to their
  alpha bounding box, padded square, 128 x 128 RGBA PNG.
- data/sprites/openmoji/: the same 44 birds, flowers and cars from OpenMoji 17 (npm package
  `openmoji`, CC BY-SA 4.0), and data/sprites/fluent-flat/, data/sprites/fluent-modern/ from
  Microsoft's Fluent Emoji in its flat and modern (gradient) styles (npm package
  `fluentui-emoji` 1.3.0, MIT). Both ship SVGs, rendered here with CairoSVG at 512 px, then
  cropped, padded and resized like the Noto sprites.
- data/textures/: scikit-image's CC0 photographs grass, gravel and brick (512 x 512 gray).

    apt-get install fonts-noto-color-emoji libcairo2 && pip install cairosvg==2.9.1 scikit-image
    npm pack openmoji@17.0.0 fluentui-emoji@1.3.0     # then unpack both .tgz files, e.g. into npm/
    python data/make_assets.py --npm npm/             # npm/openmoji/package/..., npm/fluentui-emoji/package/...
"""
import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
EMOJI = {
    "bird": {"bird": "\U0001F426", "baby chick": "\U0001F424", "front-facing baby chick": "\U0001F425",
             "duck": "\U0001F986", "eagle": "\U0001F985", "owl": "\U0001F989", "parrot": "\U0001F99C",
             "peacock": "\U0001F99A", "flamingo": "\U0001F9A9", "penguin": "\U0001F427",
             "dove": "\U0001F54A", "turkey": "\U0001F983", "rooster": "\U0001F413",
             "swan": "\U0001F9A2", "chicken": "\U0001F414", "goose": "\U0001FABF",
             "dodo": "\U0001F9A4", "black bird": "\U0001F426\u200D\u2B1B"},
    "flower": {"cherry blossom": "\U0001F338", "hibiscus": "\U0001F33A", "sunflower": "\U0001F33B",
               "blossom": "\U0001F33C", "tulip": "\U0001F337", "rose": "\U0001F339",
               "wilted flower": "\U0001F940", "rosette": "\U0001F3F5", "bouquet": "\U0001F490",
               "lotus": "\U0001FAB7", "hyacinth": "\U0001FABB", "white flower": "\U0001F4AE"},
    "car": {"automobile": "\U0001F697", "taxi": "\U0001F695", "sport utility vehicle": "\U0001F699",
            "racing car": "\U0001F3CE", "police car": "\U0001F693", "ambulance": "\U0001F691",
            "fire engine": "\U0001F692", "minibus": "\U0001F690", "pickup truck": "\U0001F6FB",
            "delivery truck": "\U0001F69A", "articulated lorry": "\U0001F69B", "bus": "\U0001F68C",
            "tractor": "\U0001F69C", "trolleybus": "\U0001F68E"},
}


# Fluent names its files after the emoji's name in kebab case, with this one exception
FLUENT_NAMES = {"black bird": "blackbird"}
SVG_SETS = ("openmoji", "fluent-flat", "fluent-modern")


def svg_file(npm: Path, art: str, name: str, codepoints: str) -> Path:
    """Where an emoji's SVG is in the unpacked npm packages."""
    if art == "openmoji":      # color/svg/1F426-200D-2B1B.svg: code points without U+, joined by -
        return npm / "openmoji" / "package" / "color" / "svg" / ("-".join(c[2:] for c in codepoints.split()) + ".svg")
    style = art.split("-")[1]  # flat or modern
    stem = FLUENT_NAMES.get(name, name.replace(" ", "-"))
    return npm / "fluentui-emoji" / "package" / "icons" / style / f"{stem}.svg"


def render(char: str, font) -> Image.Image | None:
    canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((8, 8), char, font=font, embedded_color=True)
    return square_sprite(canvas)


def render_svg(path: Path) -> Image.Image | None:
    import io

    import cairosvg
    png = cairosvg.svg2png(url=str(path), output_width=512, output_height=512)
    return square_sprite(Image.open(io.BytesIO(png)).convert("RGBA"))


def square_sprite(canvas: Image.Image) -> Image.Image | None:
    """Crop to the alpha bounding box, pad square (2 px margin each side at 128), resize to 128."""
    box = canvas.getchannel("A").getbbox()
    if box is None:
        return None
    sprite = canvas.crop(box)
    side = max(sprite.size) + max(4, max(sprite.size) // 32)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(sprite, ((side - sprite.size[0]) // 2, (side - sprite.size[1]) // 2))
    return square.resize((128, 128), Image.LANCZOS)


def write_set(out: Path, draw) -> None:
    """Render every emoji with ``draw(name, char) -> Image | None`` into ``out`` with its manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for category, names in EMOJI.items():
        for name, char in names.items():
            sprite = draw(name, char)
            if sprite is None:
                print("skipped (not in this set):", name)
                continue
            file = f"{category}-{name.replace(' ', '_')}.png"
            sprite.save(out / file, optimize=True)
            manifest.append({"name": name, "category": category, "file": file,
                             "codepoints": codepoints(char)})
    (out / "sprites.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(len(manifest), "sprites written to", out)


def codepoints(char: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in char)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--npm", type=Path, help="folder with the unpacked npm packages (openmoji/, fluentui-emoji/)")
    parser.add_argument("--only", choices=("noto", "textures", *SVG_SETS), nargs="*")
    args = parser.parse_args()
    only = set(args.only or ("noto", "textures", *SVG_SETS))
    if "noto" in only:
        font = ImageFont.truetype(FONT, 109)
        write_set(HERE / "sprites", lambda name, char: render(char, font))
    for art in SVG_SETS:
        if art in only:
            if args.npm is None:
                raise SystemExit(f"{art}: name the unpacked npm packages with --npm (see the docstring)")
            write_set(HERE / "sprites" / art,
                      lambda name, char, art=art: render_svg(svg_file(args.npm, art, name, codepoints(char))))
    if "textures" not in only:
        return

    import skimage.data
    tex = HERE / "textures"
    tex.mkdir(exist_ok=True)
    for name in ("grass", "gravel", "brick"):
        a = getattr(skimage.data, name)()
        Image.fromarray(np.asarray(a, np.uint8)).save(tex / f"{name}.png", optimize=True)
    print("textures written to", tex)


if __name__ == "__main__":
    main()
