"""A bar chart of a daily series as inline SVG, drawn on the server (no chart script to load)."""

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT = 720, 200
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 48, 24, 10


def _nice_ceiling(value):
    """A round number at or above value (1, 2, 5 × 10ⁿ), so the axis reads easily."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(series, *, label, unit):
    """Return SVG markup for [(date, value)]: a y axis, first and last dates, a title per bar."""
    plot_width = WIDTH - MARGIN_LEFT
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    top = _nice_ceiling(max((value for _, value in series), default=0))
    slot = plot_width / max(len(series), 1)
    bar = max(slot * 0.8, 1)
    bars = []
    for index, (day, value) in enumerate(series):
        height = plot_height * value / top
        bars.append(
            (
                f"{MARGIN_LEFT + index * slot + (slot - bar) / 2:.2f}",
                f"{MARGIN_TOP + plot_height - height:.2f}",
                f"{bar:.2f}",
                f"{height:.2f}",
                f"{day:%Y-%m-%d}: {value} {unit}",
            )
        )
    rects = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        bars,
    )
    axis_y = MARGIN_TOP + plot_height
    first = f"{series[0][0]:%Y-%m-%d}" if series else ""
    last = f"{series[-1][0]:%Y-%m-%d}" if series else ""
    return format_html(
        '<svg class="desk-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{label}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        '<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{ay}" class="axis"/>'
        '<line x1="{ml}" y1="{ay}" x2="{w}" y2="{ay}" class="axis"/>'
        '<text x="{tx}" y="{ty}" text-anchor="end">{top}</text>'
        '<text x="{tx}" y="{ay}" text-anchor="end">0</text>'
        '<g class="bars">{rects}</g>'
        '<text x="{ml}" y="{h}" dy="-4">{first}</text>'
        '<text x="{w}" y="{h}" dy="-4" text-anchor="end">{last}</text></svg>',
        w=WIDTH,
        h=HEIGHT,
        label=label,
        ml=MARGIN_LEFT,
        mt=MARGIN_TOP,
        ay=axis_y,
        tx=MARGIN_LEFT - 6,
        ty=MARGIN_TOP + 10,
        top=top,
        rects=rects,  # already safe: format_html_join escaped every value
        first=first,
        last=last,
    )
