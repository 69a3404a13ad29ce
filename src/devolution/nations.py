"""The nations of the United Kingdom, by the first letter of a GSS code (ONS Code History Database):
E06000001 is in England, W06000015 in Wales; K codes cover more than one nation (K02 the UK, K03
Great Britain, K04 England and Wales). The register is England's: the sources refuse or set aside
a code of another nation, and a place look-up says where such a code is."""

from __future__ import annotations

#: The first letter of a GSS code and the nation (or nations together) its areas are in.
NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland",
           "K": "more than one nation (the UK, Great Britain, or England and Wales)"}
