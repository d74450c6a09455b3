"""The compatibility name: ``import cityflow`` runs CityFlow code on citybrain's twin.

Installed beside ``citybrain`` (see README, "Python"). Only CityFlow's public names are here;
everything else is in ``citybrain``.
"""

from citybrain import Archive, Engine  # noqa: F401

__version__ = "0.1.0-citybrain"
