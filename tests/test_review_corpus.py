"""The reviewer against an expert: precision and recall over the labelled corpus of data/designs/."""

from collections import Counter

import pytest

from apidesign.review import RULE_IDS, load_design
from apidesign.review.corpus import load_labels, score

MIN_PRECISION, MIN_RECALL = 0.90, 0.80


@pytest.fixture(scope="module")
def corpus():
    return load_labels()


def test_the_corpus_has_thirty_designs_over_many_prompts_in_all_three_kinds(corpus):
    assert len(corpus) >= 30
    assert len({d.prompt for d in corpus}) >= 20
    kinds = Counter(d.kind for d in corpus)
    assert set(kinds) == {"careful", "typical", "sloppy"} and min(kinds.values()) >= 8


def test_every_label_names_a_known_rule_and_a_line_of_its_design(corpus):
    for d in corpus:
        design = load_design(d.path)
        lines = {e.line for e in design.endpoints} | {n.text for n in design.notes} | {""}
        assert {rule for rule, _ in d.expected} <= set(RULE_IDS), d.name
        assert {line for _, line in d.expected} <= lines, d.name


def test_every_new_rule_is_exercised_by_the_corpus(corpus):
    labelled = {rule for d in corpus for rule, _ in d.expected}
    assert {"delete-whole-collection", "async-without-status", "webhook-without-signature",
            "privileged-without-authorization", "missing-core-flow", "shared-edit-without-precondition",
            "graphql-without-cost-limit"} <= labelled


@pytest.mark.parametrize("rule, topic", [("shared-edit-without-precondition", r"\b(PUT|PATCH)\b"),
                                         ("graphql-without-cost-limit", "GraphQL")])
def test_chapter_07s_rules_meet_designs_that_need_them_and_designs_that_are_covered(corpus, rule, topic):
    import re
    on_topic = [d for d in corpus if re.search(topic, d.path.read_text(encoding="utf-8"))]
    flagged = [d for d in on_topic if rule in {r for r, _ in d.expected}]
    assert len(flagged) >= 3 and len(on_topic) - len(flagged) >= 3, (rule, len(flagged), len(on_topic))


def test_the_reviewer_agrees_with_the_expert_on_at_least_90_percent_of_what_it_raises_and_finds_80_percent(corpus):
    s = score(corpus)
    assert s.precision >= MIN_PRECISION and s.recall >= MIN_RECALL, s


def test_the_careful_ticket_booking_design_passes_although_its_seat_map_is_an_unpaged_list():
    from apidesign.review import review
    [booking] = [d for d in load_labels() if d.name == "corpus/ticket-booking-careful.md"]
    assert review(load_design(booking.path)) == []


def test_careful_designs_the_rules_were_tuned_on_draw_at_most_one_error_the_expert_would_not_raise(corpus):
    # The one known: weather's "GET /stations/{id}/conditions" reads as a list of conditions, not one snapshot.
    # Held-out designs (and the retired ones, written unseen and never tuned on) are measured, not asserted: a test
    # on them would be tuning on them.
    from apidesign.review import errors, review
    false_alarms = [(d.name, f.rule, f.line) for d in corpus if d.kind == "careful" and not d.held_out
                    and not d.was_held_out
                    for f in errors(review(load_design(d.path))) if (f.rule, f.line) not in d.expected]
    assert len(false_alarms) <= 1, false_alarms


def test_held_out_designs_name_the_reviewer_they_were_written_against_and_cover_both_new_rules(corpus):
    import re
    from apidesign.review.corpus import held_out
    unseen = held_out(corpus)
    assert len(unseen) >= 7 and all(re.fullmatch(r"[0-9a-f]{7,40}", d.held_out) for d in unseen)
    assert len({d.kind for d in unseen}) == 3
    assert {"shared-edit-without-precondition", "graphql-without-cost-limit"} <= {r for d in unseen for r, _ in d.expected}
