"""The presiding console: the chair's actions as a library and as ``hemicycle chair``."""
