"""The site's icons: favicon.ico, an SVG, PNGs at the sizes browsers and phones ask for, a manifest.

All are made from one square image the author uploads in the site settings (core/site.py);
until then from a generated default, the theme colour with a white summation sign. Each is
made when first asked for under the current content version and kept in the page cache, so
a new upload or colour shows at once.
"""

import base64
import io

from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, UnidentifiedImageError

from .site import Identity

PNG_SIZES = (32, 180, 192, 512)  # favicon, apple-touch-icon, the manifest's two
ICO_SIZES = ((16, 16), (32, 32), (48, 48))
# Beyond this many pixels an uploaded "icon" is refused rather than decoded (a bomb).
MAX_SOURCE_PIXELS = 40_000_000


def source_image(identity: Identity) -> Image.Image:
    """The uploaded icon as a square RGBA image, or the generated default."""
    if identity.icon_name:
        try:
            with default_storage.open(identity.icon_name) as stored:
                image = Image.open(stored)
                if image.width * image.height > MAX_SOURCE_PIXELS:
                    raise ValueError("icon too large")
                image.load()
            return _square(image.convert("RGBA"))
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
            pass  # a missing or broken file: the default stands in rather than a 500
    return default_image(identity.theme_color)


def default_image(color: str, size: int = 512) -> Image.Image:
    """A rounded square in the theme colour holding a white summation sign."""
    scale = 4  # drawn large, then reduced, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 6, fill=color)
    # A summation sign drawn as one stroke: top bar, the two diagonals, bottom bar.
    points = [(0.68, 0.26), (0.32, 0.26), (0.54, 0.5), (0.32, 0.74), (0.68, 0.74)]
    draw.line([(x * big, y * big) for x, y in points], fill="white", width=big // 14, joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def png(identity: Identity, size: int) -> bytes:
    image = source_image(identity).resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def ico(identity: Identity) -> bytes:
    out = io.BytesIO()
    source_image(identity).save(out, format="ICO", sizes=list(ICO_SIZES))
    return out.getvalue()


def svg(identity: Identity) -> str:
    """An SVG icon: the PNG embedded, so one file serves every size a browser scales it to."""
    data = base64.b64encode(png(identity, 192)).decode()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 192 192" width="192" height="192">'
        f'<image href="data:image/png;base64,{data}" width="192" height="192"/></svg>'
    )


def manifest(identity: Identity, *, start_url: str, icon_url) -> dict:
    """The web app manifest: name, colours and the PNG icons."""
    return {
        "name": identity.name,
        "short_name": identity.name[:12],
        "description": identity.description,
        "start_url": start_url,
        "display": "standalone",
        "theme_color": identity.theme_color,
        "background_color": "#ffffff",
        "icons": [
            {"src": icon_url(size), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ]
        + [{"src": icon_url(512), "sizes": "512x512", "type": "image/png", "purpose": "maskable"}],
    }


def _square(image):
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))
