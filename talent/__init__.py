"""Talent programmes: occupations, programmes, training bases, trainee reports, dashboards."""
