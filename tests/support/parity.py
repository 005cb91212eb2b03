"""Varied sentences (languages, lengths, punctuation, empty, over the token limit) on which two
embedders must agree: the ONNX parity tests and `benchmarks/bench_embedders.py` use them."""

PARITY_SENTENCES = [
    "What is the Paris Call for Trust and Security in Cyberspace?",
    "Who signed the Paris Call?",
    "hi",
    "",
    "?",
    "Which principle covers protecting electoral processes from malicious cyber activities?",
    "How can companies join the Paris Call, and is there a fee?!",
    "Does the Paris Call prohibit hack-back by private actors?",
    "Qu'est-ce que l'Appel de Paris pour la confiance et la sécurité dans le cyberespace ?",
    "¿Qué países apoyan el Llamamiento de París?",
    "Was ist der Pariser Appell für Vertrauen und Sicherheit im Cyberspace?",
    "网络空间信任与安全巴黎倡议是什么？",
    "Какие принципы входят в Парижский призыв?",
    "Emojis 🤖🔐 and ümlauts — dashes… «quotes» and “smart quotes”",
    "UN GGE vs OEWG: what's the difference?",
    "cyber norms",
    "Tell me about principle 6 (lifecycle security) and principle 7 (cyber hygiene).",
    "Is the Paris Call legally binding under international law, or is it a voluntary political commitment?",
    "What did the 2018 Internet Governance Forum in Paris have to do with it?",
    "How does the Paris Call address the proliferation of malicious ICT tools and practices intended to cause harm?",
    "PREVENT ACTIVITY THAT INTENTIONALLY AND SUBSTANTIALLY DAMAGES THE GENERAL AVAILABILITY OR "
    "INTEGRITY OF THE PUBLIC CORE OF THE INTERNET",
    "cyber-diplomacy; confidence-building measures; attribution... thoughts?",
    "what about ransomware attacks on hospitals during covid-19",
    "Explain the role of multistakeholder approaches — governments, industry, civil society — in cyber "
    "diplomacy, and give examples of working groups set up after the Call was launched in November 2018.",
    "Intellectual property theft via cyber means: principle 4 says what exactly?",
    "Supporters: 81 states, 36 public authorities, 390 organizations and 706 companies (numbers may change).",
    "The Call's nine principles: protect individuals and infrastructure; protect the Internet; defend "
    "electoral processes; defend intellectual property; non-proliferation; lifecycle security; cyber "
    "hygiene; no private hack-back; international norms. " * 4,  # > 256 tokens: truncated
    "tl;dr",
    "Can non-state actors be held accountable for offensive cyber operations? #cybersecurity @ParisCall",
    "Ceci est une question très longue qui mélange le français and English, "
    "avec des accents: é è à ç ô, pour vérifier la tokenisation des caractères Unicode "
    "et la troncature à 256 jetons. " * 8,
]
