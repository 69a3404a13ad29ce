"""The register of places and how their boundaries changed: tiers, hierarchy, crosswalks."""
