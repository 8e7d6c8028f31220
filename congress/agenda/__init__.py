"""The visitor's own agenda: who the visitor is (visitor), starring (stars), /agenda/ and its device links
(pages), and the personal calendar feed (feed).

An agenda belongs to a browser, not to an account: it is created on the first star and found again through a
random token held in an HttpOnly cookie. Only the SHA-256 digest of the token is stored, so every app process
can serve it and a database dump does not reveal live feed addresses. The token also is the address of the
personal feed and of the "use on another device" link; a reset retires it (the old feed then answers 410).

Public pages carry nothing of it: they are the same bytes for everyone. The small private request of
`stars.state` tells the page's script which stars to press and the count to show.
"""
