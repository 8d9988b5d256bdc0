"""Pure rule code: official tables and formulas, no Django imports.

Everything here is table-driven, uses ``decimal.Decimal`` where the law counts money
or quantities, and is imported by the Django apps, the API and the CLI alike.
"""
