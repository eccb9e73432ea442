"""Step 1 of the interview, checked: does some endpoint serve each core flow the design states?

A flow is a short sentence, "Cancel a ride" or "An owner reads a device's readings": its verb says
what kind of request serves it (reading is a GET, cancelling a DELETE or an action), its nouns say
on what. An endpoint serves the flow if it names the flow's verb ("Refund a charge" and
``POST /charges/{id}/refund``), or if its method fits the verb and it names one of the nouns.
"""

from __future__ import annotations

import re

from . import language as lang
from . import vocabulary as v
from .design import Design, Endpoint, Note, is_param


def flow_verb(flow: str) -> tuple[str | None, list[str]]:
    """The flow's verb (as a lemma) and the words after it: "Cancel a ride" -> cancel, [a, ride];
    with a subject first, "An owner sets the target" or "Agents see every ticket", the second word."""
    subject, words = split_subject(flow)
    if words and (lang.readings(words[0]).get("VERB") or not lang.known(words[0])):
        return lang.readings(words[0]).get("VERB", (words[0],))[0], words[1:]
    return None, subject + words


def split_subject(flow: str) -> tuple[list[str], list[str]]:
    """The flow's subject, if it names one ("Drivers report where they are" -> [drivers]), and the words after it."""
    words = re.findall(r"[a-z]+", flow.lower())
    subject = bool(words) and (words[0] in ("a", "an", "the") or not lang.readings(words[0]).get("VERB")
                               and lang.is_plural(words[0]))
    words = words[1:] if words and words[0] in ("a", "an", "the") else words
    return (words[:1], words[1:]) if subject else ([], words)


def flow_nouns(words: list[str]) -> set[str]:
    """The nouns a flow is about, as singular lemmas, without the ones too general to tell endpoints apart."""
    return {lang.singular(w) for w in words if lang.is_noun(w) and w not in lang.DETERMINERS
            and w not in v.GENERIC_NOUNS and len(w) > 2}


def endpoint_words(ep: Endpoint) -> set[str]:
    """Every word of a row, in every form it can take: path segments, custom methods, query names, description."""
    text = " ".join([re.sub(r"\{[^}]*\}", " ", ep.path), ep.description])
    return {form for w in lang.split_words(text) for form in lang.lemmas(w)}


def names_verb(verb: str, words: set[str]) -> bool:
    """True if the row names the flow's verb in some form: invite ~ invitations, pay ~ payouts, reply ~ replies."""
    stem = verb[:-1] if verb.endswith("e") and len(verb) > 4 else verb
    return any(w == verb or (len(stem) >= 3 and w.startswith(stem)) for w in words)


def row_verb_reads(ep: Endpoint) -> bool:
    """A GET whose own verb, if it names one, only reads (``GET /orders/{id}/cancel`` does not), or a GraphQL
    endpoint that takes queries."""
    from .rules import operation_verb  # the path's and description's verb, as the other rules read it
    verb = operation_verb(ep)
    return takes_queries(ep) or ep.method == "GET" and (verb is None or verb in v.SAFE_VERBS)


def searches(ep: Endpoint) -> bool:
    """A GET that takes a query: a parameter other than paging (``?q=``, ``?city=``); or a GraphQL endpoint
    that takes queries, whose arguments filter."""
    names = {p.split("=", 1)[0].lower() for p in ep.query.split("&") if p}
    return takes_queries(ep) or ep.method == "GET" and bool(names - v.PAGING_PARAMS)


def is_graphql(ep: Endpoint) -> bool:
    """``POST /graphql``, ``POST /v1/graphql``: the one URL every GraphQL query goes to."""
    return bool(ep.segments) and ep.segments[-1].lower() == "graphql"


def takes_queries(ep: Endpoint) -> bool:
    """A GraphQL endpoint whose row does not say it only writes ("Mutations for the back office", "Back-office
    edits of products" serve no read)."""
    writes_only = graphql_writes(ep.description) and not v.GRAPHQL_READS.search(ep.description)
    return is_graphql(ep) and not writes_only


def graphql_writes(text: str) -> bool:
    """The text says a GraphQL request writes: mutations, "every operation", a mutation's name, or a word that
    writes by its lemma, used as a verb ("Riders book trips", "Reserve a table", "submit answers", "placing
    orders") or naming the act ("money transfers"); a noun for a thing ("books", "past orders") or for what a
    subscription delivers ("Live trip updates") does not write."""
    if v.GRAPHQL_WRITES.search(text) or v.MUTATION_NAME.search(text):
        return True
    for clause in re.split(r"[;,:()]|\bbut\b", text):
        words = re.findall(r"[a-z][a-z'-]*", clause.lower())
        for i, word in enumerate(words):
            prev, after = (words[i - 1] if i else None), words[i + 1:]
            if writes_word(word, prev, after):
                return True
    return False


VERB_BEFORE = frozenset({"and", "or", "to", "can", "may", "will", "must", "who", "they", "we", "you", "i"})


def writes_word(word: str, prev: str | None, after: list[str]) -> bool:
    """The word, between ``prev`` and the words ``after`` it, is a verb that writes or a noun naming a write."""
    readings = lang.readings(word)
    if not set(readings.get("VERB", ())) & v.WRITE_LEMMAS and word not in v.WRITE_LEMMAS:
        return False
    if word.startswith("send") and any(w.startswith("quer") for w in after[:4]):
        return False  # "send a query" reads
    if "NOUN" not in readings:
        return "VERB" in readings  # submit, create, edits, placing: only ever a verb
    if set(readings["NOUN"]) & v.WRITE_ACTION_NOUNS:
        return True  # "money transfers", "purchases": the act of writing
    nxt = after[0] if after else None
    as_verb = (prev is None or prev in VERB_BEFORE or (lang.is_plural(prev) and prev not in lang.DETERMINERS))
    return as_verb and nxt is not None and (nxt in lang.DETERMINERS or lang.is_noun(nxt)) and nxt != "of"


def serves(flow: Note, ep: Endpoint) -> bool:
    """True if the endpoint serves the flow."""
    verb, rest = flow_verb(flow.text)
    words = endpoint_words(ep)
    if verb and names_verb(verb, words):
        return True
    nouns = flow_nouns(rest) | (flow_nouns(split_subject(flow.text)[0]) if verb else set())  # who does it counts
    if nouns and not nouns & words:  # "See who came in today" names nothing to match: its verb decides
        return False
    if verb in v.SEARCH_VERBS:
        return searches(ep)
    if verb in v.READ_VERBS:
        return row_verb_reads(ep)
    return ep.method in v.FLOW_METHODS.get(verb, (ep.method,))


def missing_core_flow(design: Design):
    """Each core flow needs an endpoint: the table exists to serve them."""
    for flow in design.flows:
        if not any(serves(flow, ep) for ep in design.endpoints):
            yield (flow, f"No endpoint serves the core flow '{flow.text}'.",
                   "Add the endpoint this flow needs, or drop the flow from Step 1 if it is out of scope.")
