"""Name rules: the forms of names deduce misses, and the checks that keep places and words.

Names come from deduce (`pipeline.scrub.deduce`), from the rules here for forms deduce
misses, and, when the caller passes a spaCy pipeline with NER, from its PER entities.
deduce finds capitalised names (first + last, tussenvoegsels, initials, titles, a first
name alone in context) but not lowercase names or a surname with a capitalised
tussenvoegsel and no first name ("Van der Meer", "De Vries zei"); `find_rule_names` adds
those. A title before the name is kept ("mevrouw [NAAM]").

Name spans are checked against deduce's place list and a few regional words, because
many Dutch places and rivers are names too ("Ede", "Veenendaal", "de Maas", "het Rijk"):
such a span is dropped unless a title introduces it, and so is a lone capitalised word
opening a sentence that is not a first name ("Spin in het web."). The cost: a surname
alone that is also a place, or alone at the start of a sentence, is not scrubbed.
Lowercase names are found only as "first name + surname" pairs from deduce's lists
(or after "bel/mail/vraag", "mevrouw/meneer"); a lowercase surname that is also a common
word behind nothing or "de" ("karin bos", "rutger de haan") is missed.
"""

from __future__ import annotations

import re
from typing import Iterable

from pipeline.scrub.deduce import name_lists
from pipeline.scrub.patterns import CAP, INTERFIX, UPPER
from pipeline.scrub.placeholders import Span

_PERSON_TITLES = r"(?:mevrouw|mevr\.?|mw\.?|meneer|mijnheer|dhr\.?|de\s+heer|mej\.?|mr\.|dr\.|drs\.|ir\.|ing\.|prof\.)"
_ROLE_TITLES = (r"(?:collega|wethouder|burgemeester|gedeputeerde|directeur|teamleider|manager|voorzitter|secretaris"
                r"|raadslid|griffier|projectleider|programmamanager|coördinator|coordinator|adviseur|minister"
                r"|staatssecretaris|commissaris|beleidsmedewerker|contactpersoon|ambtenaar|secretaresse)")
_INITIALS = rf"(?:[{UPPER}]\.\s?){{1,4}}"
_NAME_BODY = rf"(?:{_INITIALS}\s*)?(?:{CAP}\s+)?(?:(?:{INTERFIX}|[VD]an|De|Der|Den|Ter|Ten|Van)\s+)*{CAP}"
_TITLE_NAME = re.compile(
    rf"(?i:\b(?P<title>{_PERSON_TITLES}|{_ROLE_TITLES}))[\s:]+(?P<name>{_NAME_BODY})")
_LEADING_TITLE = re.compile(
    rf"^(?i:(?:{_PERSON_TITLES}|{_ROLE_TITLES}|bacc\.?|bc\.?|ds\.?|lec\.?|kand\.?|dra\.?)(?![^\W\d_]))[\s:]*")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_INTERFIX_WORDS = {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "op", "in", "la", "le", "du", "el",
                   "da", "di", "dos", "von", "zur", "aan", "uit", "bij"}
# Capitalised words after a role word that are departments or portfolios, not names.
_NOT_NAMES = {"gemeente", "gemeenten", "provincie", "regio", "rijk", "raad", "college", "bestuur", "team", "afdeling",
              "bedrijfsvoering", "wonen", "economie", "ruimte", "financiën", "financien", "jeugd", "zorg", "onderwijs",
              "mobiliteit", "verkeer", "sociaal", "domein", "fysiek", "veiligheid", "cultuur", "sport", "energie",
              "klimaat", "duurzaamheid", "communicatie", "personeel", "hr", "ict", "openbare", "orde", "ggd",
              "binnenlandse", "zaken", "bzk", "ezk", "i&w", "lnv", "vws", "ocw", "ministerie", "de", "het", "een"}


# Rivers, landscapes and other words in regional documents that deduce's lists hold as names.
_REGIONAL_WORDS = {"rijk", "maas", "waal", "rijn", "ijssel", "lek", "linge", "merwede", "schelde", "vecht", "eem",
                   "amstel", "dommel", "berkel", "regge", "dinkel", "roer", "geul", "waard", "kern", "veluwe",
                   "betuwe", "kempen", "peel", "gooi", "zaan", "zaanstreek", "delta"}


def core_words(name: str) -> list[str]:
    """The name's words without titles, initials and tussenvoegsels."""
    name = _LEADING_TITLE.sub("", name)
    return [w for w in _WORD.findall(name) if w.lower() not in _INTERFIX_WORDS and len(w) > 1]


def _is_place(name: str, lists: dict[str, frozenset[str]]) -> bool:
    """A place or region name rather than a person: "Ede", "Van Houten", "Parkstad Limburg".

    True when the words (without tussenvoegsels) are a place name, or when one of them is
    and nothing marks a person: no known first name, no initial.
    """
    words = [w for w in _WORD.findall(name) if w.lower() not in _INTERFIX_WORDS]
    if not words:
        return False
    if " ".join(words).lower() in lists["place"] or " ".join(name.split()).lower() in lists["place"]:
        return True
    person = any(len(w) == 1 or w.lower() in lists["first"] for w in words)
    return not person and any(w.lower() in lists["place"] for w in words)


def _is_word(name: str, lists: dict[str, frozenset[str]]) -> bool:
    """A one-word 'name' that is a common word or a regional term: "het Rijk", "de Maas"."""
    words = [w.lower() for w in _WORD.findall(name) if w.lower() not in _INTERFIX_WORDS]
    return len(words) == 1 and any(words[0] in vocab for vocab in (lists["common"], _NOT_NAMES, _REGIONAL_WORDS))


def _title_before(text: str, start: int) -> str:
    """The person title or role word right before `start`, or ''."""
    m = re.search(rf"(?i:\b(?:{_PERSON_TITLES}|{_ROLE_TITLES}))[\s:]*$", text[max(0, start - 25):start])
    return m.group().strip() if m else ""


def _sentence_start(text: str, pos: int) -> bool:
    return re.search(r"(^|[.!?:;]\s*|\n\s*)$", text[:pos]) is not None


def clean_name_spans(text: str, spans: Iterable[Span], lists: dict[str, frozenset[str]]) -> list[Span]:
    """Trim a leading title off name spans ("mevrouw [NAAM]") and drop bare place names."""
    out = []
    for s in spans:
        chunk = text[s.start:s.end]
        m = _LEADING_TITLE.match(chunk)
        start = s.start + (m.end() if m else 0)
        title = chunk[:m.end()] if m and m.end() else _title_before(text, s.start)
        # "mevrouw Van Houten" is a person; "de wethouder van Ede" is about a place.
        titled = bool(title) and (re.match(_PERSON_TITLES, title, re.IGNORECASE) is not None
                                  or text[start:start + 1].isupper())
        end = s.end
        while start > 1 and text[start - 1] in "-‐" and text[start - 2].isalpha():  # "Mei-[Ling Tan]"
            start -= 1
            while start > 0 and text[start - 1].isalpha():
                start -= 1
        while end + 1 < len(text) and text[end] in "-‐" and text[end + 1].isupper():  # "[Jan]-Willem"
            end += 1
            while end < len(text) and text[end].isalpha():
                end += 1
        chunk = text[start:end].rstrip(" ,.;:")
        sentence_start = _sentence_start(text, start)
        # deduce joins a capitalised word left of a first name: "Volgens Mirjam".
        head = re.match(r"([^\W\d_]+)\s+(?=\S)", chunk)
        if head and not titled:
            word = head.group(1).lower()
            if (word not in lists["first"] and word not in _INTERFIX_WORDS
                    and (word in lists["common"] or (sentence_start and word not in lists["surname"]))):
                start += head.end()
                chunk = chunk[head.end():]
                sentence_start = False
        end = start + len(chunk)
        if not chunk or not any(ch.isalpha() for ch in chunk):
            continue
        if not titled and (_is_place(chunk, lists) or _is_word(chunk, lists)):
            continue
        # One capitalised word opening a sentence that is no first name is too often just a
        # word that is also a surname: "Spin in het web.", "Pas toen ...", "Kern: ...".
        if not titled and sentence_start and " " not in chunk and chunk.lower() not in lists["first"]:
            continue
        out.append(Span(start, end, "NAAM"))
    return out


def find_rule_names(text: str, lists: dict[str, frozenset[str]] | None = None) -> list[Span]:
    """Names deduce tends to miss.

    - a title or role word followed by a capitalised name ("wethouder Hoekstra");
    - a person title followed by a lowercase name ("mevrouw de vries", "meneer jansen");
    - a surname with a capitalised tussenvoegsel ("Van der Meer", "De Vries zei");
    - a lowercase first name + surname ("sanne de vries"), or a lowercase first name after
      "bel/mail/app/vraag" ("bel sanne even"), using deduce's name lists.
    """
    lists = lists if lists is not None else name_lists()
    spans = []
    for m in _TITLE_NAME.finditer(text):
        name = m.group("name")
        words = core_words(name)
        if not words or words[0].lower() in _NOT_NAMES:
            continue
        if re.fullmatch(_ROLE_TITLES, m.group("title"), re.IGNORECASE):
            if name.split()[0] in _INTERFIX_WORDS:
                continue  # "de burgemeester van Ede": after a role word a name has "Van", not "van"
            # "wethouder Wonen": after a role word a capitalised word is a name only when it
            # is a known name or a tussenvoegsel/initial introduces it.
            known = any(w.lower() in lists["first"] or w.lower() in lists["surname"] for w in words)
            introduced = re.match(rf"(?:{_INITIALS}|(?:Van|De|Der|Den|Ter|Ten|El)\s)", name) is not None
            if not (known or introduced) or (not introduced and _is_place(name, lists)):
                continue
        spans.append(Span(m.start("name"), m.end("name"), "NAAM"))
    for m in _TITLE_LOWER.finditer(text):
        end = _lower_name_end(text, m.end(), lists, surname_only=True)
        if end:
            spans.append(Span(m.end(), end, "NAAM"))
    for m in _CALL_VERB.finditer(text):
        end = _lower_name_end(text, m.end(), lists, first_only=True)
        if end:
            spans.append(Span(m.end(), end, "NAAM"))
    for m in _CAP_INTERFIX_NAME.finditer(text):
        name, last = m.group(), m.group("last").lower()
        place = (" ".join(name.split()).lower() in lists["place"]
                 or (last in lists["place"] and last not in lists["surname"]))
        if last in _NOT_NAMES or place:  # "Den Haag", "Ter Apel", "Van Utrecht tot Ede"
            continue
        sentence_start = _sentence_start(text, m.start())
        weak = m.group("interfix") in ("De", "Den", "Der") or (sentence_start and m.group("interfix") != "Van")
        if weak and not (last in lists["surname"] and last not in lists["common"]):
            continue  # "De Nieuwe Route", "De Kern": an article, not a surname
        spans.append(Span(m.start(), m.end(), "NAAM"))
    pos = 0
    while (m := _LOWER_WORD.search(text, pos)) is not None:  # "sanne de vries", "joost bakker"
        end = _lower_name_end(text, m.start(), lists)
        if end:
            spans.append(Span(m.start(), end, "NAAM"))
            pos = end
        else:
            pos = m.end()
    return spans


_TITLE_LOWER = re.compile(rf"(?i:\b(?:{_PERSON_TITLES}))\s+(?=[a-z])")
_CALL_VERB = re.compile(r"\b(?:bel|mail|app|sms|whatsapp|vraag|spreek)\s+(?=[a-z])")
_CAP_INTERFIX_NAME = re.compile(
    rf"(?<![\w'’])(?P<interfix>Van|De|Den|Der|Ter|Ten|El)(?:\s+(?:der|den|de|het|'t))?\s+(?P<last>{CAP})")
_LOWER_WORD = re.compile(r"(?<![\w@.\-])[a-z]{3,}(?![\w@\-])")
_LOWER_TOKENS = re.compile(r"(?:[a-z]+|'t)(?:\s+(?:[a-z]+|'t)){0,4}")


def _lower_name_end(text: str, pos: int, lists: dict[str, frozenset[str]], surname_only: bool = False,
                    first_only: bool = False) -> int | None:
    """End of a lowercase name at `pos`: [first name] [tussenvoegsels] surname, or None.

    Without `surname_only` the name must start with a first name that is not a common
    word; `first_only` accepts a first name alone (after "bel", "mail").
    """
    m = _LOWER_TOKENS.match(text, pos)
    if not m:
        return None
    toks = [(t.start() + pos, t.end() + pos, t.group()) for t in re.finditer(r"\S+", m.group())]
    first, surname, common = lists["first"], lists["surname"], lists["common"]
    is_first = toks[0][2] in first and toks[0][2] not in common and toks[0][2] not in _INTERFIX_WORDS
    if first_only:
        return toks[0][1] if is_first else None
    best = None
    for i in ([0] if surname_only else []) + ([1] if is_first else []):
        j = i
        while j < len(toks) and toks[j][2] in _INTERFIX_WORDS:
            j += 1
        if j < len(toks) and toks[j][2] in surname and toks[j][2] not in _INTERFIX_WORDS:
            # A surname that is also a common word ("berg", "haar") only counts behind a
            # surname tussenvoegsel ("van den berg", "ter haar"), not behind an article
            # ("ken de mensen") or nothing ("meneer haar").
            between = [t[2] for t in toks[i:j]]
            if toks[j][2] not in common or (between and between not in (["de"], ["het"], ["in"], ["op"], ["te"])):
                best = max(best or 0, toks[j][1])
    return best
