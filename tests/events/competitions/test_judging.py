"""Judging: assignment with conflicts of interest, weighted and normalised scores, the ranking cascade, the log."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.competitions.judging import (
    TIE_BREAK,
    Criterion,
    Entry,
    EntryScore,
    Judge,
    NotEnoughJudges,
    NothingToCorrect,
    Pairing,
    Rubric,
    ScoreEvent,
    ScoreEventKind,
    ScoreSheet,
    SheetLocked,
    TieBreak,
    apply_event,
    assign_judges,
    may_judge,
    rank_track,
    replay,
    score_entries,
    z_scores,
)
from server.errors import InvalidInput, problem, status_of

NOON = datetime(2026, 9, 1, 12, tzinfo=UTC)
AI = frozenset({"ai"})


def entry(entry_id: int, organisation: str = "", track: str = "ai", minutes: int = 0) -> Entry:
    return Entry(entry_id, track, organisation, NOON + timedelta(minutes=minutes))


def spread(loads: list[int]) -> int:
    return max(loads) - min(loads)


def track_loads(
    entries: list[Entry], judges: list[Judge], judges_of: dict[int, tuple[int, ...]]
) -> dict[str, list[int]]:
    per_track: dict[str, list[int]] = {}
    for track in {entry.track for entry in entries}:
        count = Counter(judge for entry in entries if entry.track == track for judge in judges_of[entry.id])
        per_track[track] = [count[judge.id] for judge in judges if track in judge.tracks]
    return per_track


# Assignment, by hand


def test_no_judge_of_the_teams_organisation_or_with_a_declared_conflict_is_assigned() -> None:
    judges = [Judge(1, " Inspur  浪潮", AI), Judge(2, "SDU", AI)] + [Judge(i, f"org{i}", AI) for i in range(3, 7)]
    assignment = assign_judges([entry(10, "inspur 浪潮")], judges, [Pairing(2, 10)])
    assert len(assignment.judges_of[10]) == 3
    assert set(assignment.judges_of[10]) <= {3, 4, 5, 6}


def test_judges_only_judge_their_own_tracks() -> None:
    judges = [Judge(i, "", frozenset({"ai"})) for i in range(1, 4)] + [
        Judge(i, "", frozenset({"iot"})) for i in (4, 5, 6)
    ]
    assignment = assign_judges([entry(1), entry(2, track="iot")], judges)
    assert assignment.judges_of == {1: (1, 2, 3), 2: (4, 5, 6)}


def test_blank_organisations_never_count_as_the_same() -> None:
    assignment = assign_judges([entry(1, "  ")], [Judge(i, "", AI) for i in range(3)])
    assert assignment.judges_of[1] == (0, 1, 2)


def test_too_few_eligible_judges_names_the_entry_in_both_languages() -> None:
    judges = [Judge(1, "SDU", AI), Judge(2, "QLU", AI), Judge(3, "Inspur", AI), Judge(4, "Haier", AI)]
    entries = [entry(7, "Inspur"), entry(8, "SDU"), entry(9, "Ping An")]
    with pytest.raises(NotEnoughJudges) as caught:
        assign_judges(entries, judges, [Pairing(4, 8)])
    assert caught.value.entries == [8]
    assert status_of(caught.value) == 409
    assert problem(caught.value, "en").detail == "Entry 8 in track “ai” has only 2 eligible judges; 3 are needed."
    assert problem(caught.value, "zh-CN").detail == "作品 8（赛道“ai”）只有 2 位无利益冲突的评委，至少需要 3 位。"


def test_fewer_than_three_judges_per_entry_is_refused_field_by_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        assign_judges([entry(1)], [Judge(i, "", AI) for i in range(5)], judges_per_entry=2)
    assert [(field.loc, field.msg) for field in problem(caught.value, "en").errors] == [
        (["judges_per_entry"], "Must be at least 3")
    ]


def test_a_rerun_keeps_earlier_pairings_and_only_adds_judges_for_late_entries() -> None:
    judges = [Judge(i, f"org{i}", AI) for i in range(1, 7)]
    first = assign_judges([entry(i) for i in range(1, 5)], judges, seed=3)
    late = assign_judges([entry(i) for i in range(1, 7)], judges, seed=99, existing=first.pairings())
    assert first.pairings() <= late.pairings()
    assert all(len(late.judges_of[i]) == 3 for i in range(1, 7))
    assert spread(track_loads([entry(i) for i in range(1, 7)], judges, late.judges_of)["ai"]) <= 1
    assert late.withdrawn == ()


def test_a_pairing_that_became_conflicted_is_withdrawn_and_replaced() -> None:
    judges = [Judge(i, f"org{i}", AI) for i in range(1, 5)]
    existing = {Pairing(1, 1), Pairing(2, 1), Pairing(3, 1)}
    assignment = assign_judges([entry(1)], judges, [Pairing(2, 1)], existing=existing)
    assert assignment.withdrawn == (Pairing(2, 1),)
    assert assignment.judges_of[1] == (1, 3, 4)


def test_a_judge_with_many_conflicts_carries_less_and_the_others_share_the_rest() -> None:
    # Judge 4 may only take entry 4, so entries 1-3 need judges 1-3 each; the best spread is 4, 4, 3 and 1.
    judges = [Judge(i, f"org{i}", AI) for i in range(1, 5)]
    entries = [entry(i) for i in range(1, 5)]
    conflicts = [Pairing(4, 1), Pairing(4, 2), Pairing(4, 3)]
    assignment = assign_judges(entries, judges, conflicts, seed=5)
    assert 4 in assignment.judges_of[4]
    assert sorted(track_loads(entries, judges, assignment.judges_of)["ai"]) == [1, 3, 4, 4]


def test_greedy_choices_are_repaired_to_the_most_even_spread() -> None:
    # Six judges, two entries: judges 0 and 3 may only take entry 101, judges 1 and 4 only entry 100, so each judge
    # judges exactly once. Greedy alone misses this for some seeds (e.g. 425: loads 2, 1, 1, 1, 0, 0).
    judges = [Judge(i, f"org{i}", AI) for i in range(6)]
    entries = [entry(100), entry(101)]
    conflicts = [Pairing(0, 100), Pairing(3, 100), Pairing(1, 101), Pairing(4, 101)]
    for seed in range(400, 450):
        assignment = assign_judges(entries, judges, conflicts, seed=seed)
        assert track_loads(entries, judges, assignment.judges_of)["ai"] == [1] * 6, seed


# Assignment, properties


@st.composite
def competitions(draw: st.DrawFn, max_entries: int = 25) -> tuple[list[Entry], list[Judge], set[Pairing]]:
    tracks = ["ai", "iot", "bio"][: draw(st.integers(1, 3))]
    organisations = ["SDU", "Inspur", "Haier", "QLU", "Ping An", ""]
    judges = [
        Judge(
            judge_id,
            draw(st.sampled_from(organisations)),
            frozenset(draw(st.sets(st.sampled_from(tracks), min_size=1))),
        )
        for judge_id in range(draw(st.integers(3, 14)))
    ]
    entries = [
        Entry(1000 + index, draw(st.sampled_from(tracks)), draw(st.sampled_from(organisations)), NOON)
        for index in range(draw(st.integers(0, max_entries)))
    ]
    pairs = [Pairing(judge.id, entry.id) for judge in judges for entry in entries]
    conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=12))) if pairs else set()
    return entries, judges, conflicts


@settings(max_examples=300, deadline=None)
@given(competitions(), st.integers(3, 4), st.integers(0, 2**32))
def test_every_entry_gets_exactly_k_eligible_judges_or_the_error_names_a_short_entry(
    competition: tuple[list[Entry], list[Judge], set[Pairing]], k: int, seed: int
) -> None:
    entries, judges, conflicts = competition
    eligible = {entry.id: sum(may_judge(judge, entry, conflicts) for judge in judges) for entry in entries}
    try:
        assignment = assign_judges(entries, judges, conflicts, judges_per_entry=k, seed=seed)
    except NotEnoughJudges as error:
        assert error.entries == sorted(entry_id for entry_id, count in eligible.items() if count < k)
        return
    judge_by_id = {judge.id: judge for judge in judges}
    for item in entries:
        chosen = assignment.judges_of[item.id]
        assert len(chosen) == len(set(chosen)) == k
        assert all(may_judge(judge_by_id[judge_id], item, conflicts) for judge_id in chosen)


@settings(max_examples=200, deadline=None)
@given(competitions(max_entries=40), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_assignment_whatever_the_input_order(
    competition: tuple[list[Entry], list[Judge], set[Pairing]], seed: int, shuffler: random.Random
) -> None:
    entries, judges, conflicts = competition
    try:
        first = assign_judges(entries, judges, conflicts, seed=seed)
    except NotEnoughJudges:
        return
    shuffler.shuffle(entries)
    shuffler.shuffle(judges)
    assert assign_judges(entries, judges, list(conflicts)[::-1], seed=seed) == first


@settings(max_examples=200, deadline=None)
@given(st.integers(3, 15), st.integers(0, 80), st.integers(3, 5), st.integers(0, 2**32), st.data())
def test_without_conflicts_loads_within_a_track_differ_by_at_most_one(
    judge_count: int, entry_count: int, k: int, seed: int, data: st.DataObject
) -> None:
    if judge_count < k:
        k = judge_count
    judges = [
        Judge(i, f"judge-org{i}", frozenset(data.draw(st.sets(st.sampled_from(["ai", "iot"]), min_size=1))))
        for i in range(judge_count)
    ]
    entries = [entry(i, f"team-org{i}", data.draw(st.sampled_from(["ai", "iot"]))) for i in range(entry_count)]
    covered = [item for item in entries if sum(item.track in judge.tracks for judge in judges) >= max(k, 3)]
    if k < 3:
        return
    assignment = assign_judges(covered, judges, judges_per_entry=k, seed=seed)
    for loads in track_loads(covered, judges, assignment.judges_of).values():
        assert spread(loads) <= 1


def most_even_spread(entries: list[Entry], judges: list[Judge], conflicts: set[Pairing], k: int) -> int:
    """The smallest spread of loads any assignment reaches, by walking all reachable load vectors (one track)."""
    index = {judge.id: position for position, judge in enumerate(judges)}
    reachable = {tuple([0] * len(judges))}
    for item in entries:
        eligible = [index[judge.id] for judge in judges if may_judge(judge, item, conflicts)]
        reachable = {
            tuple(load + (position in chosen) for position, load in enumerate(loads))
            for loads in reachable
            for chosen in itertools.combinations(eligible, k)
        }
    return min(spread(list(loads)) for loads in reachable)


@settings(max_examples=300, deadline=None)
@given(st.integers(3, 7), st.integers(1, 6), st.data(), st.integers(0, 2**32))
def test_with_conflicts_the_spread_is_the_smallest_any_assignment_reaches(
    judge_count: int, entry_count: int, data: st.DataObject, seed: int
) -> None:
    judges = [Judge(i, f"org{i}", AI) for i in range(judge_count)]
    entries = [entry(100 + i) for i in range(entry_count)]
    pairs = [Pairing(judge.id, item.id) for judge in judges for item in entries]
    conflicts = set(data.draw(st.lists(st.sampled_from(pairs), max_size=10)))
    try:
        assignment = assign_judges(entries, judges, conflicts, seed=seed)
    except NotEnoughJudges:
        return
    loads = track_loads(entries, judges, assignment.judges_of)["ai"]
    assert spread(loads) == most_even_spread(entries, judges, conflicts, 3)


@settings(max_examples=100, deadline=None)
@given(competitions(max_entries=30), st.integers(0, 30), st.integers(0, 2**32))
def test_a_rerun_with_late_entries_keeps_every_earlier_pairing(
    competition: tuple[list[Entry], list[Judge], set[Pairing]], early: int, seed: int
) -> None:
    entries, judges, conflicts = competition
    try:
        first = assign_judges(entries[:early], judges, conflicts, seed=seed)
        late = assign_judges(entries, judges, conflicts, seed=seed + 1, existing=first.pairings())
    except NotEnoughJudges:
        return
    assert first.pairings() <= late.pairings()
    assert all(len(late.judges_of[item.id]) == 3 for item in entries)


# Scoring, by hand

RUBRIC = Rubric(
    (
        Criterion("innovation", 30, 1, 5, ((1, "常规做法"), (5, "行业首创"))),
        Criterion("feasibility", 50, 0, 10),
        Criterion("team", 20, 1, 5),
    )
)


def sheet(judge: int, entry_id: int, innovation: float, feasibility: float, team: float) -> ScoreSheet:
    return ScoreSheet(judge, entry_id, {"innovation": innovation, "feasibility": feasibility, "team": team})


def test_a_sheet_total_is_the_weighted_share_of_each_scale_out_of_100() -> None:
    # 30 × (4−1)/4 + 50 × 7/10 + 20 × (3−1)/4 = 22.5 + 35 + 10
    assert RUBRIC.total({"innovation": 4, "feasibility": 7, "team": 3}) == pytest.approx(67.5)
    assert RUBRIC.total({"innovation": 1, "feasibility": 0, "team": 1}) == 0
    assert RUBRIC.total({"innovation": 5, "feasibility": 10, "team": 5}) == 100
    assert RUBRIC.key_criterion.key == "feasibility"


def test_raw_and_normalised_means_on_a_hand_computed_table() -> None:
    sheets = [
        # judge 1, generous and wide: totals 100, 50, 0 → mean 50, σ = √(5000/3) = 40.8248 → z = ±1.2247, 0
        sheet(1, 10, 5, 10, 5),
        sheet(1, 11, 3, 5, 3),
        sheet(1, 12, 1, 0, 1),
        # judge 2, harsh: totals 62.5, 32.5 → mean 47.5, σ = 15 → z = +1, −1
        sheet(2, 10, 4, 6, 3),
        sheet(2, 11, 2, 4, 2),
        # judge 3, one sheet: total 50 → z = 0
        sheet(3, 12, 3, 5, 3),
    ]
    scores = score_entries(RUBRIC, sheets)
    z = math.sqrt(1.5)
    assert scores[10] == EntryScore(10, 2, pytest.approx(81.25), pytest.approx((z + 1) / 2), 8)  # type: ignore[arg-type]
    assert scores[11] == EntryScore(11, 2, pytest.approx(41.25), pytest.approx(-0.5), 4.5)  # type: ignore[arg-type]
    assert scores[12] == EntryScore(12, 2, pytest.approx(25.0), pytest.approx(-z / 2), 2.5)  # type: ignore[arg-type]


def test_a_judge_whose_totals_are_all_equal_counts_as_zero() -> None:
    sheets = [sheet(1, 10, 3, 5, 3), sheet(1, 11, 3, 5, 3)]
    totals = {Pairing(1, 10): 50.0, Pairing(1, 11): 50.0}
    assert z_scores(sheets, totals) == {Pairing(1, 10): 0.0, Pairing(1, 11): 0.0}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=2, max_size=8),
    st.floats(0.1, 10),
    st.floats(-50, 50),
)
def test_a_lenient_or_harsh_judge_moves_nobody(totals: list[float], stretch: float, shift: float) -> None:
    sheets = [ScoreSheet(1, entry_id, {}) for entry_id in range(len(totals))]
    plain = z_scores(sheets, {Pairing(1, entry_id): total for entry_id, total in enumerate(totals)})
    moved = z_scores(sheets, {Pairing(1, entry_id): total * stretch + shift for entry_id, total in enumerate(totals)})
    for pairing, value in plain.items():
        assert moved[pairing] == pytest.approx(value, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 9)), min_size=1, max_size=30, unique=True), st.data())
def test_each_judges_z_scores_have_mean_zero_and_spread_one(pairs: list[tuple[int, int]], data: st.DataObject) -> None:
    totals = {Pairing(*pair): data.draw(st.sampled_from([0.0, 12.5, 50.0, 67.5, 100.0])) for pair in pairs}
    normalised = z_scores([ScoreSheet(judge, entry_id, {}) for judge, entry_id in totals], totals)
    for judge in {pairing.judge for pairing in totals}:
        mine = [value for pairing, value in normalised.items() if pairing.judge == judge]
        if len({totals[pairing] for pairing in totals if pairing.judge == judge}) < 2:
            assert mine == [0.0] * len(mine)
        else:
            assert sum(mine) / len(mine) == pytest.approx(0, abs=1e-9)
            assert math.sqrt(sum(value * value for value in mine) / len(mine)) == pytest.approx(1)


def test_a_rubric_with_mistakes_is_refused_field_by_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        Rubric(
            (
                Criterion("innovation", 0, 1, 5),
                Criterion("innovation", 10, 5, 5),
                Criterion("team", 10, 1, 5, ((6, "超出"),)),
            )
        )
    assert [(field.loc, field.msg) for field in problem(caught.value, "en").errors] == [
        (["criteria", 0, "weight"], "Must be greater than 0"),
        (["criteria", 1, "key"], "Each criterion needs its own key"),
        (["criteria", 1, "maximum"], "Must be greater than 5"),
        (["criteria", 2, "anchors", 0], "An anchor must lie on the criterion's scale"),
    ]


def test_a_sheet_with_mistakes_is_refused_field_by_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        RUBRIC.total({"innovation": 0, "feasibility": math.nan, "originality": 3})
    assert [(field.loc, field.msg) for field in problem(caught.value, "zh-CN").errors] == [
        (["scores", "innovation"], "应不小于 1"),
        (["scores", "feasibility"], "应为数字"),
        (["scores", "team"], "此字段为必填项"),
        (["scores", "originality"], "不允许此字段"),
    ]
    with pytest.raises(InvalidInput):
        RUBRIC.total({"innovation": 6, "feasibility": 5, "team": 3})


# Ranking


def test_the_published_cascade_decides_ties_and_says_which_rule_did() -> None:
    entries = [
        entry(1, minutes=60),
        entry(2, minutes=0),
        entry(3, minutes=90),
        entry(4, minutes=0),
        entry(5, minutes=30),
        entry(6),  # no sheet yet
        entry(7, track="iot"),
    ]

    def scored(entry_id: int, normalised: float, key: float) -> EntryScore:
        return EntryScore(entry_id, 3, 70.0, normalised, key)

    scores = {
        5: scored(5, 0.8, 1.0),
        3: scored(3, 0.1 + 0.2 + 0.2, 7.0),  # 0.5000000000000001: float noise is not a higher score
        1: scored(1, 0.5, 6.0),
        2: scored(2, 0.5, 6.0),
        4: scored(4, 0.5, 6.0),
        7: scored(7, 2.0, 9.0),
    }
    ranking = rank_track("ai", entries, scores)
    assert [(place.rank, place.entry, place.decided_by) for place in ranking.ranked] == [
        (1, 5, None),
        (2, 3, TieBreak.NORMALISED_MEAN),
        (3, 2, TieBreak.KEY_CRITERION),
        (4, 4, TieBreak.ENTRY_ID),  # tied with 2 on score, key criterion and submission time
        (5, 1, TieBreak.SUBMITTED_AT),
    ]
    assert ranking.unscored == (6,)
    assert ranking.advancing(3) == (5, 3, 2)
    assert TIE_BREAK == (TieBreak.NORMALISED_MEAN, TieBreak.KEY_CRITERION, TieBreak.SUBMITTED_AT, TieBreak.ENTRY_ID)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([-1.0, 0.0, 0.5]), st.sampled_from([3.0, 7.0]), st.integers(0, 2)), max_size=20)
)
def test_ranks_run_from_one_in_cascade_order_and_name_the_first_rule_that_differs(
    rows: list[tuple[float, float, int]],
) -> None:
    entries = [entry(entry_id, minutes=minutes) for entry_id, (_, _, minutes) in enumerate(rows)]
    scores = {entry_id: EntryScore(entry_id, 3, 50.0, mean, key) for entry_id, (mean, key, _) in enumerate(rows)}
    ranked = rank_track("ai", entries, scores).ranked
    assert [place.rank for place in ranked] == list(range(1, len(rows) + 1))
    assert sorted(place.entry for place in ranked) == list(range(len(rows)))
    for above, below in itertools.pairwise(ranked):
        first, second = rows[above.entry], rows[below.entry]
        keys = [(-first[0], -second[0]), (-first[1], -second[1]), (first[2], second[2]), (above.entry, below.entry)]
        rule = next(index for index, (a, b) in enumerate(keys) if a != b)
        assert keys[rule][0] < keys[rule][1]
        assert below.decided_by is TIE_BREAK[rule]


def test_normalisation_can_reverse_the_raw_order() -> None:
    # Judge 1 (harsh) gives 10 and 12 totals 40 and 20; judge 2 (lenient) gives 11 and 12 totals 90 and 95.
    # Raw means: 10 → 40, 11 → 90, 12 → 57.5. Each judge's z-scores are ±1, so 10 → +1, 11 → −1, 12 → 0.
    sheets = [sheet(1, 10, 1, 8, 1), sheet(1, 12, 1, 4, 1), sheet(2, 11, 5, 10, 3), sheet(2, 12, 5, 10, 4)]
    scores = score_entries(RUBRIC, sheets)
    assert [scores[entry_id].raw_mean for entry_id in (10, 11, 12)] == [40, 90, 57.5]
    assert [scores[entry_id].normalised_mean for entry_id in (10, 11, 12)] == [1, -1, 0]
    ranking = rank_track("ai", [entry(10), entry(11), entry(12)], scores)
    assert [place.entry for place in ranking.ranked] == [10, 12, 11]


# The score log


def event(
    sequence: int, kind: ScoreEventKind, judge: int, entry_id: int, feasibility: float, reason: str = ""
) -> ScoreEvent:
    scores = {"innovation": 3, "feasibility": feasibility, "team": 3}
    return ScoreEvent(sequence, kind, judge, entry_id, scores, NOON + timedelta(minutes=sequence), 90 + judge, reason)


SCORE, CORRECTION = ScoreEventKind.SCORE, ScoreEventKind.CORRECTION


def test_the_current_sheet_is_the_latest_correction_and_the_original_is_kept() -> None:
    log = [
        event(4, CORRECTION, 1, 10, 8, "录入错误：应为 8 分"),
        event(1, SCORE, 1, 10, 2),
        event(2, SCORE, 2, 10, 6),
        event(3, CORRECTION, 1, 10, 7, "评委申请更正"),
    ]
    current = replay(log)
    assert current[Pairing(1, 10)].sheet.scores["feasibility"] == 8
    assert current[Pairing(1, 10)].original.sequence == 1
    assert [correction.sequence for correction in current[Pairing(1, 10)].corrections] == [3, 4]
    assert current[Pairing(2, 10)].sheet.scores["feasibility"] == 6
    assert current[Pairing(2, 10)].corrections == ()


def test_the_log_refuses_a_second_score_a_correction_of_nothing_and_a_correction_without_reason() -> None:
    current = replay([event(1, SCORE, 1, 10, 5)])
    with pytest.raises(SheetLocked) as locked:
        apply_event(current, event(2, SCORE, 1, 10, 9))
    assert problem(locked.value, "en").detail == "Judge 1 has submitted a sheet for entry 10; it can only be corrected."
    with pytest.raises(NothingToCorrect):
        apply_event(current, event(2, CORRECTION, 2, 10, 9, "typo"))
    with pytest.raises(InvalidInput):
        apply_event(current, event(2, CORRECTION, 1, 10, 9, "  "))
    with pytest.raises(ValueError, match="twice"):
        replay([event(1, SCORE, 1, 10, 5), event(1, SCORE, 2, 10, 5)])
