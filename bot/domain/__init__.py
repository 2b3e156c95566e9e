"""Pure rules: catalogs, parsing, school years, who may do what, when to remind. No database
session and no I/O: easy to test, safe to call from anywhere."""
