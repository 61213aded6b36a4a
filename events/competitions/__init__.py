"""Competitions (大赛, 揭榜挂帅): the judging core and submission file storage.

`judging` holds pure functions over typed inputs (assignment, scoring, ranking, the score log); `storage` keeps
submitted files. Models, routes and pages build on them.
"""
