"""The tiers of places: their labels, and the groups of tiers the finance rules and the analysis
speak of (billing councils, principal councils, strategic authorities)."""

TIER_LABELS = {
    "county": "County",
    "shire_district": "Shire district",
    "unitary": "Unitary authority",
    "metropolitan_district": "Metropolitan district",
    "london_borough": "London borough",
    "city_of_london": "City of London",
    "combined_authority": "Combined authority",
    "greater_london_authority": "Greater London Authority",
    "region": "Region",
    "england": "England",
}

#: Councils that together cover England once at the lower tier (they bill council tax).
BILLING_TIERS = ("shire_district", "unitary", "metropolitan_district", "london_borough", "city_of_london")
#: Principal councils: the billing tiers plus counties.
COUNCIL_TIERS = BILLING_TIERS + ("county",)
#: Strategic authorities: combined (county) authorities and the Greater London Authority.
SA_TIERS = ("combined_authority", "greater_london_authority")
