"""Limits for long text."""

# Limits for long text, sized to the domain: an abstract as NSPIRES's 4,000-character proposal summary, the
# science case as a few pages, other sections and notes shorter. Forms, the API and the database all hold them.
ABSTRACT_LIMIT = 4000
DESCRIPTION_LIMIT = 12000
SECTION_LIMIT = 6000
NOTE_LIMIT = 3000
