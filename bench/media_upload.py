"""Time storing a phone photo in the media library, and weigh what readers download.

    python bench/media_upload.py [--megapixels 12] [--runs 3] [--kind grainy|smooth]

Makes a photo-like JPEG with camera EXIF (GPS, a rotation tag): "grainy" is coarse noise over
gradients, the worst case for encoders (every size is large); "smooth" is blurred shapes with
light grain, nearer a clean photo or a diagram. Then it
runs the upload's work on it: checks, rotation, metadata removal, the sizes for srcset, and
writing to the local storage (a temporary folder). Prints seconds per step and the bytes of
the original and of each size. No database: the row is one INSERT.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="media-bench-")

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from PIL import ExifTags, Image, ImageChops, ImageFilter  # noqa: E402

from media import filetypes, images  # noqa: E402


def phone_photo(megapixels, kind="grainy"):
    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    gradient = Image.linear_gradient("L").resize((width, height))
    if kind == "grainy":
        noise = Image.effect_noise((width // 4, height // 4), 60).resize((width, height))
        blend = Image.blend(noise, gradient, 0.5).filter(ImageFilter.BLUR)
        photo = Image.merge("RGB", (noise, gradient, blend))
    else:
        shapes = Image.effect_mandelbrot((width, height), (-2.2, -1.2, 1.0, 1.2), 80)
        shapes = shapes.filter(ImageFilter.GaussianBlur(3))
        grain = Image.effect_noise((width, height), 12)
        photo = Image.merge(
            "RGB",
            (
                ImageChops.add(shapes, grain, 2, 0),
                ImageChops.add(gradient, grain, 2, 0),
                ImageChops.blend(shapes, gradient, 0.5),
            ),
        )
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--megapixels", type=float, default=12)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", choices=["grainy", "smooth"], default="grainy")
    args = parser.parse_args()
    data = phone_photo(args.megapixels, args.kind)
    timings = {"check": [], "process": [], "store": []}
    for run in range(args.runs):
        start = time.perf_counter()
        kind = filetypes.detect(data[:8192], name="photo.jpg")
        detected = time.perf_counter()
        picture = images.process(data, mime=kind.mime)
        processed = time.perf_counter()
        default_storage.save(f"bench/{run}/photo.jpg", ContentFile(picture.data))
        for variant in picture.variants:
            default_storage.save(f"bench/{run}/{variant.width}.webp", ContentFile(variant.data))
        stored = time.perf_counter()
        timings["check"].append(detected - start)
        timings["process"].append(processed - detected)
        timings["store"].append(stored - processed)
    total = [sum(step) for step in zip(*timings.values(), strict=True)]
    print(f"photo: {picture.width}×{picture.height}, upload {len(data):,} bytes")
    for step, seconds in timings.items():
        print(f"  {step:8s} median {statistics.median(seconds):.3f} s")
    print(f"  total    median {statistics.median(total):.3f} s over {args.runs} runs")
    print(f"  original as stored: {len(picture.data):,} bytes")
    for variant in picture.variants:
        share = len(variant.data) / len(picture.data)
        print(
            f"  {variant.width:5d}w webp: {len(variant.data):,} bytes ({share:.1%} of the original)"
        )


if __name__ == "__main__":
    main()
