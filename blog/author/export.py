"""Download the whole blog as a zip (the same archive as `flask export`)."""

from flask import Response

from blog.author import bp
from blog.models import utcnow
from blog.portability import export_zip


@bp.get("/export")
def export():
    filename = f"rounds-export-{utcnow():%Y-%m-%d}.zip"
    return Response(
        export_zip(),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
