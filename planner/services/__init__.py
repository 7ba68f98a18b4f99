"""The services: the database work of pages and commands. Each takes a session and never
commits; its caller (a view or a CLI command) commits or rolls back."""

from typing import Any, TypeAlias

from sqlalchemy.orm import Session, scoped_session

# What a service is given: a Session, or Flask-SQLAlchemy's `db.session`, the request-scoped
# proxy to one (a `scoped_session`, which is not a subclass of Session).
DbSession: TypeAlias = Session | scoped_session[Any]
