"""Privacy primitives: scrubbing personal data from text and keyed reporter pseudonyms."""
