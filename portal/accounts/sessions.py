"""Django's database sessions, each request's session read with one plain query instead of the ORM's.

Every signed-in page reads its session first; building that one-row query through the ORM costs more CPU than
answering the page from the response cache does. Writing, expiry and clearing are Django's own.
"""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
