"""The fixed event vocabulary of the synthetic product, and its catalog seed.

The generator only emits names from :data:`EVENT_CATALOG`, plus one deliberately
uncatalogued legacy event (:data:`UNCATALOGUED_EVENT`) so that the warehouse's handling
of unknown events is exercised. :func:`catalog_csv_text` renders the vocabulary as the
dbt seed ``dbt_project/seeds/event_catalog.csv`` (the columns of the brief plus
``buying_intent_signal``, which the warehouse uses to split buying intent by kind).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

CATEGORIES: tuple[str, ...] = (
    "session",
    "core_usage",
    "collaboration",
    "activation",
    "buying_intent",
    "admin",
)

CATALOG_COLUMNS: tuple[str, ...] = (
    "event_name",
    "category",
    "is_activation",
    "is_key_action",
    "is_buying_intent",
    "feature",
    "description",
    "buying_intent_signal",
)

#: Emitted rarely by old clients and intentionally missing from the catalog.
UNCATALOGUED_EVENT = "legacy_export_clicked"


@dataclass(frozen=True)
class EventSpec:
    """One event name of the product's tracking plan."""

    name: str
    category: str
    feature: str
    description: str
    is_activation: bool = False
    is_key_action: bool = False
    is_buying_intent: bool = False
    #: The buying-intent signal family the warehouse counts the event under, if any:
    #: seat_limit, paywall, pricing_page, trial or enterprise_features.
    buying_intent_signal: str = ""


EVENT_CATALOG: tuple[EventSpec, ...] = (
    EventSpec("session_started", "session", "app", "A user opened the app (web or desktop)."),
    EventSpec(
        "project_created",
        "activation",
        "projects",
        "A user created a project; the main time-to-value milestone.",
        is_activation=True,
        is_key_action=True,
    ),
    EventSpec(
        "integration_connected",
        "activation",
        "integrations",
        "A user connected a third-party integration (chat, repo, storage).",
        is_activation=True,
        is_key_action=True,
    ),
    EventSpec(
        "document_created",
        "core_usage",
        "editor",
        "A user created a document.",
        is_key_action=True,
    ),
    EventSpec(
        "document_edited",
        "core_usage",
        "editor",
        "A user saved changes to a document.",
        is_key_action=True,
    ),
    EventSpec(
        "file_uploaded", "core_usage", "files", "A user uploaded a file.", is_key_action=True
    ),
    EventSpec("dashboard_viewed", "core_usage", "dashboards", "A user viewed a dashboard."),
    EventSpec(
        "report_exported",
        "core_usage",
        "reports",
        "A user exported a report (pdf, csv, png).",
        is_key_action=True,
    ),
    EventSpec(
        "api_key_created",
        "core_usage",
        "api",
        "A user created an API key.",
        is_key_action=True,
    ),
    EventSpec("search_performed", "core_usage", "search", "A user ran a search."),
    EventSpec("template_used", "core_usage", "editor", "A user started from a template."),
    EventSpec(
        "comment_added",
        "collaboration",
        "comments",
        "A user commented on a document.",
        is_key_action=True,
    ),
    EventSpec(
        "document_shared",
        "collaboration",
        "sharing",
        "A user shared a document with a teammate.",
        is_key_action=True,
    ),
    EventSpec(
        "invite_sent",
        "collaboration",
        "invites",
        "A user invited a teammate to a workspace.",
        is_activation=True,
    ),
    EventSpec(
        "teammate_joined",
        "collaboration",
        "invites",
        "An invited teammate accepted and joined the workspace.",
    ),
    EventSpec(
        "seat_limit_reached",
        "buying_intent",
        "billing",
        "A free workspace hit its seat limit while adding a member.",
        is_buying_intent=True,
        buying_intent_signal="seat_limit",
    ),
    EventSpec(
        "paywall_hit",
        "buying_intent",
        "billing",
        "A user tried a paid feature and saw the paywall.",
        is_buying_intent=True,
        buying_intent_signal="paywall",
    ),
    EventSpec(
        "upgrade_prompt_viewed",
        "buying_intent",
        "billing",
        "A user saw an in-app upgrade prompt.",
        is_buying_intent=True,
        buying_intent_signal="paywall",
    ),
    EventSpec(
        "pricing_page_viewed",
        "buying_intent",
        "billing",
        "A user viewed the pricing page while signed in.",
        is_buying_intent=True,
        buying_intent_signal="pricing_page",
    ),
    EventSpec(
        "trial_started",
        "buying_intent",
        "billing",
        "A workspace started a trial of a paid plan.",
        is_buying_intent=True,
        buying_intent_signal="trial",
    ),
    EventSpec(
        "sso_settings_viewed",
        "admin",
        "sso",
        "An admin opened the single sign-on settings.",
        is_buying_intent=True,
        buying_intent_signal="enterprise_features",
    ),
    EventSpec(
        "audit_log_viewed",
        "admin",
        "audit_log",
        "An admin opened the audit log.",
        is_buying_intent=True,
        buying_intent_signal="enterprise_features",
    ),
    EventSpec(
        "admin_settings_viewed",
        "admin",
        "admin",
        "An admin opened the workspace admin settings.",
        is_buying_intent=True,
        buying_intent_signal="enterprise_features",
    ),
    EventSpec(
        "billing_page_viewed",
        "admin",
        "billing",
        "An owner or admin opened the billing page of a paying workspace.",
    ),
    EventSpec("member_role_changed", "admin", "admin", "An admin changed a member's role."),
)


def catalog_by_name() -> dict[str, EventSpec]:
    """The catalog keyed by event name."""
    return {spec.name: spec for spec in EVENT_CATALOG}


def catalog_csv_text() -> str:
    """The catalog as CSV text with a header row; booleans as ``true``/``false``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CATALOG_COLUMNS)
    for spec in EVENT_CATALOG:
        writer.writerow(
            [
                spec.name,
                spec.category,
                _bool_text(spec.is_activation),
                _bool_text(spec.is_key_action),
                _bool_text(spec.is_buying_intent),
                spec.feature,
                spec.description,
                spec.buying_intent_signal,
            ]
        )
    return buffer.getvalue()


def write_catalog(path: Path) -> int:
    """Write the catalog seed to ``path``; returns the number of bytes written."""
    data = catalog_csv_text().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def _bool_text(value: bool) -> str:
    return "true" if value else "false"
