"""The `planner` command line (cost model §10). Commands are thin: they read, call, print."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import sys
from pathlib import Path

import click

from planner.cost_tables import default_cost_tables
from planner.present.tables_text import compliance_text, fit_text, projection_table
from planner.scenarios import Plan, PlanError, parse_plan_text, project, projection_to_dict
from planner.scenarios.compliance import check_plan, compliance_to_dict
from planner.scenarios.fiscal import fy_label

EXIT_BAD_FILE = 2


def read_plan(path: str) -> Plan:
    """Parse a plan file; on any problem print every path and exit 2."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        click.echo(f"{path}: cannot read the file ({exc.strerror})", err=True)
        sys.exit(EXIT_BAD_FILE)
    try:
        return parse_plan_text(data, default_cost_tables())
    except PlanError as exc:
        click.echo(f"{path}: {len(exc.problems)} problem(s) in the plan file:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_BAD_FILE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Plan, check and justify a North Carolina LEAD program funded by opioid settlement money."""


@main.command("project")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the lead-projection/1 JSON.")
def project_command(plan_file: str, as_json: bool) -> None:
    """Print the 18-year projection of PLAN_FILE."""
    plan = read_plan(plan_file)
    projection = project(plan)
    if as_json:
        click.echo(json.dumps(projection_to_dict(projection), indent=2, ensure_ascii=False))
    else:
        click.echo(projection_table(plan, projection))


@main.command("check")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the lead-compliance/1 JSON.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the deadlines are counted from (default: today).",
)
def check_command(plan_file: str, as_json: bool, as_of: dt.datetime | None) -> None:
    """Check PLAN_FILE against the MOA and LEAD fidelity; exit 1 when a rule fails."""
    plan = read_plan(plan_file)
    tables = default_cost_tables()
    day = as_of.date() if as_of else dt.date.today()  # noqa: DTZ011 - the user's local date
    results = check_plan(plan, project(plan), tables, day)
    if as_json:
        click.echo(json.dumps(compliance_to_dict(results, day), indent=2, ensure_ascii=False))
    else:
        click.echo(compliance_text(plan, results, day))
    if any(r.status == "fail" for r in results):
        sys.exit(1)


@main.command("fit")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option(
    "--target",
    default="referrals",
    show_default=True,
    help="'referrals' (a multiplier on every pathway) or 'line:ID' (that line's driver).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the lead-fit/1 JSON.")
@click.option(
    "--options",
    "with_options",
    is_flag=True,
    help="The ways to fit the plan, side by side (JSON: lead-options/1, each with its plan).",
)
@click.option("--protect", default="", help="With --options: line ids no option cuts (a,b).")
@click.option(
    "--max-deficit-chance",
    type=click.FloatRange(0, 1),
    default=None,
    help="With --options: add the largest program with at most this chance of a deficit.",
)
def fit_command(
    plan_file: str,
    target: str,
    as_json: bool,
    with_options: bool,
    protect: str,
    max_deficit_chance: float | None,
) -> None:
    """What the fund of PLAN_FILE can afford: the largest value of a driver that keeps the
    reserve in every FY, and the headroom per FY (cost model §13); with --options, the ways
    to fit it side by side."""
    from planner.scenarios.fit import FitError, fit

    plan = read_plan(plan_file)
    if with_options:
        _fit_options(plan_file, plan, protect, max_deficit_chance, as_json)
        return
    projection = project(plan)
    try:
        result = fit(plan, target, projection)
    except FitError as error:
        click.echo(f"{plan_file}: {error}.", err=True)
        sys.exit(EXIT_BAD_FILE)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(fit_text(plan, projection, result))


def _fit_options(
    plan_file: str, plan: Plan, protect: str, chance: float | None, as_json: bool
) -> None:
    from decimal import Decimal

    from planner.cost_tables import default_ranges
    from planner.present.options_text import options_text
    from planner.scenarios.options import plan_options

    try:
        result = plan_options(
            plan,
            default_cost_tables(),
            as_of=dt.date.today(),  # noqa: DTZ011 - the user's local date
            protect=[p.strip() for p in protect.split(",") if p.strip()],
            max_deficit_chance=None if chance is None else Decimal(str(chance)),
            ranges=default_ranges(),
        )
    except ValueError as error:
        click.echo(f"{plan_file}: {error}.", err=True)
        sys.exit(EXIT_BAD_FILE)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(options_text(result))


@main.command("simulate")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option(
    "--draws",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Simulated plans (1–100,000; default: the plan's, else 10,000).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    default=None,
    help="The random seed (a whole number; default: the plan's, else 0).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the lead-simulation/1 JSON.")
def simulate_command(plan_file: str, draws: int | None, seed: int | None, as_json: bool) -> None:
    """How sure are we: the plan's uncertainty ranges simulated, and the tornado (§12)."""
    from planner.present.simulation_text import simulation_text
    from planner.scenarios.simulation import simulate, simulation_to_dict
    from planner.scenarios.uncertainty import Uncertainty

    plan = read_plan(plan_file)
    result = simulate(plan, (plan.uncertainty or Uncertainty()).with_run(draws, seed))
    if as_json:
        click.echo(json.dumps(simulation_to_dict(result), indent=2, ensure_ascii=False))
    else:
        click.echo(simulation_text(plan, result))


@main.command("new")
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the plan (JSON).",
)
@click.option(
    "--start-fy",
    "start_fy",
    default=None,
    help="The plan's first FY, e.g. FY2027-28 (default: the FY after this one).",
)
def new_command(slug: str, output: str, start_fy: str | None) -> None:
    """Write the starting LEAD plan for SLUG, one of the 117 NC local governments (e.g.
    orange-county, city-of-durham): every fidelity line on cost-table defaults."""
    from planner.scenarios.fiscal import FiscalYearError, parse_fy
    from planner.scenarios.receipts import UnknownGovernment
    from planner.scenarios.starting import starting_plan

    first = None
    if start_fy is not None:
        try:
            first = parse_fy(start_fy)
        except FiscalYearError as error:
            click.echo(f"--start-fy: {error}", err=True)
            sys.exit(EXIT_BAD_FILE)
    today = dt.date.today()  # noqa: DTZ011 - the user's local date: the next FY starts from it
    try:
        plan = starting_plan(default_cost_tables(), slug, today=today, start_fy=first)
    except UnknownGovernment as error:
        click.echo(f"{error}", err=True)
        sys.exit(EXIT_BAD_FILE)
    Path(output).write_text(
        json.dumps(plan.document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    click.echo(
        f"Wrote {output}: {plan.document['name']}, "
        f"{fy_label(plan.document['start_fy'])} to "
        f"{fy_label(plan.document['start_fy'] + plan.document['years'] - 1)}, "
        f"{len(plan.document['line_items'])} line items."
    )
    for note in plan.notes:
        click.echo(f"  {note}")


# ----------------------------------------------------------------------------- the web app


def _app():
    """The app as configured by the environment; a configuration it refuses (production
    without a strong secret key) is a clear message and exit 2, not a traceback."""
    from planner.app import create_app
    from planner.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        click.echo(f"Not started: {error}", err=True)
        sys.exit(EXIT_BAD_FILE)


@contextlib.contextmanager
def _database():
    """The app's database session for one command, its schema brought up to date first (a
    new database works at once); the connections close afterwards."""
    from planner.extensions import db as database
    from planner.migrate import upgrade

    app = _app()
    upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        try:
            yield app, database.session
        finally:
            database.session.remove()
            database.engine.dispose()


@main.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from planner.migrate import upgrade

    app = _app()
    upgrade(app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@main.command("demo")
def demo_command() -> None:
    """Add the 117 local governments, the demo account and the demo plan (once); never in
    production."""
    from planner.services.demo import DEMO_EMAIL, seed_demo

    if _app().config["ENV_NAME"] == "production":
        click.echo(
            "Not run: `planner demo` creates an account with a known email and is for "
            "development only, and PLANNER_ENV_NAME is production. Create accounts "
            "with `planner user add`.",
            err=True,
        )
        sys.exit(EXIT_BAD_FILE)
    with _database() as (_, session):
        _, password = seed_demo(session)
        session.commit()
    if password:
        click.echo("Demo account created. Sign in with:")
        click.echo(f"  email:    {DEMO_EMAIL}")
        click.echo(f"  password: {password}")
        click.echo("(The password is shown only this once; reset it with `planner user password`.)")
    else:
        click.echo(
            f"Demo account {DEMO_EMAIL} exists (its password was shown when it was "
            "created; reset it with `planner user password`)."
        )


def quiet_request_handler() -> type:
    """The development server's request handler, its `Server` header naming no versions."""
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def version_string(self) -> str:
            return "planner"

    return Handler


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve_command(host: str, port: int) -> None:
    """Serve the app with Flask's development server (use gunicorn in production)."""
    from planner.services import jobs

    app = _app()
    consumer = jobs.start_consumer()  # the job worker's threads, in this process (`make run`)
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
    atexit.register(consumer.stop)
    app.run(
        host=host,
        port=port,
        debug=False,
        use_reloader=False,
        request_handler=quiet_request_handler(),
    )


@main.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Jobs run at once.")
def worker_command(workers: int | None) -> None:
    """Run the job worker: simulations and documents off the web requests (docs/deployment.md)."""
    from planner.services import jobs

    _app()  # the queue and the database, as the web app has them
    click.echo(
        f"Job worker: {workers or jobs.SETTINGS.workers} at once, "
        f"{jobs.SETTINGS.time_limit:.0f} s and {jobs.SETTINGS.memory_mb:,} MB a job "
        "(Ctrl-C to stop)"
    )
    jobs.run_consumer(workers)


@main.group()
def user() -> None:
    """Accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@user.command("add")
@click.argument("email")
@click.option(
    "--jurisdiction",
    "slugs",
    multiple=True,
    help="Slug such as orange-county or city-of-durham (repeatable).",
)
@click.option(
    "--role", type=click.Choice(["editor", "viewer"]), default="viewer", show_default=True
)
@click.option("--admin", is_flag=True, help="An administrator sees every jurisdiction.")
@click.option(
    "--analyst",
    is_flag=True,
    help="A state-level analyst reads every jurisdiction and changes nothing.",
)
def user_add(email: str, slugs: tuple[str, ...], role: str, admin: bool, analyst: bool) -> None:
    """Create an account; the password is read from standard input."""
    from planner.services.accounts import (
        AccountError,
        create_user,
        record_admin_action,
        set_membership,
    )
    from planner.services.demo import jurisdiction, seed_jurisdictions

    password = _read_password()
    with _database() as (_, session):
        seed_jurisdictions(session)
        places = []
        for slug in slugs:
            found = jurisdiction(session, slug)
            if found is None:
                click.echo(
                    f"No jurisdiction '{slug}' (e.g. orange-county, city-of-durham).", err=True
                )
                sys.exit(EXIT_BAD_FILE)
            places.append(found)
        try:
            account = create_user(session, email, password, is_admin=admin, is_analyst=analyst)
            for place in places:
                set_membership(session, account, place, role)
            record_admin_action(
                session,
                None,
                "created",
                account,
                ("administrator; " if admin else "")
                + ("analyst; " if analyst else "")
                + (", ".join(f"{role} of {p.name}" for p in places) or "no jurisdiction"),
            )
        except AccountError as error:
            session.rollback()
            click.echo(f"Not created: {error}.", err=True)
            sys.exit(EXIT_BAD_FILE)
        session.commit()
        stored_email = account.email  # as stored: trimmed and lower-case
    where = ", ".join(slugs) or "no jurisdiction yet"
    click.echo(f"Created {stored_email} ({'admin' if admin else role}; {where}).")


@user.command("analyst")
@click.argument("email")
@click.option("--off", is_flag=True, help="Take the analyst role away.")
def user_analyst(email: str, off: bool) -> None:
    """Make an account a state-level analyst (reads every government, changes nothing)."""
    from planner.services.accounts import find_user, record_admin_action

    with _database() as (_, session):
        account = find_user(session, email)
        if account is None:
            click.echo(f"No account {email}.", err=True)
            sys.exit(EXIT_BAD_FILE)
        account.is_analyst = not off
        account.end_sessions()  # what the account may do changed: it signs in again
        record_admin_action(
            session, None, "analyst role removed" if off else "made analyst", account
        )
        session.commit()
    click.echo(f"{email} is {'no longer' if off else 'now'} a state-level analyst.")


@user.command("password")
@click.argument("email")
def user_password(email: str) -> None:
    """Set an account's password (read from standard input)."""
    from planner.services.accounts import (
        AccountError,
        find_user,
        record_admin_action,
        set_password,
    )

    password = _read_password()
    with _database() as (_, session):
        account = find_user(session, email)
        if account is None:
            click.echo(f"No account {email}.", err=True)
            sys.exit(EXIT_BAD_FILE)
        try:
            set_password(account, password)  # ends the account's sessions
        except AccountError as error:
            click.echo(f"Not changed: {error}.", err=True)
            sys.exit(EXIT_BAD_FILE)
        record_admin_action(session, None, "reset password", account)
        session.commit()
    click.echo(f"Password changed for {email}.")


# ----------------------------------------------------------------------------- documents


def _document(
    plan_file: str,
    as_of: dt.datetime | None,
    meeting_on: dt.datetime | None = None,
    from_fy: str | None = None,
    to_fy: str | None = None,
):
    """The plan's documents for the meeting on `meeting_on` (default: the next scheduled
    adoption), asking the board to adopt FYs from_fy..to_fy (default: `default_period`); a
    bad FY, or one outside the plan, exits 2."""
    from planner.reports.context import plan_document

    plan = read_plan(plan_file)
    day = as_of.date() if as_of else dt.date.today()  # noqa: DTZ011 - the user's local date
    return plan_document(
        plan,
        prepared_on=day,
        meeting_on=meeting_on.date() if meeting_on else None,
        period=_chosen_period(plan, from_fy, to_fy),
    )


def _chosen_period(plan, from_fy: str | None, to_fy: str | None) -> tuple[int, int] | None:
    """--from/--to as FYs of the plan (either alone: that FY to the default's other end is
    not guessed — both are needed)."""
    from planner.scenarios.fiscal import FiscalYearError, parse_fy

    if from_fy is None and to_fy is None:
        return None
    if from_fy is None or to_fy is None:
        click.echo("--from and --to go together: give both FYs, e.g. FY2027-28.", err=True)
        sys.exit(EXIT_BAD_FILE)
    found = []
    for option, text in (("--from", from_fy), ("--to", to_fy)):
        try:
            found.append(parse_fy(text))
        except FiscalYearError as error:
            click.echo(f"{option} {text[:40]}: {error}.", err=True)
            sys.exit(EXIT_BAD_FILE)
    first, last = found
    if not plan.start_fy <= first <= last <= plan.end_fy:
        click.echo(
            f"--from/--to must be FYs of the plan in order, {fy_label(plan.start_fy)} to "
            f"{fy_label(plan.end_fy)}.",
            err=True,
        )
        sys.exit(EXIT_BAD_FILE)
    return first, last


def _annual(plan_file: str, fy_text: str, option: str):
    """Exhibit E and F of a closed FY of PLAN_FILE; a FY that is not closed exits 2."""
    from planner.reports.annual import annual_reports
    from planner.scenarios.exhibits import ExhibitError
    from planner.scenarios.fiscal import FiscalYearError, parse_fy

    try:
        fy = parse_fy(fy_text)
    except FiscalYearError as error:
        click.echo(f"{option}: {error}", err=True)
        sys.exit(EXIT_BAD_FILE)
    plan = read_plan(plan_file)
    try:
        return annual_reports(plan, project(plan), fy, default_cost_tables())
    except ExhibitError as error:
        click.echo(
            f"{plan_file}: {error}. Enter the FY's actuals (the plan file's "
            "`actuals` section) to write its annual report.",
            err=True,
        )
        sys.exit(EXIT_BAD_FILE)


@main.group()
def statewide() -> None:
    """The statewide view's stored figures."""


@statewide.command("refresh")
@click.option("--every", is_flag=True, help="Recompute every plan, not only the stale ones.")
@click.option(
    "--government",
    "slugs",
    multiple=True,
    help="Only this government's means (repeatable; default: all 117).",
)
def statewide_refresh(every: bool, slugs: tuple[str, ...]) -> None:
    """Compute the figures of plans saved before they were kept, and each government's
    means against the smallest fidelity program (the cost tables' estimates)."""
    from planner.services.statewide import refresh_governments, refresh_plans

    with _database() as (_, session):
        plans = refresh_plans(session, every=every)
        places = refresh_governments(session, slugs or None)
        session.commit()
    click.echo(f"Refreshed {plans} plans and {places} governments.")


@main.command("report")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the PDF.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The 'prepared on' date and the date deadlines count from (default: today).",
)
@click.option(
    "--exhibit-e",
    "exhibit_fy",
    default=None,
    metavar="FY",
    help="Write instead the annual financial report (MOA Exhibit E, with the "
    "Exhibit F worksheet) of this closed FY, e.g. FY2026-27.",
)
def report_command(
    plan_file: str, output: str, as_of: dt.datetime | None, exhibit_fy: str | None
) -> None:
    """Write the budget justification PDF of PLAN_FILE (or a closed FY's Exhibit E)."""
    if exhibit_fy is not None:
        from planner.reports.annual import exhibit_e_pdf

        report, impact = _annual(plan_file, exhibit_fy, "--exhibit-e")
        day = as_of.date() if as_of else dt.date.today()  # noqa: DTZ011 - the user's date
        Path(output).write_bytes(exhibit_e_pdf(report, impact, prepared_on=day))
        click.echo(f"Wrote {output}")
        return
    from planner.reports.render import plan_report_pdf

    doc = _document(plan_file, as_of)
    Path(output).write_bytes(plan_report_pdf(doc))
    click.echo(f"Wrote {output}")


@main.command("export")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "kind",
    type=click.Choice(
        ["xlsx", "csv", "resolution", "ordinance", "exhibit-e-csv", "exhibit-e-xlsx"]
    ),
    required=True,
    help="xlsx: the workbook; csv: the tidy projection; resolution: the draft "
    "authorizing resolution (DOCX, default period); ordinance: the draft "
    "settlement project ordinance (DOCX, the plan's FYs); exhibit-e-csv, "
    "exhibit-e-xlsx: a closed FY's Exhibit E rows for CORE-NC (with --fy).",
)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False))
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option(
    "--fy",
    "fy",
    default=None,
    metavar="FY",
    help="The closed FY of an exhibit-e format, e.g. FY2026-27.",
)
@click.option(
    "--from",
    "from_fy",
    default=None,
    metavar="FY",
    help="resolution, ordinance: the first FY it authorizes (default: the FYs the next "
    "meeting is asked to adopt, as the PDF's summary says).",
)
@click.option(
    "--to", "to_fy", default=None, metavar="FY", help="resolution, ordinance: the last FY."
)
@click.option(
    "--meeting-date",
    "meeting_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The board meeting (default: the next scheduled adoption, else --as-of or today).",
)
def export_command(
    plan_file: str,
    kind: str,
    output: str,
    as_of: dt.datetime | None,
    fy: str | None,
    from_fy: str | None,
    to_fy: str | None,
    meeting_on: dt.datetime | None,
) -> None:
    """Write the projection as an Excel workbook or a long CSV, or a Word draft, or a
    closed FY's Exhibit E as CSV or XLSX."""
    if kind.startswith("exhibit-e"):
        from planner.reports.annual import exhibit_e_csv, exhibit_e_xlsx

        if fy is None:
            click.echo(f"--format {kind} needs --fy, the closed FY (e.g. FY2026-27).", err=True)
            sys.exit(EXIT_BAD_FILE)
        report, _ = _annual(plan_file, fy, "--fy")
        if kind == "exhibit-e-csv":
            Path(output).write_text(exhibit_e_csv(report), encoding="utf-8")
        else:
            Path(output).write_bytes(exhibit_e_xlsx(report))
        click.echo(f"Wrote {output}")
        return
    doc = _document(plan_file, as_of, meeting_on, from_fy, to_fy)
    if kind == "xlsx":
        from planner.reports.workbook import plan_workbook

        Path(output).write_bytes(plan_workbook(doc))
    elif kind == "csv":
        from planner.reports.tabular import projection_csv

        Path(output).write_text(projection_csv(doc), encoding="utf-8")
    elif kind == "resolution":
        from planner.reports.resolution import resolution_docx

        Path(output).write_bytes(resolution_docx(doc))
    else:
        from planner.reports.ordinance import ordinance_docx

        Path(output).write_bytes(ordinance_docx(doc))
    click.echo(f"Wrote {output}")


@main.command("packet")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False))
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option(
    "--meeting-date",
    "meeting_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The board meeting (default: the next scheduled adoption, else --as-of or today).",
)
@click.option("--from", "from_fy", default=None, metavar="FY", help="The first FY to adopt.")
@click.option("--to", "to_fy", default=None, metavar="FY", help="The last FY to adopt.")
def packet_command(
    plan_file: str,
    output: str,
    as_of: dt.datetime | None,
    meeting_on: dt.datetime | None,
    from_fy: str | None,
    to_fy: str | None,
) -> None:
    """Write the board packet of PLAN_FILE (ZIP): cover memo, resolution, project
    ordinance, budget justification and workbook, all for the same FYs and amounts."""
    from planner.reports.packet import board_packet

    doc = _document(plan_file, as_of, meeting_on, from_fy, to_fy)
    Path(output).write_bytes(board_packet(doc))
    first, last = doc.period
    click.echo(f"Wrote {output} ({fy_label(first)} to {fy_label(last)})")


@main.command("backup")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option(
    "--with-password-hashes",
    is_flag=True,
    help="Include the accounts' password hashes (keep the file secret).",
)
def backup_command(output: str, with_password_hashes: bool) -> None:
    """Write every jurisdiction, account, plan and plan history to OUTPUT (JSON)."""
    from planner.services.backup import backup, write_private

    with _database() as (_, session):
        data = backup(session, password_hashes=with_password_hashes)
    # 0600 from the start: the file holds every plan, email and history entry
    write_private(output, json.dumps(data, indent=1, ensure_ascii=False))
    click.echo(f"Wrote {output}: {len(data['plans'])} plans, {len(data['users'])} accounts.")


@main.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, exists=True))
def restore_command(backup_file: str) -> None:
    """Load BACKUP_FILE into an empty database."""
    from planner.services.backup import BackupError, read_backup, restore

    try:
        data = read_backup(Path(backup_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # BackupError is a ValueError
        click.echo(f"{backup_file}: {error}.", err=True)
        sys.exit(EXIT_BAD_FILE)
    from planner.services.statewide import refresh_plans
    from planner.web.public import draw_public_page

    with _database() as (app, session):
        try:
            # The public pages are drawn again from the restored plans (templates need a
            # request's context for their links); each plan's statewide figures are
            # computed again (the governments' are in the backup).
            with app.test_request_context("/"):
                counts = restore(session, data, draw=draw_public_page)
            refresh_plans(session, every=True)
        except (BackupError, KeyError, TypeError, ValueError) as error:
            session.rollback()
            click.echo(f"Not restored: {error}.", err=True)
            sys.exit(EXIT_BAD_FILE)
        session.commit()
    click.echo(
        f"Restored {counts['plans']} plans, {counts['users']} accounts, "
        f"{counts['publications']} public pages."
    )
    click.echo("Every session of the backed-up database has ended: everyone signs in again.")
