"""The Python seat and device client: identity (key files), connection, enrolment."""
