"""Street addresses as Presidio patterns: a house number next to a street word.

Patterns are case-sensitive on purpose: "Baker Street" is an address, while "2 hard drive"
or "3 main road blocks" are not. A city or postcode alone is kept: it names an office, not
a person.
"""

from __future__ import annotations

import regex
from presidio_analyzer import Pattern, PatternRecognizer

_EN_STREET = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|"
    "Parkway|Pkwy|Square|Sq|Terrace|Close|Crescent|Highway|Hwy|Circle|Row|Gardens|Mews|Walk|"
    "Parade|Loop|Trail|Grove|Quay|Wharf|Plaza|Rise|Hill"
)
_CAPITALISED = r"[A-Z0-9][\w'’.-]*"
_UNIT = r"(?:Flat|Apt|Apartment|Unit|Suite|Floor)\.?\s*#?\w{1,5}"
_CITY = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
# A city is taken with the street only when a US state and ZIP code or a UK postcode
# follows it: then it is part of one person's address, not the name of an office.
_TOWN_AND_CODE = rf"(?:,\s+{_CITY},?\s+(?:[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?|[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}})\b)"
# 221B Baker Street · 45 Queen Street West · Flat 3, 27 Marine Parade · 17 Oak Lane, Apt 4B
# · 1600 Amphitheatre Pkwy, Mountain View, CA 94043
_ENGLISH = (
    rf"\b(?:{_UNIT},?\s+)?\d{{1,5}}[A-Z]?(?:[-/]\d{{1,4}})?,?\s+(?:{_CAPITALISED}\s+){{1,3}}"
    rf"(?:{_EN_STREET})\b\.?(?:\s+(?:North|South|East|West|N|S|E|W))?"
    rf"(?:,?\s+{_UNIT}\b)?{_TOWN_AND_CODE}?"
)
# Hauptstraße 5 · Keizersgracht 123 · Drottninggatan 5 · Königsallee 12a
_GERMANIC = (
    r"\b[A-ZÄÖÜÅ][\wäöüßåø-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|damm|ufer|chaussee|"
    r"straat|gracht|laan|plein|kade|singel|gatan|vägen|gata|gade|vej|veien)\s+\d{1,4}[a-z]?\b"
)
# 12 rue de Rivoli · 8 avenue Jean Jaurès
_FRENCH = (
    r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|bd|place|chemin|allée|impasse|"
    r"quai|route|cours)\s+(?:(?:de\s+la|de\s+l['’]|du|des|de|la|le|l['’])\s*)?"
    r"[A-ZÉÈ][\w'’-]+(?:\s+[A-ZÉÈ][\w'’-]+)*"
)
# Calle Mayor 8 · Via Roma 10 · Rua Augusta 100
_SOUTHERN = (
    r"\b(?:Calle|Avenida|Avda\.|Paseo|Plaza|Carrer|Via|Viale|Piazza|Corso|Rua|Travessa|"
    r"Largo|Praça)\s+(?:(?:de|del|della|dei|di|da|do|dos|das|la|los|las)\s+)?"
    r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*,?\s+(?:n[º°o]\.?\s*)?\d{1,4}[A-Za-z]?\b"
)
_PO_BOX = r"\b(?:P\.?\s?O\.?\s?Box|Postfach)\s+\d[\d ]{0,8}\d\b"
_SCORE = 0.6


def address_recognizer() -> PatternRecognizer:
    """A Presidio recognizer for STREET_ADDRESS."""
    return PatternRecognizer(
        supported_entity="STREET_ADDRESS",
        name="street_addresses",
        patterns=[
            Pattern(name, pattern, _SCORE)
            for name, pattern in (
                ("english", _ENGLISH),
                ("germanic", _GERMANIC),
                ("french", _FRENCH),
                ("southern", _SOUTHERN),
                ("po_box", _PO_BOX),
            )
        ],
        global_regex_flags=regex.DOTALL | regex.MULTILINE,
    )
