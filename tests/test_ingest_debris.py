"""Web-debris removal: the five raw seed pages, plus pages written here to show the rules are general."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest.debris import clean_text

RAW = Path(__file__).parent / "data" / "raw_pages"


def _raw(name: str) -> str:
    return (RAW / name).read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [line.removeprefix("- ") for line in text.splitlines() if line.strip()]


def _flat(text: str) -> str:
    return " ".join(text.split())


SEEDS: dict[str, tuple[list[str], list[str]]] = {
    "000_91691e180abb13d2.txt": (
        [
            "Full Text Sharing",
            "Find here full test:",
            "Position: Co -Founder of ENGAGE",
            "Add new comment",
            "Filtered HTML",
            "Plain text",
            "turn into links automatically",
            "Allowed HTML tags",
            "Lines and paragraphs break automatically",
            "No HTML tags allowed",
        ],
        [
            "Cybersecurity: Paris Call of 12 November 2018 for Trust and Security in Cyberspace",
            "A call to tackle new threats together",
            "Paris Digital Week, a chance to bring together a wide range of partners",
            "Supporters of the Paris Call are therefore committed to working together to:",
            "- increase prevention against and resilience to malicious online activity;",
            "- work together to strengthen the relevant international standards.",
            "- The Internet Governance Forum, under the title ‘Internet of Trust’, at UNESCO on 12-14 November.",
            "Mr Jean-Yves Le Drian, laid out the challenges and objectives of the Paris Call.",
            "The Call was then officially launched later that day by the President of the French Republic",
        ],
    ),
    "001_a413359435babacf.txt": (
        [
            "Tel.: +41 (0)79 571 8287",
            "Learn more about the Centre for Cybersecurity",
            "Notes to editors:",
            "Read the Forum Agenda at",
            "Become a fan of the Forum on Facebook at",
            "Watch Forum videos at",
            "Follow the Forum on Twitter via @wef and @davos",
            "Follow the Forum on Instagram at",
            "Follow the Forum on LinkedIn at",
            "Learn about the Forum’s impact on",
            "Subscribe to Forum news releases at",
            "All opinions expressed are those of the author",
            "About Us",
            "Partners & Members",
            "Join Us",
            "Language Editions",
            "Privacy Policy & Terms of Service",
            "© 2024 World Economic Forum",
        ],
        [
            "World Economic Forum Joins the Paris Call for Trust and Security in Cyberspace",
            "12 Nov 2018",
            "- The Call is a recognition of private sector’s key role in tackling cybercrime and preventing cyber incidents",
            "The World Economic Forum has announced today that it will join the Paris Call",
            "said Troels Oerting, Head of the Centre for Cybersecurity, the World Economic Forum.",
            "- Take steps to prevent “hack-back”",
            "- Work together to strengthen the relevant international norms",
            "The Forum will hold its “Annual Gathering of the Centre for Cybersecurity” in Geneva",
        ],
    ),
    "002_e3a686feb371f8ab.txt": (
        ["Global Editions", "by TR Pakistan", "Read more: Examining the Cybercrime Law", "Related posts"],
        [
            "Emmanuel Macron launches “Paris Call” against cybercrime",
            "The call has been supported by 51 states.",
            "three crucial players on the international stage — the US, Russia and China",
            "including Facebook, Google and Microsoft, have signed on.",
            "Israel, Iran, Saudi Arabia and North Korea also refrained from signing the pledge.",
            "is being seen as a push for stronger global cooperation against aggressive nationalism.",
        ],
    ),
    "003_f722c00d60bd1fac.txt": (
        [
            "Font size:",
            "Page background:",
            "Letter spacing:",
            "Disable visually impaired version close",
            "Version for visually impaired people",
            "Previous News Next news",
        ],
        [
            "Paris Call is similar to Russian initiatives",
            "On January 31, Infoforum 2019, the largest cybersecurity event in Russia, will open in Moscow.",
            "The initiative was named the Paris Call for Trust and Security in Cyberspace.",
            "the main principles of the Paris Call mostly coincide with Russia’s initiative",
            "Mikhail Anisimov said.",
        ],
    ),
    "004_05c4b135a9164cd9.txt": (
        [
            "Contact: Dominic Parker",
            "020 7290 9882",
            "Find out more about the Paris Call here",
            "For more information, please visit",
        ],
        [
            "BritishAmerican Business Signs The Paris Call for Trust and Security in Cyberspace",
            "12 November 2019",
            "To work towards this, the Paris Call underscores certain fundamental principles and priorities to focus on:",
            "- Preventing activity that intentionally and substantially damages the general availability or "
            "integrity of the public core of the Internet;",
            "- Supporting efforts to strengthen an advanced cyber hygiene for all actors;",
            "- Promoting the widespread acceptance and implementation of international norms of responsible "
            "behaviour as well as confidence-building measures in cyberspace.",
            "About BritishAmerican Business",
            "we support policies and action that will protect and enhance the environment for trade",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_debris_removed_and_content_kept(name: str) -> None:
    debris, content = SEEDS[name]
    cleaned = clean_text(_raw(name))
    for fragment in debris:
        assert fragment not in cleaned, f"debris survived in {name}: {fragment!r}"
    for sentence in content:
        assert sentence in cleaned, f"content lost in {name}: {sentence!r}"


def test_seed_000_comment_form_block_fully_dropped() -> None:
    cleaned = clean_text(_raw("000_91691e180abb13d2.txt"))
    assert cleaned.rstrip().endswith("with many supporters of this multilateral initiative in attendance.")
    assert "<a>" not in cleaned and "HTML" not in cleaned


def test_seed_bullets_normalised_and_all_principles_kept() -> None:
    cleaned = clean_text(_raw("004_05c4b135a9164cd9.txt"))
    bullets = [line for line in cleaned.splitlines() if line.startswith("- ")]
    assert len(bullets) == 9
    assert "•" not in cleaned and "·" not in clean_text(_raw("001_a413359435babacf.txt"))


def test_seed_001_summary_bullets_kept_but_link_bullet_dropped() -> None:
    cleaned = clean_text(_raw("001_a413359435babacf.txt"))
    bullets = [line for line in cleaned.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3 + 8  # three summary points, eight commitments
    assert cleaned.rstrip().endswith("in Geneva, Switzerland on 26 and 27 November 2018.")


def test_paragraph_structure_kept() -> None:
    cleaned = clean_text(_raw("003_f722c00d60bd1fac.txt"))
    paragraphs = [p for p in cleaned.split("\n\n") if p.strip()]
    assert len(paragraphs) == 6  # heading + five paragraphs
    assert "\n\n\n" not in cleaned and cleaned == cleaned.strip()


BLOG_POST = """\
Skip to main content
Home › Blog › Cyber policy
This website uses cookies to ensure you get the best experience on our website. Learn more
Accept all
Reject
Why the Paris Call still matters

Posted by Admin

Five years after its launch, the Paris Call remains the largest multistakeholder commitment on cyberspace. Its nine principles cover everything from election security to hack-back.
Share on LinkedIn
Tweet
Email
Print

Join the Paris Call

Any organisation can join the Paris Call by filling in a short form on its website.

* Protect individuals and infrastructure against cyber attacks.
* Defend the integrity of elections.

Follow us on Instagram
Like us on Facebook
Tags: cyber, paris call
You may also like
The views expressed in this article are those of the author and do not necessarily reflect the position of this blog.

Leave a Reply

Your email address will not be published. Required fields are marked *
Comment *
Name *
Email *
Website
Save my name, email, and website in this browser for the next time I comment.
Post Comment
"""

NEWS_PAGE = """\
Menu
News | Events | Publications | About
Text size: A A A
High contrast
Cyber diplomacy

Ministers discuss the Paris Call in Geneva
By Jane Smith
3 March 2020
Foreign ministers met in Geneva on Tuesday to discuss the implementation of the Paris Call. Mr. Dupont said that 78 states now support it.
Contact between states and companies was the main theme of the meeting.
Click here to read the full statement
Download the report at
Sign up for our newsletter
Newsletter
Careers
Terms of Use | Privacy Policy | Cookie Settings
Copyright 2020 Example Media Ltd. All rights reserved.
"""

PRESS_RELEASE = """\
Acme Security endorses the Paris Call
For immediate release
Acme Security today announced that it has endorsed the Paris Call for Trust and Security in Cyberspace.
“Security is a shared responsibility,” said the chief executive.
Media contact: Ana Li, press@acme.example, +33 1 23 45 67 89
Phone: 0800 123 4567
press@acme.example
https://acme.example/press
About Acme Security
Acme Security builds tools that help hospitals recover from ransomware attacks.
For media enquiries, please visit
"""


def test_generic_blog_post_debris() -> None:
    cleaned = clean_text(BLOG_POST)
    lines = _lines(cleaned)
    for debris in [
        "Skip to main content",
        "Home › Blog › Cyber policy",
        "Accept all",
        "Reject",
        "Posted by Admin",
        "Share on LinkedIn",
        "Tweet",
        "Email",
        "Print",
        "Follow us on Instagram",
        "Like us on Facebook",
        "Tags: cyber, paris call",
        "You may also like",
        "Leave a Reply",
        "Comment *",
        "Name *",
        "Website",
        "Post Comment",
    ]:
        assert debris not in lines, debris
    for fragment in ["uses cookies", "views expressed", "will not be published", "Save my name"]:
        assert fragment not in cleaned
    for content in [
        "Why the Paris Call still matters",
        "Join the Paris Call",
        "Its nine principles cover everything from election security to hack-back.",
        "Any organisation can join the Paris Call by filling in a short form on its website.",
        "- Protect individuals and infrastructure against cyber attacks.",
        "- Defend the integrity of elections.",
    ]:
        assert content in cleaned, content


def test_generic_news_page_nav_and_footer() -> None:
    cleaned = clean_text(NEWS_PAGE)
    assert cleaned.splitlines()[0] == "Cyber diplomacy"
    for fragment in [
        "Menu",
        "Publications",
        "Text size",
        "High contrast",
        "By Jane Smith",
        "Click here",
        "Download",
        "newsletter",
        "Newsletter",
        "Careers",
        "Terms of Use",
        "Copyright",
        "All rights reserved",
    ]:
        assert fragment not in cleaned, fragment
    for content in [
        "Ministers discuss the Paris Call in Geneva",
        "3 March 2020",
        "Mr. Dupont said that 78 states now support it.",
        "Contact between states and companies was the main theme of the meeting.",
    ]:
        assert content in cleaned, content


def test_generic_press_release_contacts() -> None:
    cleaned = clean_text(PRESS_RELEASE)
    for fragment in ["Ana Li", "+33", "0800", "press@acme.example", "https://", "please visit"]:
        assert fragment not in cleaned, fragment
    for content in [
        "Acme Security endorses the Paris Call",
        "“Security is a shared responsibility,” said the chief executive.",
        "About Acme Security",
        "help hospitals recover from ransomware attacks.",
    ]:
        assert content in cleaned, content


def test_content_resembling_debris_is_kept() -> None:
    kept = [
        "Microsoft and Facebook join the Paris Call",
        "Tech firms such as Facebook and Google signed the Call on 12 November 2018.",
        "States like France post updates on Twitter.",
        "The meeting took place at 10.30 on 12.11.2018 in room 4.",
        "The Call says nothing about cookies on websites, its supporters noted.",
        "Related initiatives in Russia",
        "Visit of President Macron to Moscow",
        "Recommended practices for cyber hygiene",
        "Back to basics in cyber hygiene",
        "Register of cyber incidents",
        "Comments",
        "Supporters commit to the following, as set out below:",
        "The future is here",
        "Contact between states and companies",
        "About BritishAmerican Business",
    ]
    text = "\n\n".join([*kept, "Privacy", "Follow us on Twitter!", "The last paragraph of the article ends here."])
    cleaned = clean_text(text)
    for line in kept:
        assert line in _lines(cleaned), line
    assert "Privacy" not in _lines(cleaned)  # a bare menu word
    assert "Follow us on Twitter!" not in cleaned


def test_normalisation() -> None:
    raw = "The future\u00a0 is here\r\n\r\n\r\n  •\titem one;\n\n  ·  item two.\n\u200bText  with   spaces.\n"
    assert clean_text(raw) == "The future is here\n\n- item one;\n- item two.\nText with spaces."


def test_trailing_list_of_names_is_kept() -> None:
    text = "The Call was signed by several states.\n\nSignatories include:\nFrance\nGermany\nJapan\n"
    assert clean_text(text) == "The Call was signed by several states.\n\nSignatories include:\nFrance\nGermany\nJapan"


def test_orphan_labels_and_closing_heading_dropped() -> None:
    text = "The Call was signed by several states.\n\nNotes to editors:\n\nMore stories\n\nSome Closing Heading\n"
    assert clean_text(text) == "The Call was signed by several states."


def test_empty_and_all_debris() -> None:
    assert clean_text("") == ""
    assert clean_text("About Us\nJoin Us\n© 2024 Example\n") == ""
