"""Text intelligence: identifiers, language, regional variety with its evidence."""
