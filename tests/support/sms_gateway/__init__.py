"""An emulator of the SMS Gateway for Android's documented API, for tests (see server.py)."""

from .server import CLOUD_PREFIX, LIMIT_EXCEEDED, SmsGatewayEmulator
from .state import RegisteredWebhook, StoredMessage, WebhookAttempt

__all__ = ["CLOUD_PREFIX", "LIMIT_EXCEEDED", "RegisteredWebhook", "SmsGatewayEmulator",
           "StoredMessage", "WebhookAttempt"]
