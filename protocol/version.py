"""The protocol version: clients send it on connect, the server refuses others."""

PROTOCOL_VERSION = 1
