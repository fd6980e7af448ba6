"""Residents' ideas beyond the chat: moderation shared by chat and CLI, and turning the
accepted ones into a consultation scenario."""
