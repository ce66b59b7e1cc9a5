"""Synthetic raw data for the PQL warehouse: a deterministic bottom-up adoption world.

``python -m orchestration.synthetic --seed 7 --out seeds/ --format csv`` writes users,
accounts, memberships, invites, subscriptions and daily event drops in the raw data
contract of PRODUCT.md section 5 (see :mod:`.generator` for the model, :mod:`.activity`
for usage, :mod:`.dirt` for the deliberate contract breaks, :mod:`.writers` for files).

Use :func:`generate` from code; the same :class:`GeneratorConfig` always produces
byte-identical files.
"""

from orchestration.synthetic.catalog import EVENT_CATALOG, UNCATALOGUED_EVENT, write_catalog
from orchestration.synthetic.generator import GeneratorConfig
from orchestration.synthetic.run import GenerationResult, generate

__all__ = [
    "EVENT_CATALOG",
    "UNCATALOGUED_EVENT",
    "GenerationResult",
    "GeneratorConfig",
    "generate",
    "write_catalog",
]
