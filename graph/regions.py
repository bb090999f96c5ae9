"""The brain regions the home page groups lesion sites by, and the SPARQL that places each site in them.

A fixed set of UBERON classes, each present in the release's UBERON module (the lesion sites' ancestors or
sites themselves). A lesion site belongs to a region when it is the region or has it as a
``dkg:isaPartofAncestor`` (the module's is_a/part_of closure); a site within several regions belongs to
each, one within none to none (the page shows those apart).
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocab import DKG, expand


@dataclass(frozen=True)
class Region:
    """A brain region: its UBERON class and the short name people use for it."""

    curie: str
    name: str

    @property
    def iri(self) -> str:
        """The region's UBERON IRI."""
        return str(expand(self.curie))


# Rostral to caudal. UBERON's own labels are more precise ("dorsal plus ventral thalamus", "collection of
# basal ganglia"); pages show them beside these names.
BRAIN_REGIONS: tuple[Region, ...] = (
    Region("UBERON:0000956", "cerebral cortex"),
    Region("UBERON:0010011", "basal ganglia"),
    Region("UBERON:0001897", "thalamus"),
    Region("UBERON:0002298", "brainstem"),
    Region("UBERON:0002037", "cerebellum"),
)


def site_regions_query() -> str:
    """SELECT each lesion site of a lesion → phenotype statement with the regions it is within (?region unbound
    for a site within none), and each region's label in the release."""
    values = " ".join(f"<{r.iri}>" for r in BRAIN_REGIONS)
    return f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dkg: <{DKG}>
SELECT DISTINCT ?site ?region ?regionLabel WHERE {{
  ?statement a dkg:LesionPhenotypeStatement ; dkg:lesionSite ?site .
  OPTIONAL {{ VALUES ?region {{ {values} }} ?site dkg:isaPartofAncestor? ?region
             OPTIONAL {{ ?region rdfs:label ?regionLabel }} }}
}} ORDER BY ?site ?region"""

