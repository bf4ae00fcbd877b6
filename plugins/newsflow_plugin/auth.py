"""Airflow's own authentication and authorization for the News pages.

A FastAPI app registered by a plugin is mounted on the API server's root app, but Airflow does not
protect it: every route here depends on `require_user`, which

1. resolves the user exactly as Airflow's public API does: `airflow.api_fastapi.core_api.security.get_user`
   (an `Authorization: Bearer <JWT>` header, else the `_token` JWT cookie that the Airflow UI sets at
   login, else a user put on the request by Airflow's JWT refresh middleware) - no token: 401;
2. asks the configured auth manager (simple, FAB, Keycloak, ...) whether that user may see the
   Airflow website (`is_authorized_view(access_view=AccessView.WEBSITE)`) - no: 403.

Airflow is imported lazily, at request time: the plugin module is also imported by processes without an
API server (scheduler, `airflow plugins`), where the auth manager is not initialised.
"""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False, description="An Airflow JWT (POST /auth/token), or the UI's _token cookie")


async def require_user(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
):
    """FastAPI dependency: the authenticated Airflow user allowed to view the website, else 401/403."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import get_user

    # get_user's second parameter only feeds the OpenAPI login form; the bearer header is the credential.
    user = await get_user(request, None, credentials)
    if not get_auth_manager().is_authorized_view(access_view=AccessView.WEBSITE, user=user):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Forbidden")
    request.state.newsflow_user = user
    return user


def login_url(request: Request) -> str | None:
    """Where the auth manager logs a user in, coming back to this page afterwards (None if unknown)."""
    try:
        from airflow.api_fastapi.app import get_auth_manager

        return get_auth_manager().get_url_login(next_url=str(request.url))
    except Exception:  # noqa: BLE001 - no auth manager here: plain 401
        return None
