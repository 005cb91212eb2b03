"""Admin knowledge operations: add, remove, rebuild, roll back — safely, with an audit log."""
