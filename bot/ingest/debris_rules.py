"""Line rules for web-page debris: does this one line look like page furniture?

Each rule is a general feature of site chrome, not a line of a particular page: a short
line made of navigation, share or consent vocabulary; a "Follow us on <platform>" call; a
link line whose link was stripped ("Watch our videos at"); copyright, cookie and disclaimer
boilerplate; accessibility-widget labels; contact lines dense in phone numbers or emails;
orphan profile fields and bylines. `debris.clean_text` applies them line by line.
"""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"[.!?…][\"”’'»)\]]*$")

_WORD = re.compile(r"[^\W_]+(?:[’'.\-][^\W_]+)*")
_TAG = re.compile(r"</?[a-z][a-z0-9]*\s*/?>", re.I)

# Words of navigation menus, footers and legal links; a short line made only of these
# (plus glue words) is a menu item, not a heading of the article.
_NAV_WORDS = frozenset(
    [
        "home",
        "homepage",
        "about",
        "contact",
        "contacts",
        "partners",
        "partner",
        "members",
        "member",
        "membership",
        "join",
        "language",
        "languages",
        "edition",
        "editions",
        "global",
        "news",
        "newsroom",
        "press",
        "media",
        "events",
        "blog",
        "blogs",
        "menu",
        "search",
        "login",
        "logout",
        "log",
        "sign",
        "signin",
        "signup",
        "register",
        "account",
        "subscribe",
        "newsletter",
        "newsletters",
        "careers",
        "jobs",
        "donate",
        "shop",
        "store",
        "sitemap",
        "faq",
        "faqs",
        "help",
        "previous",
        "prev",
        "next",
        "back",
        "top",
        "more",
        "older",
        "newer",
        "posts",
        "post",
        "articles",
        "article",
        "stories",
        "story",
        "related",
        "popular",
        "latest",
        "recent",
        "trending",
        "tags",
        "tag",
        "categories",
        "category",
        "archive",
        "archives",
        "privacy",
        "policy",
        "policies",
        "terms",
        "conditions",
        "service",
        "use",
        "cookies",
        "cookie",
        "settings",
        "preferences",
        "legal",
        "notice",
        "notices",
        "imprint",
        "disclaimer",
        "accessibility",
        "skip",
        "content",
        "main",
        "navigation",
        "nav",
        "team",
        "mission",
        "resources",
        "publications",
        "rss",
        "feed",
        "print",
        "close",
        "open",
        "toggle",
        "view",
        "all",
        "page",
        "pages",
        "site",
        "website",
        "map",
        "english",
        "français",
        "deutsch",
        "español",
        "русский",
        "menu",
    ]
)
_GLUE = frozenset(
    [
        "the",
        "of",
        "and",
        "&",
        "a",
        "an",
        "to",
        "for",
        "on",
        "us",
        "our",
        "your",
        "with",
        "in",
        "we",
        "who",
        "what",
        "do",
        "are",
        "is",
        "at",
    ]
)

_SHARE_WORDS = frozenset(
    [
        "share",
        "shares",
        "sharing",
        "tweet",
        "retweet",
        "email",
        "e-mail",
        "mail",
        "print",
        "pin",
        "it",
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "whatsapp",
        "reddit",
        "telegram",
        "pinterest",
        "pocket",
        "flipboard",
        "copy",
        "link",
        "this",
        "article",
        "page",
        "post",
        "on",
        "via",
        "full",
        "text",
        "save",
        "like",
        "send",
        "messenger",
        "vk",
        "weibo",
        "wechat",
        "bluesky",
        "mastodon",
        "threads",
        "url",
    ]
)
_SHARE_CORE = frozenset(
    [
        "share",
        "shares",
        "sharing",
        "tweet",
        "retweet",
        "pin",
        "facebook",
        "twitter",
        "linkedin",
        "whatsapp",
        "reddit",
        "telegram",
        "pinterest",
    ]
)
_CONSENT_WORDS = frozenset(
    [
        "accept",
        "all",
        "reject",
        "decline",
        "agree",
        "i",
        "ok",
        "okay",
        "got",
        "it",
        "allow",
        "deny",
        "cookies",
        "manage",
        "preferences",
        "settings",
        "customize",
        "customise",
        "necessary",
        "only",
        "essential",
        "dismiss",
        "save",
        "and",
    ]
)
_CONSENT_CORE = frozenset(["accept", "reject", "decline", "agree", "allow", "deny", "dismiss", "ok", "okay", "got"])

_PLATFORMS = (
    r"twitter|x|facebook|instagram|linkedin|youtube|tiktok|telegram|whatsapp|mastodon|"
    r"bluesky|threads|flickr|pinterest|soundcloud|spotify|weibo|wechat|vk|vimeo"
)
_SOCIAL = re.compile(
    r"\b(follow|like|join|connect|find|fan|subscribe|watch|chat|listen|see)\b.*"
    rf"\b(on|via|at)\s+(?:{_PLATFORMS})\b|\bvia\s+@\w+|^follow\b.*@\w+",
    re.I,
)
_SOCIAL_START = re.compile(r"^(follow|like|join|connect|find|become|subscribe|watch|chat|listen|see)\b", re.I)
_CALL_TO_ACTION = re.compile(
    r"^(read more|read also|also read|see also|related (posts?|articles?|stories|news|content|links|"
    r"reading|topics)|related\s*:|learn more|learn about|find out|find more|find here|"
    r"click (here|to|on|below|the link)|more info(rmation)?|discover more|see more|view more|"
    r"download|visit (our|us|the|www|https?)|subscribe( to| now| here|$)|sign up|"
    r"register (now|here|today|online|for|to)|continue reading|more on this|you may also like|"
    r"recommended( for you| reading| articles| posts| stories)?$|share (this|on)|"
    r"back to (top|home|homepage|news|list|overview|the top|previous page|all))\b",
    re.I,
)
_DANGLING_END = frozenset(["at", "on", "visit", "via"])
_DANGLING_IF_LINKY = frozenset(["here", "below", "website", "link", "page"])
_LINK_WORDS = re.compile(r"\b(here|visit|click|link|website|download|read|find|learn|full te[xs]t)\b", re.I)
_LINK_VERBS = re.compile(
    r"\b(find|click|read|learn|see|download|visit|more|information|details|available|access|full)\b", re.I
)

_COMMENT_HELP = re.compile(
    r"allowed html tags|no html tags allowed|html tags allowed|"
    r"lines and paragraphs break automatically|"
    r"(web page|e-?mail) addresses.{0,200}turn into links|your e-?mail address will not be published|"
    r"required fields are marked|save my name,? e-?mail|notify me of (new|follow-up)|"
    r"you must be (logged|signed) in to (post|leave)|log in (or register )?to post comments|"
    r"this question is for testing whether|more information about text formats|"
    r"comments? (are|is) closed|cancel reply|submit comment|"
    r"^(filtered|full|restricted|basic|plain) (html|text)$|"
    r"^(name|e-?mail|website|comment|subject|homepage|text format)\s*\*?:?$",
    re.I,
)
_LEGAL = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\s+(©\s*)?\d{4}|all rights reserved", re.I)
_COOKIE = re.compile(
    r"\b(we|this (web)?site|our (web)?site)( also)? uses? cookies|\bcookies? (policy|settings|"
    r"preferences|consent|banner)\b|\baccept (all )?cookies|(agree|consent) to (the|our) use of cookies|"
    r"by (continuing|using) (to (browse|use) )?(this|our) (web)?site",
    re.I,
)
_DISCLAIMER = re.compile(
    r"(opinions|views) expressed (in this \w+ |here(in)? )?are (solely )?(those|the \w+) of the "
    r"(author|writer|contributor)|do(es)? not necessarily (reflect|represent)|"
    r"for (general )?informational purposes only|does not constitute (\w+ )?advice",
    re.I,
)
_ACCESSIBILITY = re.compile(
    r"\b((font|text) size|page background|letter spacing|line (height|spacing)|visually impaired|"
    r"high contrast|colou?r scheme|screen reader|accessibility (mode|settings|version)|"
    r"(increase|decrease|reset) (font|text)|images? (on|off)\b)",
    re.I,
)
_PHONE = re.compile(r"(?:\+\s?\d{1,3}[\s.-]?)?(?:\(0?\d{1,4}\)\s?)?\d[\d\s.-]{5,}\d")
_CONTACT_WORD = re.compile(
    r"\b(tel|phone|telephone|mobile|mob|fax|contact|e-?mail|press office|communications|"
    r"media (contact|enquiries|inquiries))\b",
    re.I,
)
_CONTACT_LABEL = re.compile(
    r"^(contact|media contact|press contact|press office|media (enquiries|inquiries)|tel|phone|"
    r"fax|mobile|e-?mail)\s*[:.]",
    re.I,
)
# Starts only where a run of address characters starts: a long run without "@" is then
# read once, not once per position in it.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(\.[\w-]+)+")
_BARE_LINK = re.compile(r"^(<?https?://\S+>?|www\.\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|@\w+)$", re.I)
_PROFILE_FIELD = re.compile(
    r"^(position|job title|role|affiliation|organi[sz]ation|company|location|posted by|"
    r"written by|author|posted on|published on|last updated|updated on|tags|categories|"
    r"filed under|topics|share)\s*:",
    re.I,
)
_BYLINE = re.compile(r"^([Bb]y|[Ww]ritten by|[Pp]osted by)\s+[A-Z\u00c0-\u024f]")
_BREADCRUMB = re.compile(r"\s[›»>/]\s")


def _words(body: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(body)]


def is_debris(body: str) -> bool:
    """Whether one line (bullet marker already removed) is page furniture."""
    words = _words(body)
    n = len(words)
    ends = bool(SENTENCE_END.search(body))
    if not words:
        return True  # decorative rules, lone symbols
    if (n <= 40 and _COMMENT_HELP.search(body)) or len(_TAG.findall(body)) >= 3:  # help lines are short
        return True
    if n <= 8 and all(w in _SHARE_WORDS for w in words) and _SHARE_CORE.intersection(words):
        return True
    if n <= 20 and _SOCIAL.search(body) and (not ends or (n <= 8 and _SOCIAL_START.match(body))):
        return True
    if (
        body[-1].isalnum()
        and n <= 20
        and (words[-1] in _DANGLING_END or (words[-1] in _DANGLING_IF_LINKY and _LINK_VERBS.search(body)))
    ):
        return True  # "Watch our videos at", "Read the report here": the link was stripped
    if body.endswith(":") and n <= 8 and _LINK_WORDS.search(body):
        return True
    if (not ends or body.endswith(":")) and n <= 12 and _CALL_TO_ACTION.search(body):
        return True
    if not ends and n <= 7 and all(w in _NAV_WORDS or w in _GLUE for w in words):
        return True
    if not ends and n <= 15 and len(_BREADCRUMB.findall(body)) >= 2:
        return True
    if n <= 30 and (_LEGAL.search(body) or _COOKIE.search(body)):
        return True
    if n <= 5 and all(w in _CONSENT_WORDS for w in words) and _CONSENT_CORE.intersection(words):
        return True
    if n <= 80 and _DISCLAIMER.search(body[:200]):
        return True
    if n <= 10 and _ACCESSIBILITY.search(body):
        return True
    if n <= 40 and _is_contact(body):
        return True
    if _BARE_LINK.match(body):
        return True
    if not ends and n <= 30 and _PROFILE_FIELD.match(body):
        return True
    return bool(not ends and n <= 6 and _BYLINE.match(body))


def _is_contact(body: str) -> bool:
    """Contact lines: phone numbers next to contact vocabulary, or a label like 'Email:'."""
    for match in _PHONE.finditer(body):
        digits = sum(ch.isdigit() for ch in match.group())
        if digits >= 8 and (_CONTACT_WORD.search(body) or "|" in body or match.group().startswith("+")):
            return True
    if _CONTACT_LABEL.match(body) and len(body.split()) <= 25:
        return True
    return bool(_EMAIL.search(body)) and len(body.split()) <= 15 and not SENTENCE_END.search(body)
