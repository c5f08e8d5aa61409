"""Generated people and their accounts on several boards: benign, invented, with true ids.

Used to train the shipped parameters, to evaluate (on another seed) and to
benchmark. Each invented person registers on one to four boards; usernames
are spelled from the name or not, with digits, leet and separators; e-mail
addresses vary by provider alias (dots, +tags) and domain; names are
sometimes written in the person's script (Cyrillic, Greek) or without
accents; phones and birth dates are sometimes given, sometimes mistyped.
Common names are common (a Zipf draw), so many different people share them.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from crosscheck.resolve import normalise

_NAMES: dict[str, tuple[list[str], list[str]]] = {
    "ES": (
        [
            "María",
            "José",
            "Lucía",
            "Javier",
            "Carmen",
            "Antonio",
            "Elena",
            "Manuel",
            "Sofía",
            "Pablo",
        ],
        [
            "García",
            "Fernández",
            "González",
            "Rodríguez",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Ruiz",
        ],
    ),
    "GB": (
        ["James", "Emily", "Oliver", "Sophie", "Harry", "Chloe", "Jack", "Grace", "Thomas", "Lucy"],
        [
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Johnson",
            "Davies",
            "Evans",
            "Walker",
        ],
    ),
    "FR": (
        ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Lucas", "Inès", "Théo"],
        [
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Richard",
            "Petit",
            "Durand",
            "Leroy",
            "Moreau",
        ],
    ),
    "DE": (
        [
            "Lukas",
            "Anna",
            "Jonas",
            "Lena",
            "Felix",
            "Marie",
            "Paul",
            "Laura",
            "Maximilian",
            "Julia",
        ],
        [
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
        ],
    ),
    "RU": (
        [
            "Александр",
            "Мария",
            "Дмитрий",
            "Анна",
            "Сергей",
            "Елена",
            "Иван",
            "Ольга",
            "Николай",
            "Татьяна",
        ],
        [
            "Иванов",
            "Смирнов",
            "Кузнецов",
            "Попов",
            "Васильев",
            "Петров",
            "Соколов",
            "Михайлов",
            "Новиков",
            "Фёдоров",
        ],
    ),
    "GR": (
        [
            "Γιώργος",
            "Μαρία",
            "Νίκος",
            "Ελένη",
            "Κώστας",
            "Αικατερίνη",
            "Δημήτρης",
            "Σοφία",
            "Γιάννης",
            "Άννα",
        ],
        [
            "Παπαδόπουλος",
            "Παππάς",
            "Οικονόμου",
            "Γεωργίου",
            "Νικολάου",
            "Βασιλείου",
            "Δημητρίου",
            "Ιωάννου",
            "Μακρής",
            "Αθανασίου",
        ],
    ),
    "BR": (
        [
            "João",
            "Ana",
            "Pedro",
            "Beatriz",
            "Gabriel",
            "Mariana",
            "Rafael",
            "Juliana",
            "Lucas",
            "Camila",
        ],
        [
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Lima",
            "Pereira",
            "Costa",
            "Ferreira",
            "Almeida",
            "Carvalho",
        ],
    ),
}
_BOARDS = ["boardA", "boardB", "boardC", "boardD", "social"]
_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "proton.me",
    "mail.ru",
    "gmx.de",
    "hotmail.com",
]
_WORDS = [
    "shadow", "wolf", "night", "blue", "storm", "pixel", "ghost", "raven", "tiger", "echo",
    "frost", "ember", "nova", "delta", "lunar", "quartz", "viper", "cobalt", "onyx", "zephyr",
]  # fmt: skip
_PREFIX = {"ES": "34", "GB": "44", "FR": "33", "DE": "49", "RU": "7", "GR": "30", "BR": "55"}
_LATIN = str.maketrans("áéíóúñüçãõâêôàèìòùäöß", "aeiounucaoaeoaeiouaos")


@dataclass(frozen=True)
class Person:
    key: int
    country: str
    first: str
    last: str
    born: str
    phone: str
    handle: str  # a name-free handle the person likes
    mailbox: str


_SYLLABLES = ["ka", "lo", "mi", "ra", "ve", "no", "ti", "sa", "de", "ru", "ba", "el", "or", "an"]
_SUFFIX = {
    "ES": "ez",
    "GB": "ton",
    "FR": "ier",
    "DE": "mann",
    "RU": "ov",
    "GR": "akis",
    "BR": "eira",
}
_WEIGHTS: dict[int, list[float]] = {}


def _zipf(rng: random.Random, n: int) -> int:
    weights = _WEIGHTS.get(n)
    if weights is None:
        weights = _WEIGHTS[n] = list(itertools.accumulate(1 / (i + 1) for i in range(n)))
    return rng.choices(range(n), cum_weights=weights)[0]


def _invented(rng: random.Random, country: str, surname: bool) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return (word + _SUFFIX[country] if surname else word).capitalize()


def _pools(rng: random.Random, size: int) -> dict[str, tuple[list[str], list[str]]]:
    """The common names first, then invented ones: a long tail for large data sets."""
    pools = {}
    for country, (firsts, lasts) in _NAMES.items():
        more_first = {_invented(rng, country, False) for _ in range(size // 10)} - set(firsts)
        more_last = {_invented(rng, country, True) for _ in range(size)} - set(lasts)
        pools[country] = (firsts + sorted(more_first), lasts + sorted(more_last))
    return pools


def _ascii(text: str) -> str:
    from normality import ascii_text

    return ascii_text(text) or text


def _person(rng: random.Random, key: int, names: dict[str, tuple[list[str], list[str]]]) -> Person:
    country = rng.choice(list(names))
    firsts, lasts = names[country]
    first = firsts[_zipf(rng, len(firsts))]
    last = lasts[_zipf(rng, len(lasts))]
    year = rng.randint(1960, 2006)
    born = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    phone = "+" + _PREFIX[country] + str(rng.randint(600_000_000, 699_999_999))
    handle = (
        rng.choice(_WORDS)
        + "".join(rng.choice(_SYLLABLES) for _ in range(2))
        + str(rng.randint(1, 999))
    )
    f, last_ascii = _ascii(first).lower(), _ascii(last).lower()
    local = rng.choice(
        [f"{f}.{last_ascii}", f"{f[0]}{last_ascii}", handle, f"{f}{last_ascii}{year % 100}"]
    )
    mailbox = f"{local}@{rng.choice(_DOMAINS)}"
    return Person(key, country, first, last, born, phone, handle, mailbox)


def _leet(text: str, rng: random.Random) -> str:
    table = {"a": "4", "e": "3", "o": "0", "i": "1"}
    return "".join(table[c] if c in table and rng.random() < 0.5 else c for c in text)


def _username(p: Person, rng: random.Random) -> str:
    f, last = _ascii(p.first).lower(), _ascii(p.last).lower()
    choice = rng.random()
    if choice < 0.35:
        return p.handle if rng.random() < 0.7 else _leet(p.handle, rng)
    if choice < 0.55:
        return f"{f}{rng.choice(['', '.', '_'])}{last}"
    if choice < 0.75:
        return f"{f}{last}{p.born[2:4]}"
    if choice < 0.9:
        return _leet(f"{f}_{last}", rng) + str(rng.randint(1, 99))
    return f"{f[0]}{last}{rng.randint(1, 9)}"


def _email(p: Person, rng: random.Random) -> str:
    local, domain = p.mailbox.split("@")
    r = rng.random()
    if r < 0.5:
        return p.mailbox
    if r < 0.7 and domain in ("gmail.com", "proton.me"):
        return f"{local.replace('.', '')}+{rng.choice(['forum', 'x', 'board'])}@{domain}"
    if r < 0.85:
        return f"{local}@{rng.choice(_DOMAINS)}"  # the same local part elsewhere
    return f"{_username(p, rng)}@{rng.choice(_DOMAINS)}"


def _name(p: Person, rng: random.Random) -> str:
    r = rng.random()
    first, last = p.first, p.last
    if r < 0.3:
        first, last = _ascii(first), _ascii(last)
    elif r < 0.4:
        first = first[0] + "."
    elif r < 0.5 and len(last) > 4:
        i = rng.randrange(1, len(last) - 1)
        last = last[:i] + last[i + 1 :]  # a typo
    return f"{first} {last}"


def _typo_date(born: str, rng: random.Random) -> str:
    y, m, d = born.split("-")
    return f"{y}-{m}-{int(d) % 28 + 1:02d}" if rng.random() < 0.5 else f"{y}-{d}-{m}"


def records(people: int, seed: int = 1, name_pool: int = 0) -> Iterator[dict[str, str]]:
    """Account records of ``people`` invented people; ``person`` is the truth.

    ``name_pool`` > 0 adds that many invented surnames per country (and a
    tenth as many first names) behind the common ones, as large data sets have.
    """
    rng = random.Random(seed)  # noqa: S311 - generated test data, not secrets
    names = _pools(rng, name_pool) if name_pool else _NAMES
    mailboxes: dict[str, int] = {}
    usernames: dict[str, int] = {}
    for key in range(people):
        p = _person(rng, key, names)
        while mailboxes.setdefault(normalise.email(p.mailbox) or "", key) != key:
            local, domain = p.mailbox.split("@")
            p = replace(p, mailbox=f"{local}{rng.randint(0, 9)}@{domain}")
        boards = rng.sample(_BOARDS, k=rng.choice([1, 1, 2, 2, 3, 4]))
        for board in boards:
            user = _username(p, rng)
            while usernames.setdefault(f"{board}:{user.lower()}", key) != key:
                user += str(rng.randint(0, 9))
            mail = _email(p, rng) if rng.random() < 0.8 else ""
            if mail and mailboxes.setdefault(normalise.email(mail) or "", key) != key:
                mail = p.mailbox  # that address is someone else's: use the person's own
            row = {
                "id": f"{board}-{seed}-{key}",
                "source": board,
                "person": str(key),
                "name": _name(p, rng) if rng.random() < 0.85 else "",
                "username": user,
                "email": mail,
                "phone": p.phone if rng.random() < 0.3 else "",
                "birth_date": (p.born if rng.random() < 0.9 else _typo_date(p.born, rng))
                if rng.random() < 0.5
                else "",
                "country": p.country if rng.random() < 0.6 else "",
                "service": board,
            }
            yield row
