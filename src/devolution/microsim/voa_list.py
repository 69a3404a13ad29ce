"""The VOA's published non-domestic rating list entries (the "compiled list" download).

The VOA publishes each rating list as an asterisk-separated text file without a header, one
list entry (hereditament) a line, in the field order of the "VOA 2017 Compiled Rating List Data
Specification", part two, "List entry data items" (Valuation Office Agency; the 2023 list keeps
the layout). The first 25 fields are common to the 2010, 2017 and 2023 lists; the 2017 and 2023
files add case number and current from / to dates, so 25 to 28 fields are accepted.

Billing authorities are identified by the VOA's own four-character billing authority code, not
the ONS GSS code; pass ``gss_by_ba_code`` to key the stock by GSS code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from devolution.errors import DataError
from devolution.microsim.kernels import offsets_from_sizes
from devolution.microsim.stock import SECTORS, HereditamentStock

LIST_ENTRY_FIELDS = (
    "incrementing_entry_number", "billing_authority_code", "ndr_community_code", "ba_reference_number",
    "primary_and_secondary_description_code", "primary_description_text", "uarn", "full_property_identifier",
    "firms_name", "number_or_name", "street", "town", "postal_district", "county", "postcode",
    "effective_date", "composite_indicator", "rateable_value", "appeal_settlement_code",
    "assessment_reference", "list_alteration_date", "scat_code_and_suffix", "sub_street_level_3",
    "sub_street_level_2", "sub_street_level_1", "case_number", "current_from_date", "current_to_date",
)
REQUIRED_FIELDS = 25

#: Sector by the first letter pair of the primary description code (C S = shops, C O = offices,
#: I F / I W = factories and warehouses). An approximation of the VOA's sector grouping, assumed.
SECTOR_BY_CODE_PREFIX = {"CS": "retail", "CO": "office", "IF": "industrial", "IW": "industrial"}


def read_list_entries(path: Path | str) -> pa.Table:
    """The list entries file as a table with the specification's field names (all text, but
    ``rateable_value`` as integer pounds); a DataError names the line of a bad entry."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such rating list file", file=str(path))
    try:
        table = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(autogenerate_column_names=True, encoding="latin-1"),
            parse_options=pacsv.ParseOptions(delimiter="*", quote_char=False),
            convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(len(LIST_ENTRY_FIELDS) + 2)}))
    except pa.ArrowInvalid as exc:
        raise DataError(f"not in the VOA list entries layout ({REQUIRED_FIELDS} to {len(LIST_ENTRY_FIELDS)} "
                        f"asterisk-separated fields a line): {exc}", file=str(path)) from None
    n = table.num_columns
    if n < REQUIRED_FIELDS:
        raise DataError(f"{n} fields a line; the VOA list entries layout has at least {REQUIRED_FIELDS}", file=str(path))
    names = list(LIST_ENTRY_FIELDS[:n]) + [f"extra_{k}" for k in range(n - len(LIST_ENTRY_FIELDS))]
    table = table.rename_columns(names)
    text = pc.utf8_trim_whitespace(table.column("rateable_value"))
    ok = pc.match_substring_regex(text, r"^[0-9]+$")
    bad = np.flatnonzero(~ok.to_numpy(zero_copy_only=False))
    if bad.size:
        raise DataError(f"rateable value {text[int(bad[0])].as_py()!r} is not a whole number of pounds",
                        file=str(path), row=int(bad[0]) + 1, column="rateable_value")
    return table.set_column(names.index("rateable_value"), "rateable_value", pc.cast(text, pa.int64()))


def sector_of(description_codes) -> np.ndarray:
    """Sector index (into ``SECTORS``) from primary description codes; unknown prefixes are other."""
    codes = np.asarray(description_codes, dtype=object)
    out = np.full(codes.shape[0], SECTORS.index("other"), dtype=np.int8)
    for prefix, sector in SECTOR_BY_CODE_PREFIX.items():
        out[np.array([str(c).strip().upper().startswith(prefix) for c in codes], dtype=bool)] = SECTORS.index(sector)
    return out


def hereditaments_from_list(path: Path | str, gss_by_ba_code: dict[str, str] | None = None) -> HereditamentStock:
    """A hereditament stock (sorted by authority) from a VOA list entries file."""
    table = read_list_entries(path)
    ba = np.asarray(pc.utf8_trim_whitespace(table.column("billing_authority_code")).to_pylist(), dtype=object)
    if gss_by_ba_code is not None:
        unknown = sorted({c for c in ba if c not in gss_by_ba_code})
        if unknown:
            raise DataError(f"billing authority code {unknown[0]!r} is not in the GSS lookup given",
                            file=str(path), column="billing_authority_code")
        ba = np.array([gss_by_ba_code[c] for c in ba], dtype=object)
    order = np.argsort(ba, kind="stable")
    codes, sizes = np.unique(ba[order], return_counts=True)
    value = table.column("rateable_value").to_numpy().astype(np.float64)[order]
    sector = sector_of(table.column("primary_and_secondary_description_code").to_pylist())[order]
    return HereditamentStock(codes.astype(object), offsets_from_sizes(sizes), value, sector)
