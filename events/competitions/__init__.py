"""Competitions (大赛) and 揭榜挂帅 challenges: set-up, teams, submissions and judging."""
