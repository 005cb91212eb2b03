"""Versioned on-disk index: one folder per version, a CURRENT pointer, atomic promotion."""
