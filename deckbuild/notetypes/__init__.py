"""Built-in note types: each one is a schema plus a folder of template files (package data).

Each type is one small module (basic_type, reversed_type, cloze_type, typein_type) that
registers its BuiltinNoteType here; the build asks the registry by name, never a chain of
`if type == ...`. A project that names no templates folder and has no templates/ of its
own uses the built-in templates; one without a full [tool.deckbuild.notetype] table gets
the built-in schema. `deckbuild init --templates` copies a folder out for customising,
and templates/<type>/ overrides the built-in files of one of the other types.
"""

from __future__ import annotations

from .registry import REGISTRY, BuiltinNoteType, Registry, Split

# The modules register themselves on import, in this order (basic first: the default).
# isort: off
from . import basic_type, reversed_type, cloze_type, typein_type
# isort: on

BASIC = basic_type.BASIC
BUILTIN: dict[str, BuiltinNoteType] = {nt.key: nt for nt in REGISTRY}
DEFAULT = BASIC
__all__ = ["BASIC", "BUILTIN", "DEFAULT", "REGISTRY", "BuiltinNoteType", "Registry", "Split",
           "cloze_type", "reversed_type", "typein_type"]
