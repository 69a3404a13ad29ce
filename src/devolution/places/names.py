"""Finding a place from what a person or an official file calls it: a GSS code (current or
former), an MHCLG E-code, or a name in any of the spellings official files use.

Official files spell the same council several ways: ONS writes "Bristol, City of" and "Kingston
upon Hull, City of", MHCLG's finance returns "Bristol UA", "Barking & Dagenham" and "County Durham
UA", the council calls itself "Hull City Council". A name is matched, in this order, on

1. its normalised form (lower case, ``&`` as ``and``, punctuation and hyphens as spaces, "St." as
   "St", a trailing MHCLG class such as ``UA``/``MD``/``LB`` dropped, and "X, City of" read as
   "City of X") against each place's name and official name;
2. its bare form (the normalised form without "City of", "Council", "Borough Council", "Combined
   Authority" and the like) against the places' bare forms;
3. whole words: "Durham" finds "County Durham", but "Hull" never finds "Solihull".

At each step a current place is preferred to a former one of the same name, and a council to a
strategic authority or region of the same name ("Lancashire" is the county council); places that
still answer equally ("West Midlands": a region and a combined authority) are refused, naming
each with its code. A name that matches nothing gets
the closest names as suggestions (RapidFuzz's weighted ratio on the normalised forms).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from devolution.errors import PlaceError
from devolution.nations import NATIONS
from devolution.places.tiers import COUNCIL_TIERS, SA_TIERS, TIER_LABELS

class NoPlaceMatch(PlaceError):
    """Nothing in the register answers to the query (the message suggests the closest names).
    ``query``: the text asked for, for a caller that knows more places (:func:`in_other_nations`)."""

    def __init__(self, message: str, query: str = ""):
        super().__init__(message)
        self.query = query


def in_other_nations(query: str, history: pd.DataFrame) -> str | None:
    """The sentence for a name the register does not know because it is a council of Wales,
    Scotland or Northern Ireland ("Cardiff", "City of Edinburgh", "Belfast"), from ONS's local
    authority district codes and names (``history``: the ``lad_code_history`` table, columns
    ``ltlaYY_code`` and ``ltlaYY_name``); ``None`` for any other text."""
    wanted = normalise(query)
    pairs = pd.concat([history[[c, c.removesuffix("_code") + "_name"]].set_axis(["code", "name"], axis=1)
                       for c in history.columns if c.endswith("_code")]).dropna().drop_duplicates()
    pairs = pairs[pairs["code"].str[:1].isin([letter for letter in NATIONS if letter != "E"])]
    normal = pairs["name"].map(normalise)
    hit = pairs[normal.isin([wanted, bare(wanted)]) | normal.map(bare).isin([wanted, bare(wanted)])]
    if hit.empty:
        return None
    code, name = hit.iloc[0]
    return (f"{query!r} is {name} ({code}), a council of {NATIONS[code[:1]]}: devolution covers "
            f"England's councils and places only (their codes begin with E; see `devo places list`)")


class AmbiguousPlace(PlaceError):
    """Several current places answer equally (the message names each with its code)."""


#: GSS codes (E06000001) and MHCLG E-codes (E3831, E0101).
CODE_LIKE = re.compile(r"^[A-Za-z]\d{4}(\d{4})?$")

#: MHCLG's class suffixes in finance files ("Reading UA", "Barnsley MD", "Camden LB").
_CLASS_SUFFIX = re.compile(r"\s+(ua|md|lb|sd|nmd|cty|ct|cc|lbo|ca|gla)$")
#: "Bristol, City of", "Herefordshire, County of" (ONS's order).
_INVERTED = re.compile(r"^(?P<name>.+?),\s*(?P<kind>city|county|royal borough|borough|london borough) of$")
#: Words around a name that say what kind of body it is, not which one.
_PREFIXES = ("council of the ", "london borough of ", "royal borough of ", "borough of ", "city and county of ",
             "county of ", "city of ")
_SUFFIXES = (" metropolitan borough council", " metropolitan district council", " borough council",
             " district council", " county council", " city council", " city corporation", " corporation",
             " council", " mayoral combined authority", " combined county authority", " combined authority",
             " mayoral ca", " cca", " mca", " ca")


def normalise(text: str) -> str:
    """A name as matched: ``"Bristol, City of"`` -> ``"city of bristol"``, ``"Barking & Dagenham"``
    -> ``"barking and dagenham"``, ``"Reading UA"`` -> ``"reading"``, ``"St. Helens"`` -> ``"st helens"``."""
    text = " ".join(str(text).lower().replace("&", " and ").split())
    inverted = _INVERTED.match(text)
    if inverted:
        text = f"{inverted['kind']} of {inverted['name']}"
    text = re.sub(r"\bsaint\b", "st", text)
    text = re.sub(r"['’]", "", text)
    text = re.sub(r"[.,()/]", " ", text).replace("-", " ")
    text = " ".join(text.split())
    return _CLASS_SUFFIX.sub("", text)


def bare(normalised: str) -> str:
    """A normalised name without the words for the kind of body (``"hull city council"`` -> ``"hull"``)."""
    text = normalised
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix):], True
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text.strip()


#: Suggestions: names scoring at least this (RapidFuzz WRatio, 0-100) and within
#: ``SUGGEST_WITHIN`` points of the best.
SUGGEST_SCORE, SUGGEST_WITHIN = 70, 8

#: Groups of tiers a caller may ask for (``kind``), with the words used in messages.
KINDS = {
    "council": (COUNCIL_TIERS, "council"),
    "strategic_authority": (SA_TIERS, "strategic authority (combined authority or the GLA)"),
    "region": (("region",), "region"),
}


@dataclass(frozen=True)
class PlaceIndex:
    """The register's codes and names in the forms they are matched on (build once, ask often)."""

    places: pd.DataFrame   # the register, indexed 0..n-1
    keys: pd.DataFrame     # position, form (code / ecode / name / bare), key

    @functools.cached_property
    def positions(self) -> dict:
        """(form, key) -> positions, in the order of ``keys``: a name or code asked for is one
        look-up (matching the key columns took ~6 ms of every web request that names a place)."""
        return self.keys.groupby(["form", "key"], sort=False)["position"].agg(list).to_dict()

    @functools.cached_property
    def _codes(self) -> np.ndarray:
        return self.places["code"].astype(str).to_numpy()

    @classmethod
    def of(cls, places: pd.DataFrame) -> "PlaceIndex":
        places = places.reset_index(drop=True)
        position = np.arange(len(places))
        frames = [pd.DataFrame({"position": position, "form": "code", "key": places["code"].str.upper()})]
        ecode = places["ecode"].fillna("").astype(str).str.upper()
        frames.append(pd.DataFrame({"position": position, "form": "ecode", "key": ecode})[ecode != ""])
        other = places.get("other_names", pd.Series("", index=places.index)).fillna("").astype(str)
        names = [places["name"], places["official_name"]]
        names += [other.str.split(";").str[i].fillna("") for i in range(int(other.str.count(";").max() or 0) + 1)]
        for text in names:
            text = text.fillna("").astype(str).str.strip()
            normal = text.map(normalise)
            frames.append(pd.DataFrame({"position": position, "form": "name", "key": normal})[normal != ""])
            frames.append(pd.DataFrame({"position": position, "form": "bare", "key": normal.map(bare)})[normal != ""])
        keys = pd.concat(frames, ignore_index=True).drop_duplicates(["position", "form", "key"])
        return cls(places=places, keys=keys.reset_index(drop=True))

    # ---------------------------------------------------------------------------------- asking
    def find(self, query: str, kind: str | None = None, exact: bool = False) -> pd.Series:
        """The one place ``query`` names (code, E-code or name), of ``kind`` if given
        (``council``, ``strategic_authority``, ``region``); ``exact`` skips the whole-word step.
        :class:`NoPlaceMatch` (with the closest names) or :class:`AmbiguousPlace` (with the
        candidates and their codes)."""
        text = str(query).strip()
        if not text:
            raise PlaceError("no place given (give a GSS code such as E06000001, an E-code or a name)")
        allowed = self._allowed(kind)
        for form, key in self._steps(text):
            if exact and form == "words":
                continue
            hits = self._positions(form, key, allowed)
            if hits:
                return self._one(self.places.iloc[hits], text, kind)
        raise NoPlaceMatch(self._none_message(text, kind), text)

    def code(self, query: str, kind: str | None = None) -> str:
        """The GSS code of :meth:`find` (same errors); a code or name that matches one place alone,
        the usual case, is answered without building its row (a web request names a place each time)."""
        text = str(query).strip()
        if text:
            allowed = self._allowed(kind)
            for form, key in self._steps(text)[:2]:
                hits = self._positions(form, key, allowed)
                if len(hits) == 1:
                    return str(self._codes[hits[0]])
                if hits:
                    break
        return str(self.find(text, kind)["code"])

    def find_all(self, text: str, kind: str | None = None) -> list[pd.Series]:
        """The places of a comma-separated list, where an official name may hold a comma itself
        ("Bristol, City of", "Bournemouth, Christchurch and Poole"): from each piece on, the longest
        run of pieces that names a place exactly (:meth:`find` with ``exact``) is one place, so a
        full name wins over its first piece ("Bournemouth", a former council) while "Kent, Surrey"
        is two places. A piece that starts no such run is read by :meth:`find` alone, or else with
        the piece before it. Empty pieces are skipped. The error of :meth:`find` for a piece that
        names nothing either way."""
        pieces = [p for p in (p.strip() for p in str(text).split(",")) if p]
        found, texts, start = [], [], 0
        while start < len(pieces):
            for end in range(min(len(pieces), start + self._most_pieces), start, -1):
                joined = ", ".join(pieces[start:end])
                try:
                    found.append(self.find(joined, kind, exact=True))
                except PlaceError:
                    continue
                texts.append(joined)
                break
            else:
                end, piece = start + 1, pieces[start]
                try:
                    found.append(self.find(piece, kind))
                    texts.append(piece)
                except PlaceError:
                    if not texts:
                        raise
                    joined = f"{texts[-1]}, {piece}"
                    try:
                        found[-1], texts[-1] = self.find(joined, kind), joined
                    except PlaceError:
                        self.find(piece, kind)  # the piece's own error, with its closest names
            start = end
        return found

    @functools.cached_property
    def _most_pieces(self) -> int:
        """The most comma pieces a place's name can be written in: its name's commas, and one more
        for ONS's inverted "Bristol, City of"."""
        names = pd.concat([self.places[c] for c in ("name", "official_name") if c in self.places])
        return int(names.fillna("").astype(str).str.count(",").max() or 0) + 2

    def candidates(self, query: str, kind: str | None = None, limit: int = 5) -> pd.DataFrame:
        """The places whose names are closest to ``query`` (best first), for suggestions."""
        from rapidfuzz import fuzz, process

        allowed = self._allowed(kind)
        named = self.keys[self.keys["form"].isin(["name", "bare"]) & allowed[self.keys["position"].to_numpy()]]
        found = process.extract(normalise(query), named["key"].tolist(), scorer=fuzz.WRatio,
                                limit=limit * 4, score_cutoff=SUGGEST_SCORE)
        best = found[0][1] if found else 0
        positions = list(dict.fromkeys(int(named["position"].iloc[i]) for _, score, i in found
                                       if score >= best - SUGGEST_WITHIN))[:limit]
        return self.places.iloc[positions]

    # ---------------------------------------------------------------------------------- inside
    def _allowed(self, kind: str | None) -> np.ndarray:
        if kind is None:
            return np.ones(len(self.places), dtype=bool)
        if kind not in KINDS:
            raise PlaceError(f"unknown kind of place {kind!r}; expected one of {', '.join(KINDS)}")
        return self.places["tier"].isin(KINDS[kind][0]).to_numpy()

    @staticmethod
    def _steps(text: str) -> list[tuple[str, str]]:
        if CODE_LIKE.match(text):
            return [("code", text.upper()), ("ecode", text.upper())]
        normal = normalise(text)
        return [("name", normal), ("bare", bare(normal)), ("words", normal)]

    def _positions(self, form: str, key: str, allowed: np.ndarray) -> list[int]:
        """The positions of the places whose ``form`` is ``key`` (for ``words``: whose name holds
        ``key`` as whole words), each once, in the order of ``keys``, of those ``allowed``."""
        if form == "words":
            names = self.keys[self.keys["form"] == "name"]
            pattern = rf"(?:^| ){re.escape(key)}(?: |$)"
            positions = names.loc[names["key"].str.contains(pattern, regex=True), "position"]
        else:
            positions = self.positions.get((form, key), [])
        return [p for p in dict.fromkeys(list(positions)) if allowed[p]]

    @staticmethod
    def _one(hits: pd.DataFrame, text: str, kind: str | None) -> pd.Series:
        current = hits[hits["current"].astype(bool)]
        chosen = current if len(current) else hits
        councils = chosen[chosen["tier"].isin(KINDS["council"][0])]
        if len(councils) == 1:  # "Lancashire": the county council, not Lancashire Combined County Authority
            return councils.iloc[0]
        if len(chosen) == 1:
            return chosen.iloc[0]
        listed = ", ".join(f"{r.name} ({r.code}, {TIER_LABELS.get(r.tier, r.tier).lower()})"
                           for r in chosen.head(8).itertuples())
        more = f" and {len(chosen) - 8} more" if len(chosen) > 8 else ""
        raise AmbiguousPlace(f"{text!r} matches {len(chosen)} places: {listed}{more}; give the code")

    def _none_message(self, text: str, kind: str | None) -> str:
        what = KINDS[kind][1] if kind else "place"
        # the register is England's: a code of another nation gets a sentence of its own, not "no place matches"
        letter = text[:1].upper()
        if CODE_LIKE.match(text) and len(text) == 9 and letter != "E" and letter in NATIONS:
            return (f"{text!r} is a GSS code of {NATIONS[letter]}: devolution covers England's councils and places only "
                    f"(their codes begin with E; see `devo places list`)")
        close = self.candidates(text, kind) if not CODE_LIKE.match(text) else self.places.iloc[:0]
        hint = ""
        if len(close):
            hint = "; did you mean " + ", ".join(f"{r.name} ({r.code})" for r in close.itertuples()) + "?"
        return (f"no {what} matches {text!r} (give a GSS code such as E06000001, an MHCLG E-code or a name; "
                f"see `devo places list`){hint}")

