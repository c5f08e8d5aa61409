"""The scenario's people: one person behind accounts on three boards, among hundreds.

The planted person registers with username and e-mail variants (a handle,
the name with digits, a leet spelling; one mailbox written with dots, a
``+tag`` or capitals) on three boards and on the platform the video was posted
to; a social network's export links their account to a contact bearing the
surname on the video's title card. The other users come from
:mod:`crosscheck.resolve.synthetic` (common names shared by many), with a few
namesakes of the planted person added on purpose. Every name is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from crosscheck.resolve import synthetic

FIRST = ("Rubén", "Adrián", "Sergio", "Álvaro", "Diego", "Iván", "Marcos", "Óscar", "Raúl", "Hugo")
LAST = ("Salinas", "Cuesta", "Valverde", "Montero", "Peñalver", "Arroyo", "Quintana", "Bermejo")
# surnames on the title card: none of them is among the synthetic users' names
TITLE_SURNAMES = ("Ortega", "Navarro", "Castillo", "Herrera", "Vidal", "Serrano", "Prieto")
CONTACT_FIRST = ("Lucía", "Marta", "Nuria", "Alba", "Irene", "Paula", "Noelia", "Rocío")
HANDLE_WORDS = (
    "lunar",
    "kite",
    "otter",
    "cobre",
    "trueno",
    "brisa",
    "faro",
    "nube",
    "zorro",
    "pino",
)
BOARDS = (
    "foro-tertulia.example",
    "charlas-libres.example",
    "rincon-comun.example",
    "la-plazuela.example",
    "mesa-redonda.example",
    "punto-encuentro.example",
)
PLATFORMS = ("clipshare.example", "vidbox.example", "reelhub.example")
NETWORKS = ("amigosnet.example", "circulo.example", "contactos.example")
COLUMNS = ("id", "source", "name", "username", "email", "phone", "birth_date", "country")
CONTACT_COLUMNS = ("owner_username", "network", "contact_name", "contact_username", "contact_phone")


@dataclass(frozen=True)
class Planted:
    """The person the case leads to, and every account planted for them."""

    first: str
    last: str
    born: str
    handle: str
    mailbox: str
    platform: str
    platform_user: str
    boards: tuple[str, str, str]
    usernames: tuple[str, str, str]
    emails: tuple[str, str, str]
    network: str
    social_user: str
    title_surname: str
    contact_name: str
    contact_user: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def accounts(self) -> list[tuple[str, str]]:
        """(service, username) of every planted account."""
        return [
            (self.platform, self.platform_user),
            *zip(self.boards, self.usernames, strict=True),
            (self.network, self.social_user),
        ]


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("áéíóúñÁÉÍÓÚÑ", "aeiounAEIOUN"))


def _leet(text: str) -> str:
    return text.translate(str.maketrans("aeo", "430"))


def planted(rng: random.Random) -> Planted:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    year = rng.randint(1975, 1995)
    born = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    words = rng.sample(HANDLE_WORDS, 2)
    handle = f"{words[0]}_{words[1]}{year % 100:02d}"
    f, surname = _ascii(first).lower(), _ascii(last).lower()
    mailbox = f"{f}.{surname}{year % 100:02d}@gmail.com"
    local = mailbox.split("@")[0]
    boards = tuple(rng.sample(BOARDS, 3))
    usernames = (handle, f"{f}{surname}{year % 100:02d}", _leet(handle))
    emails = (
        mailbox,
        f"{local.replace('.', '')}+{rng.choice(('foro', 'web', 'x'))}@gmail.com",
        f"{local.capitalize()}@googlemail.com",
    )
    title = rng.choice(TITLE_SURNAMES)
    contact = f"{rng.choice(CONTACT_FIRST)} {title}"
    return Planted(
        first=first,
        last=last,
        born=born,
        handle=handle,
        mailbox=mailbox,
        platform=rng.choice(PLATFORMS),
        platform_user=f"{words[0]}{words[1]}",
        boards=(boards[0], boards[1], boards[2]),
        usernames=usernames,
        emails=emails,
        network=rng.choice(NETWORKS),
        social_user=handle,
        title_surname=title,
        contact_name=contact,
        contact_user=_ascii(contact).lower().replace(" ", "."),
    )


@dataclass
class Boards:
    """The three boards' user tables (rows of :data:`COLUMNS`) and the social export."""

    users: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    contacts: list[dict[str, str]] = field(default_factory=list)
    social_users: list[dict[str, str]] = field(default_factory=list)  # the network's profiles


def boards(rng: random.Random, person: Planted, others: int = 240) -> Boards:
    """Hundreds of other users on the three boards, the planted accounts among them."""
    out = Boards({board: [] for board in person.boards})
    names = list(synthetic.records(others, seed=rng.randrange(1 << 30)))
    for number, row in enumerate(names):
        board = person.boards[number % 3]
        out.users[board].append(
            {
                "id": f"u{number + 1000}",
                "source": board,
                **{k: row[k] for k in COLUMNS if k not in ("id", "source")},
            }
        )
    for index, board in enumerate(person.boards):
        out.users[board].append(
            {
                "id": f"u{rng.randint(10_000, 99_999)}",
                "source": board,
                "name": person.name if index != 1 else _ascii(person.name),
                "username": person.usernames[index],
                "email": person.emails[index],
                "phone": "",
                "birth_date": person.born if index != 2 else "",
                "country": "ES" if index == 0 else "",
            }
        )
        # namesakes: the same common name, another person (other mailbox, handle, birth year)
        other_year = rng.randint(1960, 2000)
        other = f"{_ascii(person.first).lower()}{rng.randint(100, 999)}"
        out.users[board].append(
            {
                "id": f"u{rng.randint(10_000, 99_999)}",
                "source": board,
                "name": person.name,
                "username": other,
                "email": f"{other}@{rng.choice(('outlook.com', 'yahoo.com', 'proton.me'))}",
                "phone": "",
                "birth_date": f"{other_year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "country": "ES",
            }
        )
    for rows in out.users.values():
        rng.shuffle(rows)
    out.contacts = _contacts(rng, person, names)
    owners = {row["owner_username"] for row in out.contacts}
    for number, row in enumerate(r for r in names if r["username"] in owners):
        out.social_users.append(
            {
                "id": f"p{number}",
                "source": person.network,
                "name": row["name"],
                "username": row["username"],
                "email": row["email"],
                "phone": "",
                "birth_date": "",
                "country": "",
            }
        )
    out.social_users.append(
        {
            "id": f"p{rng.randint(1000, 9999)}",
            "source": person.network,
            "name": person.name,
            "username": person.social_user,
            "email": person.emails[1],
            "phone": "",
            "birth_date": person.born,
            "country": "ES",
        }
    )
    rng.shuffle(out.social_users)
    return out


def _contacts(
    rng: random.Random, person: Planted, names: list[dict[str, str]]
) -> list[dict[str, str]]:
    """A social network's export: who is connected to whom; one row links to the title's name."""
    rows = [
        {
            "owner_username": person.social_user,
            "network": person.network,
            "contact_name": person.contact_name,
            "contact_username": person.contact_user,
            "contact_phone": "",
        }
    ]
    people = [row for row in names if row["name"] and row["username"]]
    for owner in rng.sample(people, 30):
        for contact in rng.sample(people, 2):
            if contact is owner:
                continue
            rows.append(
                {
                    "owner_username": owner["username"],
                    "network": person.network,
                    "contact_name": contact["name"],
                    "contact_username": contact["username"],
                    "contact_phone": "",
                }
            )
    for _ in range(3):  # the planted person's other contacts: ordinary names
        contact = rng.choice(people)
        rows.append(
            {
                "owner_username": person.social_user,
                "network": person.network,
                "contact_name": contact["name"],
                "contact_username": contact["username"],
                "contact_phone": "",
            }
        )
    rng.shuffle(rows)
    return rows
