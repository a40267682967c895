"""Build the shipped image assets once (maintainers only; learners never need to run this).

- data/sprites/: emoji birds, flowers and cars rendered from Noto Color Emoji
  (Debian package fonts-noto-color-emoji; images Apache-2.0, font OFL-1.1), cropped to their
  alpha bounding box, padded square, 128 x 128 RGBA PNG.
- data/textures/: scikit-image's CC0 photographs grass, gravel and brick (512 x 512 gray).

    python data/make_assets.py
"""
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


def render(char: str, font) -> Image.Image | None:
    canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((8, 8), char, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        return None
    sprite = canvas.crop(box)
    side = max(sprite.size) + 4
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(sprite, ((side - sprite.size[0]) // 2, (side - sprite.size[1]) // 2))
    return square.resize((128, 128), Image.LANCZOS)


def main():
    font = ImageFont.truetype(FONT, 109)
    out = HERE / "sprites"
    out.mkdir(exist_ok=True)
    manifest = []
    for category, names in EMOJI.items():
        for name, char in names.items():
            sprite = render(char, font)
            if sprite is None:
                print("skipped (not in font):", name)
                continue
            file = f"{category}-{name.replace(' ', '_')}.png"
            sprite.save(out / file, optimize=True)
            manifest.append({"name": name, "category": category, "file": file,
                             "codepoints": " ".join(f"U+{ord(c):04X}" for c in char)})
    (out / "sprites.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(len(manifest), "sprites written to", out)

    import skimage.data
    tex = HERE / "textures"
    tex.mkdir(exist_ok=True)
    for name in ("grass", "gravel", "brick"):
        a = getattr(skimage.data, name)()
        Image.fromarray(np.asarray(a, np.uint8)).save(tex / f"{name}.png", optimize=True)
    print("textures written to", tex)


if __name__ == "__main__":
    main()
