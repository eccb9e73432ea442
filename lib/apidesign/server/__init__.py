"""The reference chat API: ``create_app(config)`` builds it, ``serve(app)`` runs it on 127.0.0.1."""

from .app import create_app
from .auth import credentials, current_principal, current_service, current_user, principal_id
from .serving import LiveServer, serve

__all__ = ["create_app", "serve", "LiveServer", "credentials", "current_user", "principal_id",
           "current_principal", "current_service"]
