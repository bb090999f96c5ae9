"""Validate KGX TSV files with the kgx package, offline (run with the .venv-kgx interpreter).

kgx builds a Biolink toolkit at import time, and bmt's default downloads the model from GitHub;
this machine, and CI, have no internet, so bmt's defaults are pointed at the biolink_model
package's own schema file first. Prints each error, the Biolink Model release (the biolink_model package's
version), then the number of errors; exits 1 on any.
"""

import json
import os
import sys
from importlib.metadata import version

import biolink_model
import bmt

PACKAGE = next(iter(biolink_model.__path__))
SCHEMA = os.path.join(PACKAGE, "schema", "biolink_model.yaml")
bmt.Toolkit.__init__.__defaults__ = (SCHEMA, {"predicate mappings": []})

import kgx.config  # noqa: E402

# The JSON-LD contexts kgx would download: Biolink's prefix map from the same package instead.
with open(os.path.join(PACKAGE, "prefixmaps", "biolink-model-prefix-map.json")) as handle:
    PREFIXES = json.load(handle)
# ...extended with the prefixes the export declares for its own local IRIs (its *_prefix_map.json).
for given in sys.argv[1:]:
    declared = os.path.join(os.path.dirname(given), os.path.basename(given).split("_")[0] + "_prefix_map.json")
    if os.path.exists(declared):
        with open(declared) as handle:
            PREFIXES.update(json.load(handle))
for name in ("biolink", "monarch_context", "obo_context"):
    kgx.config.jsonld_context_map[name] = PREFIXES

from kgx.cli.cli_utils import validate  # noqa: E402  (must follow the patch above)

# The report: {message level: {error type: {message: [entities]}}}
report = validate(inputs=sys.argv[1:], input_format="tsv", input_compression=None, output=None) or {}
for level, types in sorted(report.items()):
    for kind, messages in sorted(types.items()):
        for message, entities in sorted(messages.items()):
            print(f"{level}\t{kind}\t{message}\t{len(entities)} entities, e.g. {sorted(entities)[:3]}")
errors = sum(len(m) for level, types in report.items() if "ERROR" in str(level).upper() for m in types.values())
print(f"biolink: {version('biolink-model')}")  # the Biolink Model release validated against
print(f"errors: {errors}")
sys.exit(1 if errors else 0)
