"""The scenario's messages: ordinary words whose regional variety shows; nothing else.

The message posted with the video is in the Spanish of Spain (a greeting,
small talk, plans for the weekend: vosotros, coche, móvil, vale…); the
distractors are in Latin-American Spanish and in Portuguese. No text
describes anything but everyday life.
"""

from __future__ import annotations

import random

_ES_ES = (
    (
        "¡Hola, chicos! ¿Qué tal estáis? Yo bien, liado con el curro toda la semana.",
        "¡Buenas a todos! ¿Cómo lo lleváis? Aquí seguimos, con mucho curro, tíos.",
        "¡Hola! ¿Qué tal os va? Yo muy bien, aunque esta semana ha sido larga, vale.",
    ),
    (
        "El sábado cogemos el coche y vamos a la sierra, si queréis os apuntáis.",
        "Este finde vamos con el coche a la playa; si os apetece, venid con nosotros.",
        "El sábado quedamos en la plaza y luego cogemos el coche para ir al pueblo.",
    ),
    (
        "Llevad gafas de sol y algo de zumo, que hará calor. Os mando la ubicación al móvil.",
        "Traed patatas y zumo para la merienda; os escribo al móvil con la hora.",
        "Vosotros traed las bebidas, que nosotros ponemos la comida. Os aviso por el móvil, vale?",
    ),
)
_ES_419 = (
    "Hola, ¿cómo están? El sábado vamos en el carro a la playa, nomás llevamos jugo.",
    "¿Qué onda, cómo les va? Mañana les escribo al celular para ver a qué hora salimos.",
    "Buenas, recién llegué del trabajo. ¿Ustedes van a manejar hasta el lago el domingo?",
)
_PT = (
    "Olá, pessoal! Tudo bem? No sábado vamos de carro até a praia, quem quiser vem junto.",
    "Bom dia! Estou com saudades de vocês. Vamos combinar um almoço no fim de semana?",
    "Oi, gente, alguém sabe se o mercado abre no domingo? Preciso comprar pão e café.",
)


def message_es_es(rng: random.Random) -> str:
    """The message posted with the video: greeting, small talk, weekend plans."""
    return " ".join(rng.choice(part) for part in _ES_ES)


def distractors(rng: random.Random) -> list[tuple[str, str]]:
    """(language tag, text) of everyday messages in other varieties and languages."""
    chosen = [("es-419", text) for text in rng.sample(_ES_419, 2)]
    chosen += [("pt", text) for text in rng.sample(_PT, 2)]
    rng.shuffle(chosen)
    return chosen
