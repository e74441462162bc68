"""Query expressions shared by the apps."""

from django.db.models import BooleanField, F, Func


class OneOf(Func):
    """`column IN (values)` for a large list: on PostgreSQL `column = ANY(%s)` with the values as
    one array parameter. psycopg binds parameters on the client and parses the statement for
    each placeholder, which for a thousand keys costs more than the database's answer."""

    output_field = BooleanField()

    def __init__(self, column: str, values):
        super().__init__(F(column))
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", (*params, self.values)
        if not self.values:
            return "1 = 0", tuple(params)
        placeholders = ", ".join(["%s"] * len(self.values))
        return f"{column} IN ({placeholders})", (*params, *self.values)
