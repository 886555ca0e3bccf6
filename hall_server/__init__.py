"""The control-plane process: hall service, event store, transport, web routes."""
