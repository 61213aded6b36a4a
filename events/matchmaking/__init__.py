"""AI赋能 matchmaking: the resource pool of scenario needs and solutions, and 对接会 meeting schedules."""
