"""One Dagster asset per raw entity: load new files from ``PQL_SEEDS_DIR`` into ``raw.*``."""

import dagster as dg

from orchestration.raw.contract import ENTITIES, Entity
from orchestration.raw.loader import FileLoad, load_entity
from orchestration.resources import WAREHOUSE_POOL, RawFilesResource, WarehouseResource


def raw_asset_key(entity_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity_name])


def _file_table(loads: list[FileLoad]) -> dg.TableMetadataValue:
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn("source_file", "string"),
            dg.TableColumn("status", "string"),
            dg.TableColumn("rows_read", "int"),
            dg.TableColumn("rows_inserted", "int"),
            dg.TableColumn("rows_duplicate", "int"),
            dg.TableColumn("rows_rejected", "int"),
        ]
    )
    records = [
        dg.TableRecord(
            {
                "source_file": load.source_file,
                "status": load.status,
                "rows_read": load.rows_read,
                "rows_inserted": load.rows_inserted,
                "rows_duplicate": load.rows_duplicate,
                "rows_rejected": load.rows_rejected,
            }
        )
        for load in loads
    ]
    return dg.MetadataValue.table(records=records, schema=schema)


def build_raw_asset(entity: Entity) -> dg.AssetsDefinition:
    columns = ", ".join(c.name + ("*" if c.required else "") for c in entity.columns)

    @dg.asset(
        key=raw_asset_key(entity.name),
        group_name="raw",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=(
            f"Raw `{entity.name}` loaded from `{entity.name}.csv|jsonl|parquet` or the folder "
            f"`{entity.name}/` in PQL_SEEDS_DIR. Columns (* required): {columns}. "
            f"De-duplicated on {', '.join(entity.natural_key)}; bad rows go to raw.rejects."
        ),
    )
    def load_raw(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        raw_files: RawFilesResource,
    ) -> dg.MaterializeResult:
        def report(load: FileLoad) -> None:
            context.log.info(load.summary())

        with warehouse.connect() as con:
            loads = load_entity(con, raw_files.path, entity, on_file=report)
            (total_rows,) = con.execute(f"SELECT count(*) FROM raw.{entity.name}").fetchall()[0]
        loaded = [load for load in loads if load.status == "loaded"]
        return dg.MaterializeResult(
            metadata={
                "files_loaded": len(loaded),
                "files_skipped": len(loads) - len(loaded),
                "rows_read": sum(load.rows_read for load in loaded),
                "rows_inserted": sum(load.rows_inserted for load in loaded),
                "rows_duplicate": sum(load.rows_duplicate for load in loaded),
                "rows_rejected": sum(load.rows_rejected for load in loaded),
                "dagster/row_count": int(total_rows),
                "files": _file_table(loads),
            }
        )

    return load_raw


def build_reconciliation_check(entity: Entity) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(entity.name),
        name="files_reconcile",
        blocking=True,
        description=(
            "For every loaded file: rows read = rows loaded + rows rejected, and the rows "
            "the log claims were inserted and rejected are really in raw tables."
        ),
    )
    def reconcile(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            mismatches = con.execute(
                f"""
                SELECT log.source_file, log.rows_read, log.rows_loaded, log.rows_rejected,
                       log.rows_inserted, coalesce(loaded.n, 0), coalesce(rejected.n, 0)
                FROM raw.load_log AS log
                LEFT JOIN (
                    SELECT _load_id, count(*) AS n FROM raw.{entity.name} GROUP BY _load_id
                ) AS loaded ON loaded._load_id = log.load_id
                LEFT JOIN (
                    SELECT load_id, count(*) AS n FROM raw.rejects GROUP BY load_id
                ) AS rejected ON rejected.load_id = log.load_id
                WHERE log.entity = $entity
                  AND (log.rows_read <> log.rows_loaded + log.rows_rejected
                       OR log.rows_inserted <> coalesce(loaded.n, 0)
                       OR log.rows_rejected <> coalesce(rejected.n, 0))
                ORDER BY log.load_id
                """,
                {"entity": entity.name},
            ).fetchall()
            (files,) = con.execute(
                "SELECT count(*) FROM raw.load_log WHERE entity = $entity", {"entity": entity.name}
            ).fetchall()[0]
        return dg.AssetCheckResult(
            passed=not mismatches,
            metadata={
                "files_checked": int(files),
                "files_not_reconciled": len(mismatches),
                "first_mismatches": dg.MetadataValue.json(
                    [
                        {
                            "source_file": m[0],
                            "rows_read": m[1],
                            "rows_loaded": m[2],
                            "rows_rejected": m[3],
                            "rows_inserted": m[4],
                            "rows_in_table": m[5],
                            "rows_in_rejects": m[6],
                        }
                        for m in mismatches[:20]
                    ]
                ),
            },
        )

    return reconcile


def build_raw_definitions() -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    return (
        [build_raw_asset(entity) for entity in ENTITIES],
        [build_reconciliation_check(entity) for entity in ENTITIES],
    )
