"""One generation run: model -> events -> rows -> dirt -> files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.synthetic.activity import generate_events
from orchestration.synthetic.dirt import add_dirt
from orchestration.synthetic.generator import GeneratorConfig, Model, build_model
from orchestration.synthetic.tables import COLUMNS, SINGLE_FILE_ENTITIES, Row, build_tables
from orchestration.synthetic.writers import (
    Written,
    remove_stale_outputs,
    write_daily,
    write_file,
)


@dataclass
class GenerationResult:
    """What a run wrote, per entity, plus figures about the world it generated."""

    out_dir: Path
    files: dict[str, list[Written]] = field(default_factory=dict)
    dirt: dict[str, int] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)

    def rows(self, entity: str) -> int:
        """Rows written for ``entity`` (all its files)."""
        return sum(w.rows for w in self.files.get(entity, []))

    def bytes(self, entity: str | None = None) -> int:
        """Bytes written for ``entity``, or for everything."""
        entities = [entity] if entity else list(self.files)
        return sum(w.bytes for e in entities for w in self.files.get(e, []))


def model_stats(model: Model, late_events: int) -> dict[str, float]:
    """Headline figures of the generated world (for the CLI summary)."""
    companies = [o for o in model.orgs if o.kind == "company"]
    accepted = sum(1 for i in model.invites if i.accepted_at is not None)
    return {
        "companies": len(companies),
        "companies_with_users": sum(1 for o in companies if o.users),
        "converted_companies": sum(1 for o in companies if o.converts_at is not None),
        "enterprise_customers": sum(1 for o in companies if o.enterprise_since is not None),
        "invite_acceptance": accepted / len(model.invites) if model.invites else 0.0,
        "late_events": late_events,
    }


def generate(config: GeneratorConfig, out_dir: Path, fmt: str = "csv") -> GenerationResult:
    """Generate the raw files for ``config`` into ``out_dir`` in format ``fmt``."""
    model = build_model(config)
    events = generate_events(model)
    tables = build_tables(model, events)
    dirt = add_dirt(tables, config)
    remove_stale_outputs(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = GenerationResult(out_dir=out_dir, dirt=dirt)
    result.stats = model_stats(model, sum(1 for e in events if e.late))
    for entity in SINGLE_FILE_ENTITIES:
        path = out_dir / f"{entity}.{fmt}"
        result.files[entity] = [write_file(path, COLUMNS[entity], tables.single(entity), fmt)]
    by_day: dict[date, list[Row]] = {}
    for event in tables.events:
        by_day.setdefault(event.day, []).append(event.row)
    result.files["events"] = write_daily(out_dir, COLUMNS["events"], by_day, fmt)
    result.stats["event_names"] = len(Counter(e.name for e in events))
    return result
