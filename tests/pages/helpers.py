"""Reading pages the way a visitor does: which sessions are listed, what a landmark says."""

import lxml.html

SESSION_ROWS = '//article[contains(concat(" ", normalize-space(@class), " "), " session ")]'


def parse(response):
    return lxml.html.fromstring(response.content.decode())


def shown_slugs(response) -> list[str]:
    """Slugs of the session rows of a schedule page or fragment, in page order."""
    hrefs = parse(response).xpath(SESSION_ROWS + '//*[contains(@class, "session__title")]//a/@href')
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in hrefs]


def text_of(response, xpath: str) -> str:
    return " ".join(" ".join(node.text_content().split()) for node in parse(response).xpath(xpath))
