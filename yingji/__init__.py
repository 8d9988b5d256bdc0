"""Yingji (应急) — emergency-management platform for Chinese city and county bureaus."""

__version__ = "0.1.0"
