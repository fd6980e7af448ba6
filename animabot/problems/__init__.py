"""Problem reports (signalements): photos, routing to services, statuses, exports, figures."""
