"""Use cases, composed from the layers below: the only place that wires store and exchange."""

from crosscheck.service.casework import (
    Imported,
    export_contribution,
    import_package,
    open_store,
)

__all__ = ["Imported", "export_contribution", "import_package", "open_store"]
