"""Reading and writing many rows at once, at the cost of a few statements whatever their number.

A chase sweep handles hundreds of rows per batch. On SQLite (in-process) SQLAlchemy's ``executemany`` is
already cheap. On PostgreSQL it is not: psycopg sends one statement per row, and an ``IN`` list or a
multi-row ``VALUES`` renders a new statement text with a placeholder per value, which SQLAlchemy and
psycopg then process in Python. So on PostgreSQL these helpers hand-write what SQLAlchemy has no construct
for: ``COPY`` for inserts (psycopg formats its rows in C), ``UPDATE ... FROM unnest(arrays)`` for updates
and ``= ANY(array)`` for lists of ids: one parameter per column, not one per value. On SQLite they hand the
driver's ``executemany`` plain tuples: SQLAlchemy would rebuild each row's parameters through its compiled
statement, a cost per row the sqlite3 module does not need.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, any_, bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Compiled
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler

from storage.models import Base

Row = Mapping[str, Any]
Processor = Callable[[Any], Any] | None


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


def _processors(table: Table, columns: Sequence[str], dialect: Dialect) -> list[Processor]:
    """Each column's bind processing on this dialect (UTC datetimes, JSON), as SQLAlchemy applies it."""
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def _values(row: Row, columns: Sequence[str], processors: Sequence[Processor]) -> tuple[Any, ...]:
    return tuple(p(row[name]) if p else row[name] for name, p in zip(columns, processors, strict=True))


def _positions(compiled: Compiled) -> list[str]:
    """The bound parameters' names in the order of the statement's ``?`` placeholders (SQLite's paramstyle)."""
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
    return list(compiled.positiontup)


@functools.lru_cache(maxsize=256)
def _sqlite_insert(table: Table, columns: tuple[str, ...], dialect: Dialect) -> tuple[str, list[str], list[Processor]]:
    """An INSERT of these columns as SQLite's driver takes it: its text, the columns in placeholder order and
    their bind processing. Compiled once per shape: every change inserts its event this way, and compiling
    costs more than the insert."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = _positions(compiled)
    return str(compiled), order, _processors(table, order, dialect)


def insert_rows(connection: Connection, model: type[Base], rows: Sequence[Row]) -> None:
    """Insert rows (all with the same keys) in the connection's transaction: ``COPY`` on PostgreSQL."""
    if not rows:
        return
    table = _table(model)
    dialect = connection.dialect
    columns = list(rows[0])
    if dialect.name != "postgresql":
        sql, order, in_order = _sqlite_insert(table, tuple(columns), dialect)
        connection.exec_driver_sql(sql, [_values(row, order, in_order) for row in rows])
        return
    # Each column's own bind processing (UTC datetimes, JSON), as an INSERT through SQLAlchemy applies it.
    processors = _processors(table, columns, dialect)
    quote = dialect.identifier_preparer
    sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(_values(row, columns, processors))
    except dialect.loaded_dbapi.Error as error:  # raised as SQLAlchemy raises its own (IntegrityError, ...)
        raise DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True) from error


@functools.lru_cache(maxsize=256)
def _sqlite_update(
    table: Table, key: str, columns: tuple[str, ...], shared: tuple[str, ...], dialect: Dialect
) -> tuple[str, list[str], list[Processor], list[bool]]:
    """An UPDATE by ``key`` as SQLite's driver takes it, compiled once per shape: its text, the columns in
    placeholder order, their bind processing, and which are each row's own (the rest are ``shared``)."""
    compiled = (
        update(table)
        .where(table.c[key] == bindparam(f"b_{key}"))
        .values({**{name: bindparam(f"b_{name}") for name in columns}, **{n: bindparam(f"s_{n}") for n in shared}})
        .compile(dialect=dialect)
    )
    order = _positions(compiled)
    names = [name[2:] for name in order]
    return str(compiled), names, _processors(table, names, dialect), [name.startswith("b_") for name in order]


def update_rows(
    connection: Connection, model: type[Base], key: str, rows: Sequence[Row], same: Row | None = None
) -> None:
    """Update rows found by ``key``: each row holds the key and the new values of the same columns; ``same``
    holds values set on every row."""
    if not rows:
        return
    table = _table(model)
    columns = [name for name in rows[0] if name != key]
    dialect = connection.dialect
    if dialect.name != "postgresql":
        # Each row's values bound as ``b_<column>``, the shared ones as ``s_<column>`` (processed once): a
        # bound parameter may not take a column's name in an UPDATE.
        shared = dict(same or {})
        sql, names, processors, mine = _sqlite_update(table, key, tuple(columns), tuple(shared), dialect)
        fixed = {
            name: p(shared[name]) if p else shared[name]
            for name, p, own in zip(names, processors, mine, strict=True)
            if not own
        }
        params = [
            tuple(
                (p(row[name]) if p else row[name]) if own else fixed[name]
                for name, p, own in zip(names, processors, mine, strict=True)
            )
            for row in rows
        ]
        connection.exec_driver_sql(sql, params)
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
