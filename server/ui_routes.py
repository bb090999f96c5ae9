"""Static front-end files installed from the npm registry (server/ui/node_modules), served locally."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from . import errors

bp = Blueprint("ui", __name__)
PACKAGES = Path(__file__).parent / "ui" / "node_modules"
YASGUI_BUILD = PACKAGES / "@zazuko" / "yasgui" / "build"
SWAGGER_UI_DIST = PACKAGES / "swagger-ui-dist"
# Only the files the pages need, each from its package: the editor's YASGUI, the API page's Swagger UI.
SERVED = {"yasgui.min.js": YASGUI_BUILD, "yasgui.min.css": YASGUI_BUILD,
          "swagger-ui-bundle.js": SWAGGER_UI_DIST, "swagger-ui.css": SWAGGER_UI_DIST}


@bp.route("/ui/vendor/<path:filename>")
def vendor(filename: str) -> Response:
    """A file of a front-end package; only those the pages use."""
    folder = SERVED.get(filename)
    if folder is None:
        raise errors.not_found(f"no such file: {filename}")
    if not (folder / filename).is_file():
        raise errors.not_found(f"{filename} is not installed: run `make install` (npm ci in server/ui)")
    return send_from_directory(folder, filename, max_age=86400)
