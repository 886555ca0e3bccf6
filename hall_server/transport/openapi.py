"""The hall server's HTTP routes as an OpenAPI 3.1 document.

    openapi_document() -> dict      OpenAPI 3.1.0 (https://spec.openapis.org/oas/v3.1.0)

The Socket.IO side is in the AsyncAPI document (``protocol.asyncapi``); this one
covers pairing, the connect challenge, documents, the clerks' review and
exports, health and metrics. ``tests/test_protocol_documents.py`` checks that
every route the app serves is described here and that the document validates.
"""

from __future__ import annotations

from typing import Any

from hall_server.accounts import SESSION_COOKIE
from hall_server.web.documents import PASS_COOKIE
from protocol.errors import ErrorCode
from protocol.types import Role
from protocol.version import PROTOCOL_VERSION

ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
CLERK = [{"adminToken": []}, {"adminBearer": []}, {"deviceSignature": []}, {"session": []}]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(ERROR, description)


def _path_param(name: str, description: str, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


SITTING = _path_param("sitting", "the sitting's stream id", "^[A-Za-z0-9_.:\\-]{1,64}$")


ACCOUNT = {"type": "object", "required": ["name", "roles"], "properties": {
    "name": {"type": "string", "pattern": "^[a-z][a-z0-9._-]{1,31}$"},
    "roles": {"type": "array", "items": {"enum": ["clerk", "editor", "operator"]}},
    "disabled": {"type": "boolean", "description": "cannot sign in; kept, since the log names it"},
    "last_change": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["change", "by", "at_ms"],
                                                 "properties": {
        "change": {"enum": ["password_changed", "password_reset", "disabled", "enabled"]},
        "by": {"type": "string", "description": "an account's name, or admin for the admin token"},
        "at_ms": {"type": "integer", "description": "ms since the epoch"}}}]}}}
ACCOUNT_NAME = _path_param("name", "the account's name", "^[a-z][a-z0-9._-]{1,31}$")
ACCOUNT_ANSWER = _json({"type": "object", "required": ["ok", "account"], "properties": {
    "ok": {"const": True}, "account": ACCOUNT}}, "the account as it is now")
CSRF = {"name": "X-CSRFToken", "in": "header", "required": False,
        "description": "the csrftoken cookie, echoed: required when the request carries any cookie",
        "schema": {"type": "string"}}


def session_paths() -> dict[str, Any]:
    """Sign-in, sign-out, accounts and the audit view (``transport.sessions``)."""
    return {
        "/api/session": {
            "post": {
                "summary": "Sign in to an account: sets the session cookie (HttpOnly, SameSite=Strict)",
                "parameters": [CSRF],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["name", "password"], "properties": {
                        "name": {"type": "string"}, "password": {"type": "string"}}}}}},
                "responses": {"200": _json({"type": "object", "required": ["ok", "account"], "properties": {
                    "ok": {"const": True}, "account": ACCOUNT, "expires": {"type": "integer"}}}, "signed in"),
                    "401": _error("unknown account or wrong password"), "403": _error("no CSRF token"),
                    "429": _error("too many sign-in attempts for this name or address: Retry-After")},
            },
            "get": {
                "summary": "The signed-in account",
                "security": [{"session": []}],
                "responses": {"200": _json({"type": "object", "required": ["ok", "account"], "properties": {
                    "ok": {"const": True}, "account": ACCOUNT}}, "the account"), "401": _error("not signed in")},
            },
            "delete": {
                "summary": "Sign out: the session ends and its cookie is cleared",
                "parameters": [CSRF],
                "responses": {"200": _json({"type": "object"}, "signed out"), "403": _error("no CSRF token")},
            },
        },
        "/api/accounts": {
            "get": {
                "summary": "Every account and its roles (a clerk)",
                "security": CLERK,
                "responses": {"200": _json({"type": "object", "required": ["ok", "accounts"], "properties": {
                    "ok": {"const": True}, "accounts": {"type": "array", "items": ACCOUNT}}}, "the accounts"),
                    "401": _error("not a clerk")},
            },
            "post": {
                "summary": "Add an account (a clerk, or the admin token: the first account and scripts)",
                "security": CLERK, "parameters": [CSRF],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["name", "password"], "properties": {
                        "name": {"type": "string"}, "password": {"type": "string", "minLength": 10},
                        "roles": ACCOUNT["properties"]["roles"]}}}}},
                "responses": {"201": _json({"type": "object", "required": ["ok", "account"], "properties": {
                    "ok": {"const": True}, "account": ACCOUNT}}, "added"),
                    "400": _error("bad name, password or roles"), "401": _error("not a clerk"),
                    "403": _error("no CSRF token"), "409": _error("an account by that name exists")},
            },
        },
        "/api/session/password": {"post": {
            "summary": "Change the signed-in account's own password: its other sessions end, this one stays",
            "security": [{"session": []}], "parameters": [CSRF],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["password", "new_password"], "properties": {
                    "password": {"type": "string", "description": "the current password"},
                    "new_password": {"type": "string", "minLength": 10}}}}}},
            "responses": {"200": ACCOUNT_ANSWER, "400": _error("the new password is too short"),
                          "401": _error("not signed in"),
                          "403": _error("bad_credential: the current password is wrong; or no CSRF token"),
                          "429": _error("too many attempts for this name or address: Retry-After")},
        }},
        "/api/accounts/{name}/password": {"post": {
            "summary": "Reset another account's password: all its sessions end (a clerk, or the admin token)",
            "security": CLERK, "parameters": [ACCOUNT_NAME, CSRF],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["password"], "properties": {
                    "password": {"type": "string", "minLength": 10}}}}}},
            "responses": {"200": ACCOUNT_ANSWER, "400": _error("the password is too short"),
                          "401": _error("not a clerk"), "403": _error("no CSRF token"),
                          "404": _error("unknown_account"),
                          "409": _error("invalid_state, reason self: one's own password is changed, not reset")},
        }},
        "/api/accounts/{name}/disabled": {"post": {
            "summary": "Disable an account (its sessions end at once, it cannot sign in, it stays listed) or "
                       "enable it again (a clerk, or the admin token)",
            "security": CLERK, "parameters": [ACCOUNT_NAME, CSRF],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["disabled"], "properties": {"disabled": {"type": "boolean"}}}}}},
            "responses": {"200": ACCOUNT_ANSWER, "400": _error("disabled is not true or false"),
                          "401": _error("not a clerk"), "403": _error("no CSRF token"),
                          "404": _error("unknown_account"),
                          "409": _error("invalid_state, reason self (an account cannot disable itself) or "
                                        "last_manager (the last enabled account that manages accounts)")},
        }},
        "/api/audit": {"get": {
            "summary": "A stream's hash-chained events, the chain checked, newest first (a clerk)",
            "security": CLERK,
            "parameters": [
                {"name": "sitting", "in": "query", "schema": {"type": "string"},
                 "description": "the stream id; default the registry"},
                {"name": "author", "in": "query", "schema": {"type": "string"},
                 "description": "an account, else a device id"},
                {"name": "kind", "in": "query", "schema": {"type": "string"},
                 "description": "an event type, or its prefix (transcript)"},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
            "responses": {"200": _json({"type": "object", "required": ["ok", "stream", "chain", "events"]},
                                       "the events"),
                          "400": _error("bad filter"), "401": _error("not a clerk"), "404": _error("no such stream")},
        }},
    }


def openapi_document() -> dict[str, Any]:
    """Every HTTP route of ``hemicycle serve`` (pages and static assets aside), as a JSON value."""
    roles = [r.value for r in Role]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hemicycle hall server HTTP API",
            "version": str(PROTOCOL_VERSION),
            "description": "Pairing, the connect challenge, documents, review and exports. The live "
                           "protocol (Socket.IO) is described by the AsyncAPI document at /api/asyncapi.json.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "http://127.0.0.1:8765", "description": "`hemicycle serve` (HTTPS on a hall network)"}],
        "paths": {
            "/healthz": {"get": {
                "summary": "Liveness and database reachability",
                "responses": {
                    "200": _json({"type": "object", "required": ["ok", "protocol"], "properties": {
                        "ok": {"type": "boolean"}, "protocol": {"type": "integer"},
                        "streams": {"type": "integer"}, "sittings": {"type": "integer"}}}, "healthy"),
                    "503": {"description": "the database does not answer"},
                },
            }},
            "/metrics": {"get": {
                "summary": "Prometheus text exposition (command counts, latency histogram, connected clients)",
                "security": [{"metricsToken": []}],
                "responses": {"200": {"description": "text/plain; version=0.0.4",
                                      "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }},
            "/api/challenge": {"get": {
                "summary": "A fresh nonce to sign when connecting or calling a clerk route (valid 60 s, once)",
                "responses": {"200": _json({"type": "object", "required": ["nonce"],
                                            "properties": {"nonce": {"type": "string"}}}, "a nonce")},
            }},
            "/api/server": {"get": {
                "summary": "The protocol version and the server's public key (hex), which seals results",
                "responses": {"200": _json({"type": "object", "required": ["protocol", "server_key"], "properties": {
                    "protocol": {"type": "integer"},
                    "server_key": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}, "server identity")},
            }},
            "/api/asyncapi.json": {"get": {
                "summary": "The Socket.IO protocol as an AsyncAPI 3.0 document",
                "responses": {"200": _json({"type": "object"}, "the document")},
            }},
            "/api/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "the document")},
            }},
            "/api/pairings": {"post": {
                "summary": "A new device asks to be enrolled; it shows the returned code to a clerk",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["public_key", "role"], "properties": {
                        "public_key": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                                       "description": "raw Ed25519 public key, hex"},
                        "role": {"type": "string", "enum": roles},
                        "label": {"type": "string", "maxLength": 200}}}}}},
                "responses": {
                    "200": _json({"type": "object", "required": ["ok", "code"], "properties": {
                        "ok": {"const": True}, "code": {"type": "string", "pattern": "^[A-Z2-9]{8}$"}}},
                        "the pairing code (derived from the key)"),
                    "400": _error("malformed request"),
                    "429": _error("too many pending pairings"),
                },
            }},
            "/api/pairings/{code}": {"get": {
                "summary": "Poll a pairing: pending, or enrolled with the device id the clerk gave",
                "parameters": [_path_param("code", "the pairing code")],
                "responses": {
                    "200": _json({"type": "object", "required": ["ok", "status"], "properties": {
                        "ok": {"const": True}, "status": {"enum": ["pending", "enrolled"]},
                        "device_id": {"type": "string"}, "role": {"type": "string"},
                        "member_id": {"type": ["string", "null"]}, "seat": {"type": ["string", "null"]}}},
                        "the pairing's status"),
                    "404": _error("no such pairing"),
                },
            }},
            "/api/documents": {"post": {
                "summary": "Upload a PDF (a clerk): stored under its SHA-256, then named by agenda.attach_document",
                "security": CLERK,
                "requestBody": {"required": True, "content": {"application/pdf": {"schema": {
                    "type": "string", "format": "binary"}}}},
                "responses": {
                    "201": _json({"type": "object", "required": ["ok", "sha256", "size"], "properties": {
                        "ok": {"const": True}, "sha256": {"type": "string"}, "size": {"type": "integer"},
                        "media_type": {"type": "string"}}}, "stored"),
                    "400": _error("not a PDF"), "401": _error("not a clerk"), "413": _error("over 64 MiB"),
                },
            }},
            "/api/roster": {"post": {
                "summary": "Import members from a CSV or XLSX roster (a clerk): new rows add, changed rows update, "
                           "blank cells leave values alone, bad rows are reported by line",
                "security": CLERK,
                "parameters": [{"name": "new_pins", "in": "query", "required": False,
                                "description": "random 6-digit PINs for the members named without one (all: for "
                                               "every member named), printable once at `sheet`",
                                "schema": {"enum": ["missing", "all"]}}],
                "requestBody": {"required": True, "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}}}},
                "responses": {
                    "200": _json({"type": "object", "required": [
                        "ok", "added", "updated", "unchanged", "credentials", "bad", "rosters_renewed"], "properties": {
                        "ok": {"const": True},
                        **{k: {"type": "array", "items": {"type": "string"}}
                           for k in ("added", "updated", "unchanged", "credentials", "new_pins")},
                        "rosters_renewed": {"type": "array", "items": {"type": "string"},
                                            "description": "the scheduled sittings whose roster took the import"},
                        "bad": {"type": "array", "items": {"type": "object", "required": ["line", "member_id"]}},
                        "sheet": {"type": ["string", "null"], "description": "with new_pins: the PIN sheet's id"}}},
                        "what each row did"),
                    "400": _error("not a CSV or XLSX roster"), "401": _error("not a clerk"),
                    "413": _error("over 2 MiB"),
                },
            }},
            "/api/roster/sheets/{sheet}": {"get": {
                "summary": "The PIN slips of an import with new_pins, as a PDF to print and cut: answered once, "
                           "within 10 minutes, then forgotten",
                "security": CLERK,
                "parameters": [_path_param("sheet", "the sheet id the import returned")],
                "responses": {"200": {"description": "the PDF", "content": {"application/pdf": {"schema": {
                    "type": "string", "format": "binary"}}}},
                    "401": _error("not a clerk"), "404": _error("gone: printed already, expired or unknown")},
            }},
            "/documents/{sha256}": {"get": {
                "summary": "A document's bytes, by their hash (immutable): for enrolled devices (the pass from the "
                           "socket's `documents` event, as a cookie) and clerks",
                "security": [{"documentPass": []}, *CLERK],
                "parameters": [_path_param("sha256", "the document's SHA-256, hex", "^[0-9a-f]{64}$")],
                "responses": {"200": {"description": "the PDF", "content": {"application/pdf": {"schema": {
                    "type": "string", "format": "binary"}}}}, "401": _error("no document pass and not a clerk"),
                    "404": _error("unknown document")},
            }},
            "/api/review/{sitting}": {"get": {
                "summary": "The Hansard model of a sitting and its transcript, for the clerks' review",
                "security": CLERK, "parameters": [SITTING],
                "responses": {"200": _json({"type": "object", "required": ["ok", "record", "transcript"]}, "record"),
                              "401": _error("not a clerk"), "404": _error("no opened sitting by that id")},
            }},
            "/api/audio/{sitting}/{turn}": {"get": {
                "summary": "A transcribed turn's audio, cut from the recorder's archive",
                "security": CLERK,
                "parameters": [SITTING, _path_param("turn", "the turn id", "^[A-Za-z0-9_.:\\-]{1,64}$")],
                "responses": {"200": {"description": "WAV", "content": {"audio/wav": {"schema": {
                    "type": "string", "format": "binary"}}}},
                    "401": _error("not a clerk"), "404": _error("no such turn or no archive")},
            }},
            "/api/export/{sitting}.{fmt}": {"get": {
                "summary": "The sitting's record: JSON (verifiable with `hemicycle verify`), PDF or Akoma Ntoso",
                "security": CLERK,
                "parameters": [SITTING, {"name": "fmt", "in": "path", "required": True,
                                         "schema": {"enum": ["json", "pdf", "akn"]}}],
                "responses": {"200": {"description": "the export, as a download"},
                              "401": _error("not a clerk"), "404": _error("no such sitting or format"),
                              "409": _error("the sitting cannot be exported yet")},
            }},
            "/api/search": {"get": {
                "summary": "Full-text search of the sittings' records (titles, motions, speeches, notices, "
                           "guests): every word of `q` (3 letters at least), as a substring; Khmer too",
                "security": CLERK,
                "parameters": [{"name": "q", "in": "query", "required": True,
                                "schema": {"type": "string", "maxLength": 200}}],
                "responses": {"200": _json({"type": "object", "required": ["ok", "hits"], "properties": {
                    "ok": {"const": True}, "hits": {"type": "array", "items": {"type": "object", "required": [
                        "stream", "seq", "kind", "snippet", "sitting"]}}}}, "hits, newest sitting first"),
                    "400": _error("no query"), "401": _error("not a clerk")},
            }},
            **session_paths(),
        },
        "components": {
            "schemas": {
                "ErrorResponse": {"type": "object", "required": ["ok", "error"], "properties": {
                    "ok": {"const": False},
                    "error": {"type": "object", "required": ["code"], "properties": {
                        "code": {"type": "string", "enum": [c.value for c in ErrorCode]},
                        "message": {"type": "string"}, "details": {"type": "object"}}}}},
            },
            "securitySchemes": {
                "metricsToken": {"type": "http", "scheme": "bearer",
                                 "description": "HEMICYCLE_METRICS_TOKEN, or the admin token when that is unset"},
                "documentPass": {"type": "apiKey", "in": "cookie", "name": PASS_COOKIE,
                                 "description": "an HMAC over the device and an expiry, from the socket's `documents`"},
                "adminToken": {"type": "apiKey", "in": "header", "name": "X-Hemicycle-Token",
                               "description": "the bootstrap clerk token"},
                "adminBearer": {"type": "http", "scheme": "bearer",
                                "description": "the bootstrap clerk token, for scripts"},
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                            "description": "a signed-in account (POST /api/session); state-changing requests "
                                           "also need X-CSRFToken"},
                "deviceSignature": {"type": "apiKey", "in": "header", "name": "X-Hemicycle-Signature",
                                    "description": "a clerk device: X-Hemicycle-Device, X-Hemicycle-Nonce (from "
                                                   "/api/challenge) and the Ed25519 signature of the connect "
                                                   "message over them, hex"},
            },
        },
    }


__all__ = ["openapi_document"]
