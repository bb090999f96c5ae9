"""Static front-end files installed from the npm registry (server/ui/node_modules), served locally."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from . import errors

bp = Blueprint("ui", __name__)
YASGUI_BUILD = Path(__file__).parent / "ui" / "node_modules" / "@zazuko" / "yasgui" / "build"
SERVED = {"yasgui.min.js", "yasgui.min.css"}


@bp.route("/ui/vendor/<path:filename>")
def vendor(filename: str) -> Response:
    """The YASGUI bundle; only the files the editor page needs."""
    if filename not in SERVED:
        raise errors.not_found(f"no such file: {filename}")
    if not (YASGUI_BUILD / filename).is_file():
        raise errors.not_found("the YASGUI package is not installed: run `make install` (npm install in server/ui)")
    return send_from_directory(YASGUI_BUILD, filename, max_age=86400)
