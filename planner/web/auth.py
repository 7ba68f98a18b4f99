"""Signing in and out; how long a session lasts."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from planner.extensions import db, limiter, login_manager
from planner.forms.auth import ActionForm, SignInForm, id_of
from planner.models import User
from planner.services.accounts import AccountError, SignInRefused, authenticate

blueprint = Blueprint("auth", __name__)
logger = logging.getLogger("planner.auth")

DEVICE_COOKIE = "planner_device"
AUTH_AT, SEEN = "_auth_at", "_seen"  # when the session signed in, and its last request
SEEN_GRANULARITY = 60  # seconds: the cookie is rewritten at most once a minute


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme or host): no open redirects."""
    if not target:
        return url_for("jurisdictions.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("jurisdictions.index")
    return target


# ----------------------------------------------------------------------------- device cookie
# A browser that signed in to an account gets a signed cookie naming it. Its attempts on
# that account do not wait out the account's lock (they have their own limit), so a
# stranger's wrong passwords cannot keep the owner out. A new password voids the cookie.


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="planner-device")


def _password_tag(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _trusted_user_id() -> int | None:
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie or len(cookie) > 200:
        return None
    try:
        data = _devices().loads(cookie, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or data.get("p") != _password_tag(user):
        return None
    return user.id


def _has_device_cookie() -> bool:
    return bool(request.cookies.get(DEVICE_COOKIE))


def _device_key() -> str:
    return "device:" + hashlib.sha256(request.cookies.get(DEVICE_COOKIE, "").encode()).hexdigest()


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _device_rate() -> str:
    return current_app.config["LOGIN_DEVICE_RATE_LIMIT"]


def _account_rate() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _global_rate() -> str:
    return current_app.config["LOGIN_GLOBAL_RATE_LIMIT"]


def _account_key() -> str:
    """The account a sign-in post tries, whichever address it comes from (hashed: the
    limiter's storage holds no emails)."""
    email = str(request.form.get("email", "")).strip().lower()[:254]
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


def _everyone_key() -> str:
    return "sign-in:all"


def _known_browser() -> bool:
    """A browser that signed in before (a valid device cookie) is held by its device limit,
    not by the ceilings across addresses: a flood from elsewhere does not keep it out."""
    return _has_device_cookie() and _trusted_user_id() is not None


# ----------------------------------------------------------------------------- pages


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"])
@limiter.limit(
    _device_rate,
    methods=["POST"],
    key_func=_device_key,
    exempt_when=lambda: not _has_device_cookie(),
)
@limiter.limit(_account_rate, methods=["POST"], key_func=_account_key, exempt_when=_known_browser)
@limiter.limit(_global_rate, methods=["POST"], key_func=_everyone_key, exempt_when=_known_browser)
def sign_in():
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        config = current_app.config
        try:
            user = authenticate(
                db.session,
                form.email.data,
                form.password.data,
                max_failures=config["LOGIN_MAX_FAILURES"],
                lock_seconds=config["LOGIN_LOCK_SECONDS"],
                lock_max_seconds=config["LOGIN_LOCK_MAX_SECONDS"],
                trusted_user_id=_trusted_user_id(),
            )
        except AccountError as error:
            db.session.rollback()
            reason = error.reason if isinstance(error, SignInRefused) else "refused"
            g.sign_in_failure = {"account": form.email.data.strip().lower()[:254], "reason": reason}
            logger.warning(
                json.dumps(
                    {"event": "sign-in refused", **g.sign_in_failure, "remote": request.remote_addr}
                )
            )
            form.password.errors = [str(error)]
            return render_template("auth/sign_in.html", form=form), 401
        start_session(user)
        response = redirect(_safe_next(form.next.data))
        response.set_cookie(
            DEVICE_COOKIE,
            _devices().dumps({"u": user.id, "p": _password_tag(user)}),
            max_age=config["DEVICE_COOKIE_DAYS"] * 86400,
            httponly=True,
            samesite="Lax",
            secure=bool(config.get("SESSION_COOKIE_SECURE")),
            path=url_for("auth.sign_in"),
        )
        return response
    status = 400 if request.method == "POST" else 200
    return render_template("auth/sign_in.html", form=form), status


@blueprint.post("/sign-out")
def sign_out():
    """Signing out ends every session of the account, on every browser (a copied cookie
    included)."""
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            user = db.session.get_one(User, current_user.id)
            user.end_sessions()
            db.session.commit()
        end_session()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


def start_session(user: User) -> None:
    """Sign `user` in on this browser at the account's current session epoch."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session[AUTH_AT] = now
    session[SEEN] = now


def end_session() -> None:
    logout_user()
    session.pop(AUTH_AT, None)
    session.pop(SEEN, None)


def load_user(user_id: str) -> User | None:
    """The session's account, if it is active and the session was signed in at the
    account's current epoch (sign-out, a new password or deactivation move it on)."""
    ident, _, epoch = user_id.partition(":")
    number = id_of(ident)
    if number is None or not (epoch.isascii() and epoch.isdecimal() and len(epoch) <= 18):
        return None
    user = db.session.get(User, number)
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def init_sessions(app: Flask) -> None:
    """The signed-in account of each request (`load_user`); end a session idle for
    SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS (before anything reads the
    signed-in user)."""
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.user_loader(load_user)

    @app.before_request
    def session_timeouts():
        if "_user_id" not in session:
            return None
        now = time.time()
        auth_at, seen = session.get(AUTH_AT), session.get(SEEN)
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        longest = app.config["SESSION_MAX_HOURS"] * 3600
        if (
            not isinstance(auth_at, int)
            or not isinstance(seen, int)
            or now - seen > idle
            or now - auth_at > longest
        ):
            end_session()
            flash("Your session ended; please sign in again.", "info")
            return None
        if now - seen >= SEEN_GRANULARITY:
            session[SEEN] = int(now)
        return None

    @app.errorhandler(429)
    def too_many(error):  # noqa: ARG001
        logger.warning(json.dumps({"event": "sign-in rate limited", "remote": request.remote_addr}))
        return render_template(
            "errors/error.html",
            status=429,
            title="Too many sign-in attempts",
            message="Too many sign-in attempts came from your network or browser, or for "
            "this account, or to the site as a whole. Wait a minute, then try again.",
        ), 429
