"""How values travel to PostgreSQL: each model's choices (`TextChoices`, `IntegerChoices`) written as
the plain string or integer they are, found by psycopg at once.

psycopg looks a value's class up in its table of dumpers; a class it does not know, such as an
enumeration of choices, makes it walk the class's ancestors, naming each of them, until it reaches
`str` or `int`, and it does so at every value, never remembering the answer. Every status, action
and role that a write stores is such a value (a filing stores a dozen; decision 0056). Each
connection is told once, when it opens, that they are dumped as their base class is."""

from django.db.backends.signals import connection_created
from django.db.models import Choices
from psycopg.adapt import PyFormat

# Registered in this order, each format ends with the base class's own dumper (the text one, then
# the binary one; the automatic choice last, so that it is the base class's choice too).
_FORMATS = (PyFormat.TEXT, PyFormat.BINARY, PyFormat.AUTO)


def _choices() -> list[tuple[type, type]]:
    """Every enumeration of choices defined so far (the models' are, once the apps are ready), with
    the class whose dumper it takes."""
    found, waiting = [], list(Choices.__subclasses__())
    while waiting:
        cls = waiting.pop()
        waiting.extend(cls.__subclasses__())
        base = next((kind for kind in (str, int) if issubclass(cls, kind)), None)
        if base is not None and cls.__members__:
            found.append((cls, base))
    return found


def choices_dumpers_register(sender, connection, **kwargs) -> None:
    """On a new PostgreSQL connection: each enumeration of choices dumped as its base class is."""
    if connection.vendor != "postgresql":
        return
    adapters = connection.connection.adapters
    for cls, base in _choices():
        for fmt in _FORMATS:
            adapters.register_dumper(cls, adapters.get_dumper(base, fmt))


def db_adapters_connect() -> None:
    connection_created.connect(choices_dumpers_register, dispatch_uid="guichet.choices_dumpers_register")
