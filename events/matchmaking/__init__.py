"""对接会 matchmaking: the meeting scheduler (CP-SAT) and what a schedule must respect."""
