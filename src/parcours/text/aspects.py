"""Aspects of the customer relationship a comment speaks of: price and fees, delivery and
waiting, staff and advice, app and website, billing, claims and refunds, contact and
reachability, contract and cancellation, product quality.

Themes found in the words (:mod:`parcours.text.themes`) follow each data set's vocabulary, and
on real reviews they surface domain words ("assurance", "livre") and names. Aspects are the
questions a CX lead asks of any comment, whatever the domain: each is a list of word stems per
language (French, English, German, Spanish, Dutch), matched on the comment's words: a stem
matches a word that starts with it (``rembours`` → remboursement, remboursé); a stem of two
words matches them in a row (``service client``). Brand, product and domain-generic words are in
no list, so they never make an aspect. A comment may speak of several aspects, or of none.

The figures of each aspect are measured by :mod:`parcours.analysis.aspects`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Sequence

from parcours.text.features import PLACEHOLDERS, normalise

ASPECTS: dict[str, dict[str, Any]] = {
    "price": {
        "name": {"fr": "Prix et frais", "en": "Price and fees"},
        "stems": {
            "fr": ["prix", "tarif", "cher ", "chers ", "chère", "coût", "cout", "frais", "cotisation", "augment", "économi",
                   "moins cher", "hors de prix", "onéreu", "promo", "réduction", "remise", "devis", "franchise"],
            "en": ["price", "pricing", "expensive", "cheap", "cost", "fee", "fees", "premium", "rate increase", "overpric",
                   "afford", "discount", "quote", "deductible", "value for money"],
            "de": ["preis", "teuer", "günstig", "kosten", "gebühr", "beitrag"],
            "es": ["precio", "caro", "barato", "coste", "costo", "tarifa", "comisi"],
            "nl": ["prijs", "duur ", "goedkoop", "kosten", "tarief", "premie"],
        },
    },
    "delivery": {
        "name": {"fr": "Délais et attente", "en": "Delivery and waiting"},
        "stems": {
            "fr": ["livr", "délai", "delai", "attente", "attendre", "attend", "retard", "lent", "rapid", "vite",
                   "semaines", "expédi", "colis", "toujours pas", "traîn"],
            "en": ["deliver", "shipping", "shipped", "wait", "delay", "late", "slow", "quick", "fast", "took weeks",
                   "took months", "still waiting", "parcel", "package", "prompt"],
            "de": ["liefer", "warte", "verspät", "langsam", "schnell", "paket"],
            "es": ["entrega", "envío", "espera", "retraso", "lento", "rápid", "paquete"],
            "nl": ["lever", "wacht", "vertraag", "traag", "snel", "pakket"],
        },
    },
    "staff": {
        "name": {"fr": "Conseillers et accueil", "en": "Staff and advice"},
        "stems": {
            "fr": ["conseil", "interlocut", "accueil", "aimable", "courtois", "agréable", "poli ", "polie", "compétent",
                   "incompétent", "personnel", "agent", "vendeu", "à l'écoute", "écoute", "professionnel",
                   "gentil", "sympathique", "malpoli", "désagréable"],
            "en": ["staff", "agent", "representative", "rep ", "advisor", "adviser", "friendly", "helpful", "rude",
                   "polite", "courteous", "knowledgeable", "professional", "employee", "patient"],
            "de": ["mitarbeiter", "personal", "freundlich", "unfreundlich", "kompetent", "hilfsbereit", "berat"],
            "es": ["personal", "amable", "atento", "empleado", "asesor", "profesional", "maleducad"],
            "nl": ["personeel", "medewerker", "vriendelijk", "onvriendelijk", "behulpzaam", "adviseur"],
        },
    },
    "digital": {
        "name": {"fr": "Site et application", "en": "App and website"},
        "stems": {
            "fr": ["site", "internet", "en ligne", "application", "appli", "espace client", "connexion", "bug",
                   "mot de passe", "formulaire", "plateforme", "bugs"],
            "en": ["website", "site", "online", "app", "portal", "login", "log in", "password", "bug", "bugs", "glitch",
                   "form ", "forms ", "account online"],
            "de": ["webseite", "website", "online", "app", "anmeld", "passwort", "internet"],
            "es": ["web", "página", "online", "aplicación", "app", "contraseña", "internet"],
            "nl": ["website", "site", "online", "app", "inlog", "wachtwoord", "internet"],
        },
    },
    "billing": {
        "name": {"fr": "Facturation et paiement", "en": "Billing and payment"},
        "stems": {
            "fr": ["factur", "prélèvement", "prélev", "paiement", "payer", "payé", "échéanc", "débit", "rib",
                   "mensualit", "trop perçu", "régularis", "impayé"],
            "en": ["bill", "invoice", "charged", "charge", "payment", "pay ", "paid", "debit", "direct debit",
                   "overcharg", "double charged", "autopay"],
            "de": ["rechnung", "zahlung", "bezahl", "abbuch", "lastschrift"],
            "es": ["factur", "pago", "pagar", "cobro", "cobrar", "recibo"],
            "nl": ["factuur", "betaling", "betalen", "afschrijving", "incasso"],
        },
    },
    "claims": {
        "name": {"fr": "Sinistres et remboursements", "en": "Claims and refunds"},
        "stems": {
            "fr": ["sinistre", "rembours", "indemnis", "expert", "dossier", "déclaration", "prise en charge",
                   "réclamation", "dédommag", "accident", "dégât", "litige"],
            "en": ["claim", "refund", "reimburs", "payout", "paid out", "settle", "denied", "deny", "adjuster",
                   "compensat", "dispute"],
            "de": ["schaden", "erstatt", "rückerstatt", "entschädig", "reklamation"],
            "es": ["siniestro", "reembols", "devoluci", "indemniz", "reclamaci"],
            "nl": ["schade", "terugbetal", "vergoed", "claim", "klacht"],
        },
    },
    "contact": {
        "name": {"fr": "Contact et joignabilité", "en": "Contact and reachability"},
        "stems": {
            "fr": ["téléphon", "telephon", "joindre", "joignable", "injoignable", "appel", "rappel", "mail",
                   "courrier", "réponse", "répond", "service client", "hotline", "standard", "chat", "contacter",
                   "relance"],
            "en": ["phone", "call", "callback", "email", "e-mail", "reach", "respond", "response", "reply",
                   "answer", "customer service", "on hold", "hold time", "chat", "contact", "voicemail", "hung up"],
            "de": ["telefon", "anruf", "erreich", "e-mail", "antwort", "kundenservice", "hotline", "kontakt"],
            "es": ["teléfono", "llamad", "llamar", "correo", "respuesta", "responder", "atención al cliente",
                   "contacto"],
            "nl": ["telefoon", "bellen", "gebeld", "bereikbaar", "e-mail", "antwoord", "klantenservice", "contact"],
        },
    },
    "contract": {
        "name": {"fr": "Contrat et résiliation", "en": "Contract and cancellation"},
        "stems": {
            "fr": ["contrat", "résili", "resili", "souscri", "adhésion", "garantie", "couverture", "clause",
                   "avenant", "renouvel", "engagement", "conditions"],
            "en": ["policy", "contract", "cancel", "renew", "coverage", "covered", "cover ", "sign up", "signed up",
                   "enrol", "terms", "exclusion", "plan"],
            "de": ["vertrag", "kündig", "versicherungsschutz", "deckung", "abschluss", "bedingungen"],
            "es": ["contrato", "cancel", "baja", "cobertura", "póliza", "condiciones", "renovaci"],
            "nl": ["contract", "opzeg", "polis", "dekking", "voorwaarden", "verleng"],
        },
    },
    "quality": {
        "name": {"fr": "Qualité du produit", "en": "Product quality"},
        "stems": {
            "fr": ["qualité", "qualite", "défectueu", "cassé", "abîmé", "panne", "fiable", "solide", "taille",
                   "conforme", "défaut"],
            "en": ["quality", "broken", "defect", "faulty", "damaged", "fit", "size", "material", "fabric", "sturdy",
                   "reliable", "well made", "poorly made"],
            "de": ["qualität", "kaputt", "defekt", "beschädigt", "größe", "material"],
            "es": ["calidad", "roto", "defectuos", "dañad", "talla", "material"],
            "nl": ["kwaliteit", "kapot", "defect", "beschadigd", "maat", "materiaal"],
        },
    },
}
LANGUAGES = ("fr", "en", "de", "es", "nl")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def _compile(stems: Sequence[str]) -> re.Pattern[str]:
    """One pattern for a language's stems of an aspect, matched at word starts on the comment's
    words joined by single spaces (a trailing space in a stem asks for a whole word)."""
    parts = []
    for stem in sorted(set(stems), key=len, reverse=True):
        words = normalise(stem).split()
        body = r"\s+".join(re.escape(w) for w in words)
        parts.append(body + (r"\b" if stem.endswith(" ") or len(stem.strip()) <= 3 else ""))
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(parts) + ")", re.UNICODE)


PATTERNS: dict[str, dict[str, re.Pattern[str]]] = {
    lang: {key: _compile(a["stems"][lang]) for key, a in ASPECTS.items() if lang in a["stems"]} for lang in LANGUAGES
}


def words_of(text: str) -> str:
    """A comment's words, lower case, one space apart (numbers, links and mentions left out)."""
    return " ".join(_WORD.findall(PLACEHOLDERS.sub(" ", normalise(text))))


def aspects_of(text: str | None, language: str | None) -> list[str]:
    """The aspects a comment speaks of (in ``ASPECTS`` order); none without a comment or for a
    language without stems."""
    if not text or language not in PATTERNS:
        return []
    words = words_of(text)
    return [key for key, pattern in PATTERNS[language].items() if pattern.search(words)]


def name(key: str, lang: str) -> str:
    names = ASPECTS[key]["name"]
    return names.get(lang) or names["en"]


def language_coverage(languages: Sequence[str | None]) -> dict[str, int]:
    """Comments per language with no aspect stems (they are counted, never read for aspects)."""
    return dict(Counter(lang or "unknown" for lang in languages if lang not in PATTERNS).most_common())
