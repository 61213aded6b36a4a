"""Quancheng platform: settings, database, accounts and roles, HTTP conventions, app assembly, CLI."""
