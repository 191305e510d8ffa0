"""The signed-in person of a request, read in one plain query.

Every authenticated request reads its user (and, in the API, its token) before anything else. Through the ORM
that single row costs more CPU than a whole answer served from the response cache, most of it building the SQL,
so these lookups send fixed SQL and build the instances with `from_db`, as the ORM itself would.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.authtoken.models import Token

User = get_user_model()


def _columns(model, alias):
    fields = model._meta.concrete_fields
    return ", ".join(f'{alias}."{field.column}"' for field in fields), [field.attname for field in fields]


def _converters(model):
    """The database backend's and the fields' own conversions of each column, as the ORM applies them (on SQLite,
    text to aware datetimes and integers to booleans; on PostgreSQL, none for these models)."""
    converters = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((position, column, functions))
    return converters


def _build(model, attnames, values):
    values = list(values)
    converters = _CONVERTERS.get((connection.vendor, model))
    if converters is None:
        converters = _CONVERTERS[connection.vendor, model] = _converters(model)
    for position, column, functions in converters:
        for convert in functions:
            values[position] = convert(values[position], column, connection)
    return model.from_db(connection.alias, attnames, values)


_CONVERTERS = {}
_USER_COLUMNS, _USER_ATTNAMES = _columns(User, "u")
_TOKEN_COLUMNS, _TOKEN_ATTNAMES = _columns(Token, "t")
# Made once from the models' own table and column names; the key or id is always a parameter.
_USER_SQL = f"SELECT {_USER_COLUMNS} FROM {User._meta.db_table} u WHERE u.id = %s"  # noqa: S608
_TOKEN_SQL = (
    f"SELECT {_TOKEN_COLUMNS}, {_USER_COLUMNS} FROM {Token._meta.db_table} t "  # noqa: S608
    f"JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.key = %s"
)


def user_by_pk(pk):
    """The user with this primary key, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_USER_SQL, [pk])
        row = cursor.fetchone()
    return None if row is None else _build(User, _USER_ATTNAMES, row)


def token_with_user(key):
    """The API token with this key, its `user` already read, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(_TOKEN_ATTNAMES)
    token = _build(Token, _TOKEN_ATTNAMES, row[:width])
    token.user = _build(User, _USER_ATTNAMES, row[width:])
    return token


class UserBackend(ModelBackend):
    """Django's model backend, reading the signed-in person of each request with the plain query above."""

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = user_by_pk(pk)
        return user if self.user_can_authenticate(user) else None
