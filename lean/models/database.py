"""The database object and the declarative base every model derives from.

It is here, with the models and below the rest of the app, so that the models import nothing of
the app; lean/core/extensions.py binds it and configures SQLite's connections.
"""

from typing import TYPE_CHECKING, ClassVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that migrations can alter and drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as FlaskSQLAlchemyModel

    # mypy takes no instance attribute as a base class. db.Model is Base's body with
    # Flask-SQLAlchemy's Model mixed in, which this class spells out to it.
    class Model(FlaskSQLAlchemyModel, Base):
        __abstract__ = True
        __table__: ClassVar[Table]  # each model is mapped to a table of its own

else:
    Model = db.Model
