"""SQLAlchemy 2.0 models, one module per aggregate."""

from planner.extensions import Base
from planner.models.accounts import AdminAction, Membership, User
from planner.models.actuals import ActualChange, FundActual
from planner.models.jobs import Job
from planner.models.jurisdictions import Jurisdiction
from planner.models.limits import RateLimitCounter
from planner.models.plans import PlanChange, PlanRecord
from planner.models.public import Publication
from planner.models.sharing import SharedProgram
from planner.models.statewide import GovernmentFigures, PlanSummary

__all__ = [
    "ActualChange",
    "AdminAction",
    "Base",
    "FundActual",
    "GovernmentFigures",
    "Job",
    "Jurisdiction",
    "Membership",
    "PlanChange",
    "PlanRecord",
    "PlanSummary",
    "Publication",
    "RateLimitCounter",
    "SharedProgram",
    "User",
]
