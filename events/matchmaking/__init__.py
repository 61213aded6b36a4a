"""对接会 matchmaking: the resource pool of needs and solutions, and the meeting scheduler (CP-SAT)."""
