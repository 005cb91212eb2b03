"""An English reading of a French question, for the parts of the search that read English.

The documents are English. The multilingual model matches a French question to them
directly, but BM25, the answer type ("qui" asks for a person), the principle references and
the unknown-name rule read words. A small glossary of the corpus' general vocabulary (the
Call's name, its principles' key terms, the question words, the countries and places) turns
"Qui a lancé l'Appel de Paris ?" into "who launched Paris Call"; French function words are
dropped and other words (names, cognates such as "Microsoft" or "hack-back") kept as typed.
"""

from __future__ import annotations

import re
import unicodedata

# Longest phrases first; keys are lower-case and without accents.
_PHRASES = {
    "appel de paris pour la confiance et la securite dans le cyberespace": "Paris Call for Trust and Security in Cyberspace",
    "forum de paris sur la paix": "Paris Peace Forum",
    "forum sur la gouvernance de l internet": "Internet Governance Forum",
    "forum sur la gouvernance d internet": "Internet Governance Forum",
    "forum economique mondial": "World Economic Forum",
    "centre pour la cybersecurite": "Centre for Cybersecurity",
    "premiere guerre mondiale": "First World War",
    "acteurs non etatiques": "non-State actors",
    "acteurs non-etatiques": "non-State actors",
    "propriete intellectuelle": "intellectual property",
    "infrastructures critiques": "critical infrastructure",
    "infrastructure critique": "critical infrastructure",
    "hygiene informatique": "cyber hygiene",
    "cyber hygiene": "cyber hygiene",
    "societe civile": "civil society",
    "secteur prive": "private sector",
    "mesures de confiance": "confidence-building measures",
    "comportement responsable": "responsible behaviour",
    "chaine d approvisionnement": "supply chain",
    "cycle de vie": "lifecycle",
    "processus electoraux": "electoral processes",
    "affaires etrangeres": "foreign affairs",
    "etats-unis": "United States US",
    "etats unis": "United States US",
    "union europeenne": "European Union",
    "coree du nord": "North Korea",
    "coree du sud": "Republic of Korea",
    "arabie saoudite": "Saudi Arabia",
    "appel de paris": "Paris Call",
    "quel est": "what is",
    "quelle est": "what is",
    "quels sont": "what are",
    "quelles sont": "what are",
    "est-ce que": "",
    "est ce que": "",
    "qu est-ce que": "what",
    "qu est ce que": "what",
    "c est quoi": "what is",
    "a quelle date": "when",
    "quelle date": "when",
    "quel jour": "what day",
    "en quelle annee": "what year",
    "quelle annee": "what year",
    "combien de": "how many",
    "combien d": "how many",
    "a eu lieu": "took place",
    "ont refuse": "declined",
    "n ont pas signe": "declined to sign",
    "pas signe": "not signed",
    "mairie de paris": "Paris City Hall",
}
_WORDS = {
    # question words
    "qui": "who", "quand": "when", "combien": "how many", "pourquoi": "why", "comment": "how",
    "quel": "which", "quelle": "which", "quels": "which", "quelles": "which", "quoi": "what", "que": "what",
    "lequel": "which", "laquelle": "which", "lesquels": "which",
    # the Call and its principles
    "appel": "Call", "cyberespace": "cyberspace", "principe": "principle", "principes": "principles",
    "confiance": "trust", "securite": "security", "cybersecurite": "cybersecurity",
    "cybercriminalite": "cybercrime", "cyberattaques": "cyber attacks", "cyberattaque": "cyber attack",
    "signataires": "signatories", "signataire": "signatory", "signe": "signed", "signer": "sign",
    "signent": "sign", "signature": "signing", "soutiennent": "support", "soutient": "supports",
    "soutenu": "supported", "soutenir": "support", "soutien": "support", "soutiens": "supporters",
    "lance": "launched", "lancer": "launch", "lancement": "launch", "lancee": "launched",
    "rejoint": "joined", "rejoindre": "join", "adhere": "joined", "refuse": "declined", "refuser": "decline",
    "ingerence": "interference", "ingerences": "interference", "elections": "elections", "election": "election",
    "electoral": "electoral", "electorale": "electoral", "electoraux": "electoral", "electorales": "electoral",
    "vol": "theft", "vols": "theft", "propriete": "property", "intellectuelle": "intellectual",
    "outils": "tools", "malveillants": "malicious", "malveillantes": "malicious", "malveillant": "malicious",
    "proliferation": "proliferation", "hygiene": "hygiene", "informatique": "cyber", "numerique": "digital",
    "numeriques": "digital", "produits": "products", "securiser": "secure", "critiques": "critical",
    "critique": "critical", "infrastructures": "infrastructure", "integrite": "integrity",
    "accessibilite": "accessibility", "disponibilite": "availability", "normes": "norms standards",
    "norme": "norm", "internationales": "international", "internationaux": "international",
    "international": "international", "internationale": "international", "mercenaires": "mercenary",
    "etatiques": "state", "etats": "states", "etat": "state", "pays": "countries", "entreprises": "companies",
    "entreprise": "company", "societes": "companies", "organisations": "organizations",
    "gouvernement": "government", "gouvernements": "governments", "proteger": "protect",
    "protection": "protection", "prevenir": "prevent", "prevention": "prevention", "empecher": "prevent",
    "interdit": "prevent", "interdire": "prevent", "renforcer": "strengthen", "cooperation": "cooperation",
    "cooperer": "cooperate", "menaces": "threats", "menace": "threat", "activites": "activities",
    "prive": "private", "privees": "private", "prives": "private", "victimes": "victims",
    # people, events, places
    "forum": "Forum", "paix": "Peace", "sommet": "Summit", "semaine": "week", "ministre": "Minister",
    "president": "President", "francais": "French", "francaise": "French", "france": "France",
    "americaines": "American", "americains": "American", "americain": "American", "russes": "Russian",
    "russe": "Russian", "russie": "Russia", "chine": "China", "chinoises": "Chinese", "japon": "Japan",
    "mexique": "Mexico", "chili": "Chile", "liban": "Lebanon", "maroc": "Morocco", "suisse": "Switzerland",
    "norvege": "Norway", "israel": "Israel", "geneve": "Geneva", "moscou": "Moscow", "londres": "London",
    "commemorations": "commemorations", "armistice": "Armistice", "initiative": "initiative",
    "initiatives": "initiatives", "similaire": "similar", "comparer": "compare", "compare": "compare",
    "dirige": "heads", "directeur": "director", "responsable": "head", "presente": "presented",
    "enjeux": "challenges", "objectifs": "objectives", "tiendra": "held", "tenu": "held", "tient": "held",
    "lieu": "place", "ville": "city", "date": "date", "jour": "day", "annee": "year", "mois": "month",
    "dit": "say", "disent": "say", "prevoit": "provide", "declaration": "declaration", "membres": "members",
    # numbers and ordinals
    "un": "one", "deux": "two", "trois": "three", "quatre": "four", "cinq": "five", "six": "six",
    "sept": "seven", "huit": "eight", "neuf": "nine", "premier": "first", "premiere": "first",
    "deuxieme": "second", "second": "second", "troisieme": "third", "quatrieme": "fourth",
    "cinquieme": "fifth", "sixieme": "sixth", "septieme": "seventh", "huitieme": "eighth",
    "neuvieme": "ninth", "dernier": "last", "et": "and", "ou": "or",
    "suivant": "next", "suivante": "next", "precedent": "previous", "precedente": "previous",
    "avant": "before", "apres": "after", "contre": "against", "veut": "want", "veulent": "want", "trouve": "is", "role": "role",
}  # fmt: skip
# French function words, dropped from the reading.
_DROP_WORDS = """le la les l un une des du d de a à au aux en dans pour sur par avec ce cette ces cet c il elle ils elles
    est sont ete etait a-t-il a-t-elle ont y se s son sa ses leur leurs ne n pas qu t-il t-elle on nous vous je
    j tu me moi svp stp merci bien alors donc mais fait faire peut-on peut peux-tu vraiment malgre tout
    bon ok ca cela ceci"""
_DROP = frozenset(_DROP_WORDS.split())
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*|\d+")
_PRONOUN = re.compile(r"-(?:t-)?(?:il|ils|elle|elles|on|moi|nous|vous|je|tu)$", re.I)
_QUESTION = ("how many", "who", "when", "where", "which", "why", "how", "what")


def plain(text: str) -> str:
    """Without accents, apostrophes as spaces ("l'Appel" -> "l Appel", and "lappel" typed
    without one too); case kept."""
    text = unicodedata.normalize("NFD", text.replace("’", "'").replace("'", " "))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return _GLUED.sub(r"\1 ", _GLUED_VERB.sub(r"\1 \2", text))


# An elided article or pronoun typed without its apostrophe, before a glossary word.
_GLUED = re.compile(r"\b(l|d|qu|n|s|c|j)(?=(?:" + "|".join(k for k in _WORDS if len(k) >= 4) + r")\b)", re.I)
_GLUED_VERB = re.compile(r"\b(c|qu|n)(est|ont|a)\b", re.I)  # "cest", "quest-ce", "nont"


_PHRASE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(_PHRASES, key=len, reverse=True)) + r")\b", re.I)


# The Call's French names, accents optional: known names in a question in either language.
CALL_NAME_FR = re.compile(
    r"\b(?:l['’]\s*)?appel de paris(?:\s+pour la confiance et la s[ée]curit[ée] dans le cyberespace)?\b", re.I
)


def english_names(question: str) -> str:
    """The question with the Call's French names in English ("What is the Appel de Paris?"
    -> "What is the Paris Call?"); unchanged when it uses none."""
    if "appel" not in question.casefold():
        return question
    return CALL_NAME_FR.sub(
        lambda m: (
            "Paris Call for Trust and Security in Cyberspace" if "confiance" in m.group().casefold() else "Paris Call"
        ),
        question,
    )


def english_reading(question: str, question_first: bool = True) -> str:
    """The question in the documents' words, its question word first ("who launched Paris Call");
    in the typed order with `question_first=False` ("et quand ?" -> "and when")."""
    where = question.strip().casefold().startswith(("où", "ou ")) or " où " in question.casefold()
    parts: list[str] = []
    for n, chunk in enumerate(_PHRASE.split(plain(question))):
        if n % 2:
            parts.append(_PHRASES[re.sub(r"\s+", " ", chunk.casefold())])
            continue
        for token in _TOKEN.findall(chunk):
            token = _PRONOUN.sub("", token)  # "interdit-il" -> "interdit"
            key = token.casefold()
            if key not in _DROP:
                parts.append(_WORDS.get(key, token))
    text = " ".join(p for p in parts if p)
    if where:
        text = re.sub(r"^or\b|\bor\b", "where", text, count=1) if "where" not in text else text
    for word in _QUESTION if question_first else ():
        if re.search(rf"\b{word}\b", text):
            text = word + " " + re.sub(rf"\s*\b{word}\b", "", text, count=1).strip()
            break
    return text.strip()
