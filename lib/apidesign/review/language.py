"""English for the reviewer: split a path segment into words, and ask a lexicon what each word is.

A path is read the way a person reads it: ``sendMessage``, ``send-message`` and ``sendmessage``
are the words *send message*; *send* is a verb, *messages* a plural noun, *status* a singular one.
The lexicon and the inflections come from ``lemminflect`` (a word list with parts of speech and
English inflection rules), the splitting of run-together words from ``wordsegment`` (word
frequencies of an English corpus). Words neither knows (``graphql``, ``oauth``) are names, and
names are judged by their spelling alone.
"""

from __future__ import annotations

import re
from functools import cache

import lemminflect
import wordsegment

DETERMINERS = frozenset({"a", "an", "the", "my", "your", "our", "their", "his", "her", "its", "this", "that",
                         "these", "those", "all", "every", "each", "one", "some", "any", "only", "up", "out",
                         "to", "as", "in", "on", "for", "from", "with", "it", "them", "me", "us", "him"})


@cache
def _segmenter() -> None:
    wordsegment.load()  # loads the unigram and bigram counts once, on first use


def split_words(token: str) -> list[str]:
    """``sendMessage`` / ``send-message`` / ``send_message`` / ``sendmessage`` -> ``['send', 'message']``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", token)
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]
    return [part for w in words for part in unglue(w)]


@cache
def unglue(word: str) -> tuple[str, ...]:
    """A run-together word split into known words (``getproducts`` -> get, products); kept whole if it is one."""
    if known(word) or not word.isalpha():
        return (word,)
    _segmenter()
    parts = wordsegment.segment(word)
    return tuple(parts) if len(parts) > 1 and all(known(p) and len(p) > 1 for p in parts) else (word,)


@cache
def readings(word: str) -> dict[str, tuple[str, ...]]:
    """The parts of speech a word can have, each with its lemmas: ``settings`` -> ``{'NOUN': ('setting',)}``."""
    return dict(lemminflect.getAllLemmas(word.lower()))


def known(word: str) -> bool:
    """True if the lexicon has the word (as any part of speech)."""
    return bool(readings(word))


def is_base_verb(word: str) -> bool:
    """True if the word can be a verb in its base form (``send``, ``cancel``; not ``sent`` or ``liked``)."""
    return word in readings(word).get("VERB", ())


def is_noun(word: str) -> bool:
    """True if the word can be a noun; a word the lexicon does not know is taken for a name (a noun)."""
    return "NOUN" in readings(word) or not known(word)


def is_verb_only(word: str) -> bool:
    """A word that can only be a verb: ``subscribe``, ``retry``, ``extend`` (not ``request``, ``top``, ``like``)."""
    return set(readings(word)) == {"VERB"} and is_base_verb(word)


def is_plural(word: str) -> bool:
    """True for a plural noun: ``settings``, ``replies``, ``data``, ``media``, ``news``; not ``status``."""
    lemmas = readings(word).get("NOUN")
    if not lemmas:
        return not known(word) and word.endswith("s") and not word.endswith(("ss", "us", "is"))
    if word not in lemmas:
        return True
    others = [l for l in lemmas if l != word]  # data is also the plural of datum, media of medium
    return (any(word in lemminflect.getInflection(l, "NNS") for l in others)
            or lemminflect.getInflection(word, "NNS")[:1] == (word,))  # news, series: the plural is the word


def singular(word: str) -> str:
    """The singular of a noun (``replies`` -> ``reply``, ``data`` -> ``datum``); the word itself otherwise."""
    lemmas = readings(word).get("NOUN")
    if lemmas:
        return lemmas[0] if word not in lemmas else word
    return word[:-1] if is_plural(word) else word


def plural(word: str) -> str:
    """The plural of a noun: ``booking`` -> ``bookings``, ``reply`` -> ``replies``; a plural is kept."""
    if is_plural(word):
        return word
    return lemminflect.getInflection(word, "NNS")[0] if known(word) else word + "s"


def lemmas(word: str) -> set[str]:
    """The word and every lemma it can have (``rating`` -> rating, rate), to match words across forms."""
    return {word, *(l for ls in readings(word).values() for l in ls), singular(word)}


def imperative(description: str) -> str | None:
    """The verb a description starts with, if it reads as a command (``Cancel an order`` -> ``cancel``).

    A command's verb is followed by its object's determiner, a pronoun or a particle: ``Order a
    taxi`` and ``Redirect to the URL`` are commands, ``Order status``, ``Log lines`` and ``Progress: ...``
    noun phrases.
    """
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", description.lower())
    if len(words) < 2 or not is_base_verb(words[0]) or re.match(r"\s*[A-Za-z'-]+\s*:", description):
        return None  # "Progress: the parts ..." is a label, not a command
    return words[0] if words[1] in DETERMINERS else None


def used_as_noun(word: str, text: str) -> bool:
    """True if the text puts a determiner before the word: "The top 100 of a season" uses *top* as a noun."""
    return bool(re.search(rf"\b(the|a|an|its|their|my|your|this)\s+{re.escape(word)}\b", text, re.I))
