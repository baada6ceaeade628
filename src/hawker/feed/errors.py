"""Front-page error codes."""

from hawker.core.errors import Invalid, NotFound


class UnknownSource(Invalid):
    code = "unknown_source"
    title = "No such content source"


class NoSuchVersion(NotFound):
    code = "no_such_layout_version"
    title = "No such published layout"


class NoSuchSection(Invalid):
    code = "no_such_section"
    title = "No such front-page section"
