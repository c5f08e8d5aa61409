"""Our lexicon of regional markers: grammar and words that point to one variety.

Written for crosscheck from dialectology facts (the Diccionario panhispánico
de dudas, reference grammars; compiled in ../shared/data/lang/markers.tsv;
the few French ones from the Office québécois de la langue française's
well-known recommendations: courriel, fin de semaine, magasiner).
On short texts markers fire rarely, but with high precision: they explain a
decision more than they make it. Each has a weight in log-odds points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Marker:
    language: str
    points_to: str  # a variety tag; es-419 = Latin America as a whole
    pattern: re.Pattern[str]
    weight: float
    note: str


def _m(language: str, points_to: str, regex: str, weight: float, note: str) -> Marker:
    return Marker(language, points_to, re.compile(regex, re.IGNORECASE), weight, note)


MARKERS: tuple[Marker, ...] = (
    # móvil, conducir and the vocative tío/tía were dropped: right on 40-52 % of the training
    # texts they fired on (eval/eval_markers.py): Latin American texts use them too
    # Spanish of Spain
    _m(
        "es", "es-ES", r"\bvosotr[oa]s\b|\bvuestr[oa]s?\b", 3.0, "vosotros (Latin America: ustedes)"
    ),
    _m(
        "es",
        "es-ES",
        r"\b(?!seis\b|veintiséis\b|dieciséis\b)\w{2,}(?:áis|éis)\b",
        2.5,
        "vosotros verb form",
    ),
    _m(
        "es",
        "es-ES",
        r"\b\w{3,}(?:asteis|isteis|íais|aríais|eríais|iríais)\b",
        2.5,
        "vosotros past/conditional",
    ),
    _m("es", "es-ES", r"\bos\s+(?:\w+)\b", 1.0, "clitic os"),
    _m("es", "es-ES", r"\bvale\b[.!?,]", 1.0, "vale = OK"),
    _m("es", "es-ES", r"\bordenador(?:es)?\b", 2.0, "ordenador (Latin America: computadora)"),
    _m("es", "es-ES", r"\bcoches?\b", 0.5, "coche (Latin America: carro, auto; Mexico: coche too)"),
    _m("es", "es-ES", r"\bzumos?\b", 2.0, "zumo (Latin America: jugo)"),
    _m("es", "es-ES", r"\bgafas\b", 1.5, "gafas (Latin America: lentes, anteojos)"),
    _m("es", "es-ES", r"\bpatatas?\b", 1.5, "patata (Latin America: papa)"),
    _m(
        "es",
        "es-ES",
        r"\bguay\b|\bmola(?:n)?\b|\bcurro\b|\bchaval(?:es|a|as)?\b|\bflipa(?:r|ndo|s)\b",
        2.0,
        "Spain colloquial",
    ),
    _m("es", "es-ES", r"\bhostia(?:s)?\b|\bjoder\b|\bco[ñn]o\b", 1.0, "Spain expletive"),
    # Latin American Spanish
    _m("es", "es-419", r"\bcomputador(?:a|as|es)?\b", 2.0, "computadora (Spain: ordenador)"),
    _m("es", "es-419", r"\bcelular(?:es)?\b", 2.0, "celular (Spain: móvil)"),
    _m("es", "es-419", r"\bmaneja(?:r|ba|ndo|s)?\b", 1.0, "manejar = drive (Spain: conducir)"),
    _m("es", "es-419", r"\bjugos?\b", 1.0, "jugo (Spain: zumo)"),
    _m("es", "es-419", r"\bcarros?\b", 1.0, "carro = car (Spain: coche)"),
    _m("es", "es-419", r"\bboletos?\b", 1.0, "boleto (Spain: billete, entrada)"),
    _m("es", "es-419", r"\benojad[oa]s?\b|\benoj(?:a|o|é|ó)\b", 1.0, "enojado (Spain: enfadado)"),
    _m("es", "es-419", r"\bnom[áa]s\b", 2.0, "nomás"),
    _m("es", "es-419", r"\brecién\s+\w+(?:é|ó|aste|iste|amos|imos)\b", 1.5, "recién + verb"),
    # River Plate (voseo) and Mexico
    _m(
        "es",
        "es-AR",
        r"\b(?:ten|quer|pod|sab|hac|deb|sent|pens)és\b|\bsos\b",  # sabes/haces: tú, everywhere
        3.0,
        "voseo verb (vos tenés, sos)",
    ),
    _m(
        "es",
        "es-AR",
        r"\b(?:mirá|escuchá|dejá|esperá|andá|vení|decí|hacé|poné|tené|fijate|sentate|callate|"
        r"decime|mirame|escuchame|dejame|esperame|contame|pasame)\b",
        1.5,
        "voseo imperative",
    ),
    _m("es", "es-AR", r"\bvos\b", 2.0, "pronoun vos"),
    _m(
        "es",
        "es-AR",
        r"\bche\b|\bboludo\b|\bpibes?\b|\bminas?\b|\blaburo\b|\bre\s+(?:lindo|bueno|loco)\b",
        2.0,
        "River Plate colloquial",
    ),
    _m("es", "es-MX", r"\bahorita\b", 2.0, "ahorita"),
    _m(
        "es",
        "es-MX",
        r"\bg[üu]ey\b|\bwey\b|\bchid[oa]s?\b|\bqu[ée] onda\b|\bneta\b|\bchamba\b",
        2.0,
        "Mexican colloquial",
    ),
    # Portuguese
    _m(
        "pt",
        "pt-PT",
        r"\best(?:ou|ás|á|amos|ão|ava|avam)\s+a\s+\w+(?:ar|er|ir)\b",
        2.5,
        "estar a + infinitive",
    ),
    _m(
        "pt",
        "pt-BR",
        r"\best(?:ou|á|amos|ão|ava|avam)\s+\w+(?:ando|endo|indo)\b",
        2.0,
        "estar + gerund",
    ),
    _m("pt", "pt-PT", r"\b\w+-(?:me|te|se|lhe|nos|vos|lhes|o|a|os|as)\b(?!-)", 0.5, "enclisis"),
    _m("pt", "pt-BR", r"(?:^|[.!?]\s+)(?:me|te|se)\s+\w+", 1.0, "sentence-initial proclitic"),
    _m("pt", "pt-BR", r"\bvocês?\b", 1.0, "você"),
    _m(
        "pt",
        "pt-PT",
        r"\b\w*(?:ó|é)(?:m|n)\w*ic[oa]s?\b|\bgénero\b|\bAntónio\b",
        1.0,
        "é/ó before m/n",
    ),
    _m("pt", "pt-PT", r"\b\w*[óé](?:mic|nic|mio|nio)\w*\b", 1.0, "é/ó spelling"),
    # têm/vêm and -ência/-ênio are written alike in both varieties (eval/eval_markers.py)
    _m(
        "pt",
        "pt-BR",
        r"\b(?!t[êe]m\b|v[êe]m\b)\w*(?:ô[mn]|ê(?:m|n(?!ci)))\w*\b",
        1.5,
        "ê/ô before m/n",
    ),
    _m(
        "pt",
        "pt-PT",
        r"\bfacto\b|\bcontacto(?:s)?\b|\bac[çc][ãa]o\b|\bactua(?:l|is)\b|\bdirec[çc][ãa]o\b",
        2.0,
        "EP spelling",
    ),
    _m(
        "pt",
        "pt-BR",
        r"\bcontato(?:s)?\b|\bregistro\b|\bequipe\b|\bbeb[êe]\b|\bfato\b",
        1.0,
        "BP spelling",
    ),
    _m(
        "pt",
        "pt-PT",
        r"\btelemóve(?:l|is)\b|\bautocarros?\b|\bfixe\b|\bmiúd[oa]s?\b|\bpequeno-almoço\b",
        2.5,
        "EP vocabulary",
    ),
    _m(
        "pt",
        "pt-BR",
        r"\bcelular(?:es)?\b|\bônibus\b|\bné\b|\bcafé da manhã\b|\bgaroto\b",
        2.0,
        "BP vocabulary",
    ),
    # French of Canada (Quebec) and of France
    _m(
        "fr",
        "fr-CA",
        r"\bprésentement\b|\bmagasin(?:er|age)\b|\bdépanneurs?\b|\bcégeps?\b|\bcellulaires?\b"
        r"|\bcourriels?\b|\bfins? de semaine\b|\bpantoute\b|\bchum\b|\btuques?\b",
        2.0,
        "Quebec vocabulary (présentement, magasiner, courriel, fin de semaine)",
    ),
    _m("fr", "fr-CA", r"\bsoccer\b|\bbreuvages?\b|\bsouper\b", 1.0, "soccer, breuvage, souper"),
    _m(
        "fr",
        "fr-FR",
        r"\bweek-ends?\b|\bportables?\b|\bmail\b|\bpetit-déjeuner\b",
        1.0,
        "week-end, portable (Quebec: fin de semaine, cellulaire)",
    ),
)


@dataclass(frozen=True)
class MarkerHit:
    marker: Marker
    text: str
    span: tuple[int, int]


_BY_LANGUAGE: dict[str, tuple[Marker, ...]] = {
    language: tuple(m for m in MARKERS if m.language == language)
    for language in {m.language for m in MARKERS}
}


def find_markers(text: str, language: str) -> list[MarkerHit]:
    return [
        MarkerHit(marker, match.group(0), match.span())
        for marker in _BY_LANGUAGE.get(language, ())
        for match in marker.pattern.finditer(text)
    ]
