"""Reading and writing many rows at once, at the cost of a few statements whatever their number.

A chase sweep handles hundreds of rows per batch. On SQLite (in-process) SQLAlchemy's ``executemany`` is
already cheap. On PostgreSQL it is not: psycopg sends one statement per row, and an ``IN`` list or a
multi-row ``VALUES`` renders a new statement text with a placeholder per value, which SQLAlchemy and
psycopg then process in Python. So on PostgreSQL these helpers hand-write what SQLAlchemy has no construct
for: ``COPY`` for inserts (psycopg formats its rows in C), ``UPDATE ... FROM unnest(arrays)`` for updates
and ``= ANY(array)`` for lists of ids: one parameter per column, not one per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, any_, bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import ColumnElement

from storage.models import Base

Row = Mapping[str, Any]


def among(
    column: ColumnElement[Any] | QueryableAttribute[Any], values: Iterable[Any], session: Session
) -> ColumnElement[bool]:
    """``column IN (values)`` for a query in ``session``, as ``column = ANY(:array)`` on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.expression.type)))
    return column.in_(list(values))


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_rows(connection: Connection, model: type[Base], rows: Sequence[Row]) -> None:
    """Insert rows (all with the same keys) in the connection's transaction: ``COPY`` on PostgreSQL."""
    if not rows:
        return
    table = _table(model)
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    dialect = connection.dialect
    columns = list(rows[0])
    # Each column's own bind processing (UTC datetimes, JSON), as an INSERT through SQLAlchemy applies it.
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    quote = dialect.identifier_preparer
    sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([p(row[name]) if p else row[name] for name, p in zip(columns, processors, strict=True)])
    except dialect.loaded_dbapi.Error as error:  # raised as SQLAlchemy raises its own (IntegrityError, ...)
        raise DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True) from error


def update_rows(
    connection: Connection, model: type[Base], key: str, rows: Sequence[Row], same: Row | None = None
) -> None:
    """Update rows found by ``key``: each row holds the key and the new values of the same columns; ``same``
    holds values set on every row."""
    if not rows:
        return
    table = _table(model)
    columns = [name for name in rows[0] if name != key]
    if connection.dialect.name != "postgresql":
        # A bound parameter may not take a column's name in an UPDATE: prefix them.
        statement = (
            update(table)
            .where(table.c[key] == bindparam(f"b_{key}"))
            .values({**{name: bindparam(f"b_{name}") for name in columns}, **(same or {})})
        )
        connection.execute(statement, [{f"b_{name}": value for name, value in row.items()} for row in rows])
        return
    arrays = [
        bindparam(f"rows_{name}", [row[name] for row in rows], type_=ARRAY(table.c[name].type))
        for name in (key, *columns)
    ]
    source = func.unnest(*arrays).table_valued(key, *columns, name="rows").render_derived()
    connection.execute(
        update(table)
        .where(table.c[key] == source.c[key])
        .values({**{name: source.c[name] for name in columns}, **(same or {})})
    )
