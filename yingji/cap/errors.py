"""Exceptions of the CAP layer; every message is a Chinese reason a person can act on."""


class CapXMLError(ValueError):
    """Base class: the bytes cannot be turned into a CAP message we are willing to read."""


class HostileXMLError(CapXMLError):
    """The document uses a construct refused for safety (DTD, entities, excessive size)."""


class MalformedXMLError(CapXMLError):
    """The document is not well-formed XML."""


class CapParseError(CapXMLError):
    """Well-formed XML, but not a CAP message we can read (wrong namespace, missing fields...)."""
