"""Memory of one 40-megapixel upload through the real image pipeline.

    make bench-upload               # or: .venv/bin/python -m bench.upload_memory

Generates three 40-megapixel images (a phone photo as JPEG with an EXIF rotation, a
chart as PNG, and a PNG with transparency), then, for each, starts a fresh Python process
that loads the app as a gunicorn worker does and stores the upload inside a request with
``blog.posts.images.store_upload`` (decoding, every variant, the files, the Media row).
Each process reports its peak resident memory (``ru_maxrss``) before the upload and
after it, and what it still holds once the upload is done. The images and the schema are
made in processes of their own too: a process started from a large one inherits its peak.
Touches nothing outside a temporary folder; exits 1 if a peak reaches 300 MB.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (7680, 5200)  # 39.9 megapixels, under the default MAX_IMAGE_PIXELS of 40 million
LIMIT_MB = 300


def photo() -> bytes:
    """A photo-like JPEG: smooth colour with grain, rotated by EXIF as phones do."""
    from PIL import Image

    channels = [Image.effect_noise((480, 325), sigma) for sigma in (60, 80, 100)]
    small = Image.merge("RGB", channels)
    grain = Image.effect_noise(SIZE, 12).convert("RGB")
    image = Image.blend(small.resize(SIZE, Image.Resampling.BICUBIC), grain, 0.15)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show upright
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


def chart(mode: str) -> bytes:
    """A chart-like PNG: flat colours, lines and bars (transparent background in RGBA)."""
    from PIL import Image, ImageDraw

    background = (255, 255, 255, 0) if mode == "RGBA" else "white"
    image = Image.new(mode, SIZE, background)
    draw = ImageDraw.Draw(image)
    for n in range(0, SIZE[0], 240):
        draw.rectangle((n + 40, SIZE[1] - (n * 7) % SIZE[1], n + 200, SIZE[1]), "#0b5d5e")
        draw.line((n, 0, n, SIZE[1]), "#c8c8c8", 3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def rss_mb() -> float:
    """The memory this process holds now (VmRSS)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child(upload: Path, folder: Path) -> None:
    """In a fresh process: the app as a worker loads it, then one upload in a request."""
    os.environ.update(
        BLOG_SECRET_KEY="bench-" + "0" * 32,
        BLOG_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        BLOG_MEDIA_DIR=str(folder / f"media-{upload.stem}"),
    )
    from blog import create_app
    from blog.extensions import db
    from blog.posts import images

    app = create_app()
    with app.test_request_context("/admin/media", method="POST"):
        data = upload.read_bytes()
        before = peak_mb()
        media = images.store_upload(
            data,
            upload.name,
            "A benchmark image",
            app.config["MEDIA_DIR"],
            int(app.config["MAX_IMAGE_PIXELS"]),
        )
        db.session.commit()
        widths = media.variant_widths
        del data, media
    print(
        json.dumps(
            {"before": before, "peak": peak_mb(), "after": rss_mb(), "widths": widths},
        )
    )


def build_database(folder: Path) -> None:
    """The schema, once, in this process (the children only open it)."""
    os.environ.update(
        BLOG_SECRET_KEY="bench-" + "0" * 32,
        BLOG_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
    )
    from flask_migrate import upgrade

    from blog import create_app

    with create_app().app_context():
        upgrade(directory=str(ROOT / "migrations"))


CASES = {
    "photo.jpg": ("JPEG photo, EXIF-rotated", photo),
    "chart.png": ("PNG chart", lambda: chart("RGB")),
    "overlay.png": ("PNG with transparency", lambda: chart("RGBA")),
}


def run(*args: str) -> str:
    """This script in a fresh process; its output."""
    found = subprocess.run(
        [sys.executable, "-m", "bench.upload_memory", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("UPLOAD", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=1, metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--schema", nargs=1, metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return 0
    if args.make:
        path = Path(args.make[0])
        path.write_bytes(CASES[path.name][1]())
        return 0
    if args.schema:
        build_database(Path(args.schema[0]))
        return 0
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as name:
        folder = Path(name)
        run("--schema", name)
        cases = CASES
        print(f"One upload of {SIZE[0]} × {SIZE[1]} px ({SIZE[0] * SIZE[1] / 1e6:.1f} MP):\n")
        print("| upload | file | peak RSS before | peak RSS | RSS after | variants |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        worst = 0.0
        for file_name, (label, _make) in cases.items():
            path = folder / file_name
            run("--make", str(path))
            result = json.loads(run("--child", str(path), name).strip().splitlines()[-1])
            worst = max(worst, result["peak"])
            size = path.stat().st_size / 2**20
            widths = ", ".join(str(width) for width in result["widths"])
            print(
                f"| {label} | {size:.1f} MB | {result['before']:.0f} MB | "
                f"{result['peak']:.0f} MB | {result['after']:.0f} MB | {widths} px |"
            )
        print(f"\nHighest peak: {worst:.0f} MB (the bound is {LIMIT_MB} MB).")
        return 0 if worst < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
