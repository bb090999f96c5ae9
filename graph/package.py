"""A release as a package: what the dataset is, its files' digests, and its RO-Crate.

The build records in the manifest what the dataset is (:func:`dataset_metadata`: its title and description, and
from the ontology's header its licence, creator, publisher and version IRI) and every file's size and SHA-256
(:func:`file_record`). From the manifest alone, :func:`write_package` then writes two files into the build:

- ``SHA256SUMS``, in the format ``sha256sum -c`` reads, for the dumps, the catalog and the manifest;
- ``ro-crate-metadata.json`` (RO-Crate, https://w3id.org/ro/crate, written with the ``rocrate`` library): the build
  folder as a dataset with its name, description, version, licence, creator and publisher; the dumps, catalog,
  manifest and digests as its data entities (media type, size, SHA-256; the store, a database the server opens, is
  no part of the package); the HPO, UBERON, MONDO and ChEBI releases it merges as the sources it is based on and
  cites, each with its version and licence.

Nothing here reads the clock or draws a random number: two builds of the same sources give byte-identical files
(the crate's date is the release's version, a date).
"""

from __future__ import annotations

import hashlib
from typing import Any

from rdflib import DCTERMS, OWL, Graph

from . import formats
from .obo_release import SPECS
from .release import CATALOG, MANIFEST, SUMS, Release
from .vocab import ONTOLOGY_IRI

TITLE = "dystonia-kg: a knowledge graph of dystonia"
DESCRIPTION = ("Lesion sites, dystonia types, etiologies, classification, treatments and their sources, as curated "
               "statements with verbatim quotes, merged with the Human Phenotype Ontology and with modules of "
               "UBERON, MONDO and ChEBI: the terms the statements use and their ancestors.")
# The names of the licences a release can carry (the modules' own, from their specs; HPO's is in its manifest entry).
LICENCE_NAMES = {spec.licence: spec.licence_name for spec in SPECS.values()}
HEADER = {"licence": DCTERMS.license, "creator": DCTERMS.creator, "publisher": DCTERMS.publisher,
          "version_iri": OWL.versionIRI}


class MissingDatasetFact(ValueError):
    """The ontology's header lacks a fact every release must state (its licence, say)."""


def dataset_metadata(ontology: Graph) -> dict[str, str]:
    """The dataset's facts for the manifest: title and description, and from the ontology's header (the one place
    they are written) its licence, creator, publisher and version IRI. Raises :class:`MissingDatasetFact`."""
    facts = {"title": TITLE, "description": DESCRIPTION}
    for key, predicate in HEADER.items():
        value = ontology.value(ONTOLOGY_IRI, predicate)
        if value is None:
            name = predicate.n3(ontology.namespace_manager)
            raise MissingDatasetFact(f"the ontology <{ONTOLOGY_IRI}> states no {name} ({key}): every release must "
                                     "say it")
        facts[key] = str(value)
    return facts


def file_record(data: bytes) -> dict[str, Any]:
    """What the manifest records of a file: its SHA-256 (hex) and size in bytes."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def write_package(release: Release) -> None:
    """Write ``SHA256SUMS`` and ``ro-crate-metadata.json`` into ``release``'s folder, from its manifest (written
    first) and the manifest's own bytes."""
    files = dict(release.files)
    files[MANIFEST] = file_record(release.manifest_path.read_bytes())
    release.sums_path.write_text("".join(f"{files[name]['sha256']}  {name}\n" for name in sorted(files)))
    files[SUMS] = file_record(release.sums_path.read_bytes())
    _crate(release, files).metadata.write(release.folder)


def _description(name: str, release: Release) -> tuple[str, str, str]:
    """(name, description, media type) of a file of the build."""
    for key in release.dumps:
        if release.dump(key).name == name:
            fmt = formats.by_key(key)
            label = fmt.rdf.name if fmt.rdf is not None else key
            what = "the named graphs kept apart" if key == "nq" else "the union of its named graphs"
            return f"{label} dump", f"The whole release in {label}: {what}.", formats.media_type(key)
    return {
        MANIFEST: ("Manifest", "The release's versions, base IRI, build, counts, sources with their versions and "
                   "licences, and its files with their sizes and SHA-256 digests.", "application/json"),
        CATALOG: ("Catalog", "What the server reads at start: the local IDs, the search index's texts, types and "
                  "definitions, and the JSON-LD context.", "application/json"),
        SUMS: ("SHA-256 digests", "The digests of the dumps, the catalog and the manifest, as `sha256sum -c` "
               "reads them.", "text/plain"),
    }[name]


def sources(release: Release) -> list[dict[str, str]]:
    """The releases merged into ``release``, from its manifest: ``key`` (``hpo``, ``hpo-annotations``, or a module's
    name), ``id`` (the file read, or a local id where the manifest records none), ``name``, ``version``,
    ``licence``, ``licence_name`` and ``credit`` (the attribution its licence asks for)."""
    found = []
    hpo = release.hpo
    if hpo.get("merged"):
        licence = {"licence": hpo["licence"], "licence_name": hpo.get("licence_name", hpo["licence"])}
        found.append({"key": "hpo", "id": hpo["source"], "name": "Human Phenotype Ontology", "version": hpo["version"],
                      **licence, "credit": hpo["acknowledgement"]})
        if hpo.get("annotations"):
            found.append({"key": "hpo-annotations", "id": "#hpo-annotations", "version": hpo["annotations"]["version"],
                          "name": "HPO annotations (phenotype.hpoa, genes_to_phenotype.txt)", **licence,
                          "credit": hpo["acknowledgement"]})
    for name, module in release.modules.items():
        found.append({"key": name, "id": module["source"], "name": module["title"], "version": module["version"],
                      "licence": module["licence"], "licence_name": module["licence_name"],
                      "credit": f"{module['title']}, release {module['version']}, read from {module['file']} of "
                                f"{module['via']}"})
    return found


def _crate(release: Release, files: dict[str, dict[str, Any]]) -> Any:
    from rocrate.model.contextentity import ContextEntity  # imported here: only the build writes crates
    from rocrate.rocrate import ROCrate

    dataset, version = release.dataset, release.version
    crate = ROCrate()
    licences: dict[str, ContextEntity] = {}

    def licence(iri: str, name: str | None = None) -> ContextEntity:
        if iri not in licences:
            label = name or LICENCE_NAMES.get(iri, iri)
            licences[iri] = crate.add(ContextEntity(crate, iri, properties={
                "@type": "CreativeWork", "name": label, "description": f"The licence {label} ({iri})."}))
        return licences[iri]

    def organization(name: str) -> ContextEntity:  # a local id: the header names it, with no IRI of record
        return crate.add(ContextEntity(crate, "#" + name.replace(" ", "-"), properties={
            "@type": "Organization", "name": name}))

    root = crate.root_dataset
    root["name"] = dataset["title"]
    root["description"] = dataset["description"]
    root["version"] = version
    root["license"] = licence(dataset["licence"])
    root["creator"] = organization(dataset["creator"])
    root["publisher"] = organization(dataset["publisher"])
    if release.version_date is not None:  # RO-Crate's date of publication: the release's, never the clock's
        root["datePublished"] = release.version_date.isoformat()
    else:
        del root["datePublished"]  # the library's default is now: never written, so builds stay reproducible
    based_on = [crate.add(ContextEntity(crate, source["id"], properties={
        "@type": "CreativeWork", "name": source["name"], "version": source["version"],
        "license": licence(source["licence"], source["licence_name"]), "creditText": source["credit"]}))
        for source in sources(release)]
    if based_on:
        root["isBasedOn"] = based_on
        # a citation must be an absolute IRI: HPO's annotation files have none in the manifest (a local id)
        root["citation"] = [entity for entity in based_on if not entity.id.startswith("#")]
    for name in sorted(files):
        title, description, media = _description(name, release)
        crate.add_file(None, dest_path=name, properties={
            "name": title, "description": description, "encodingFormat": media,
            "contentSize": str(files[name]["bytes"]), "sha256": files[name]["sha256"]})
    return crate
