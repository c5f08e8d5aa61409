"""Moving data between agencies: contribution packages (and, later, signatures and formats)."""

from crosscheck.exchange.manifest import FORMAT_VERSION, Manifest
from crosscheck.exchange.package_reader import PackageLimits, PackageReader
from crosscheck.exchange.package_writer import write_package

__all__ = ["FORMAT_VERSION", "Manifest", "PackageLimits", "PackageReader", "write_package"]
