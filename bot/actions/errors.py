"""The service's refusals: each message is safe to show to the person who asked."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses; the message is safe to show to the person who asked."""


class NotFound(ServiceError):
    pass


class NotAllowed(ServiceError):
    pass


class InvalidChange(ServiceError):
    pass
