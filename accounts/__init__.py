"""People: one user model, living in the public schema (our ops staff) and in each town's schema."""
