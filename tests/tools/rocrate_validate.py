"""Validate an RO-Crate with roc-validator, offline (run with the .venv-rocrate interpreter).

    rocrate_validate.py CONTEXT_FILE CRATE_FOLDER... [--severity RECOMMENDED] [--skip CHECK,CHECK...]

roc-validator fetches the crate's JSON-LD context from w3id.org, twice over: its own checks through its HTTP
requester, and rdflib when it parses the metadata. This machine, and CI, have no internet, so both are answered
from CONTEXT_FILE, the RO-Crate context document the ``rocrate`` library ships (its ``@id`` is the context URL);
any other URL is a 404, without a connection. For each crate (one process for several: loading the profiles is
most of the time), prints each issue; then, on the last line, a JSON object of each crate folder's issues;
exits 1 on any issue at the severity asked (default RECOMMENDED: the REQUIRED and RECOMMENDED requirements), the
checks named by --skip left out.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import rdflib.plugins.shared.jsonld.context as jsonld_context
import requests

parser = argparse.ArgumentParser()
parser.add_argument("context_file")
parser.add_argument("crates", nargs="+")
parser.add_argument("--severity", default="RECOMMENDED")
parser.add_argument("--skip", default="", help="comma-separated check identifiers, e.g. ro-crate-1.2_86.2")
ARGS = parser.parse_args()
DOCUMENT = json.loads(Path(ARGS.context_file).read_text())
CONTEXT_URL = DOCUMENT["@id"]


def _is_context(url: object) -> bool:
    return isinstance(url, str) and url.rstrip("/") == CONTEXT_URL.rstrip("/")


def offline_get(self, url, *args, **kwargs):  # the requester's get and head: the one document it may fetch
    response = requests.Response()
    response.url = url
    if _is_context(url):
        response.status_code = 200
        response._content = json.dumps(DOCUMENT).encode()
        response.headers["Content-Type"] = "application/ld+json"
    else:
        response.status_code = 404
        response._content = b""
    return response


_source_to_json = jsonld_context.source_to_json


def offline_source_to_json(source, *args, **kwargs):  # rdflib's loader of remote contexts
    if _is_context(source):
        return DOCUMENT, None
    return _source_to_json(source, *args, **kwargs)


jsonld_context.source_to_json = offline_source_to_json

os.environ["ROCRATE_VALIDATOR_AUTO_WARM"] = "0"  # no warm-up of its HTTP cache from the profiles' URLs

from rocrate_validator import models, services  # noqa: E402  (after the patch of rdflib above)
from rocrate_validator.utils import http  # noqa: E402

http.HttpRequester.get = http.HttpRequester.head = http.HttpRequester.fetch_fresh = offline_get

failed = False
found: dict[str, list[str]] = {}
for crate in ARGS.crates:
    settings = services.ValidationSettings(rocrate_uri=crate, requirement_severity=models.Severity[ARGS.severity],
                                           skip_checks=[c for c in ARGS.skip.split(",") if c])
    result = services.validate(settings)
    issues = result.get_issues()
    found[crate] = [f"{issue.severity.name} {issue.check.identifier}: {issue.message}" for issue in issues]
    print("\n".join(f"{crate}\t{line}" for line in found[crate]))
    failed = failed or bool(issues) or not result.passed()
print(json.dumps(found))
sys.exit(1 if failed else 0)
