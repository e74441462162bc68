"""A very small browser on http.client for the cluster test: cookies, redirects, forms (with
their CSRF token), multipart uploads and htmx requests — and a log of which app server answered
each request (the X-Served-By header) with which session cookie."""

import http.client
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

SERVED_BY = "X-Served-By"
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class Hop:
    method: str
    path: str
    status: int
    served_by: str
    session: str


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    values: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)  # select name -> [(value, label)]
    file_fields: list = field(default_factory=list)

    def fill(self, **values) -> "Form":
        for name, value in values.items():
            self.set(name, value)
        return self

    def set(self, name: str, value) -> "Form":
        if name not in self.values:
            raise KeyError(f"the form has no field {name!r}: {sorted(self.values)}")
        self.values[name] = str(value)
        return self

    def choose(self, name: str, label_part: str) -> "Form":
        """Select the option whose label contains `label_part` (labels may be indented)."""
        for value, label in self.options.get(name, []):
            if label_part in label:
                return self.set(name, value)
        raise KeyError(f"no option of {name!r} contains {label_part!r}: {self.options.get(name)}")

    def pick_unit(self, name: str, unit_name: str) -> "Form":
        """A unit field: a <select> of units, or the unit picker's text box, which without
        JavaScript sends the typed name as `<name>_name` (qnwmh/units/picker.py)."""
        if name in self.options:
            return self.choose(name, unit_name)
        return self.set(f"{name}_name", unit_name)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._option: list | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "form":
            self._form = Form(
                a.get("action", ""),
                a.get("method", "get").lower(),
                a.get("enctype", "application/x-www-form-urlencoded"),
            )
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag, a):
        name = a.get("name", "")
        kind = a.get("type", "text").lower()
        if tag == "input" and name and kind == "file":
            self._form.file_fields.append(name)
        elif tag == "input" and name and kind not in ("submit", "button", "image"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._form.values[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self._form.options[name] = []
        elif tag == "option" and self._select:
            self._option = [a.get("value", ""), "selected" in a]
            self._text = []
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data):
        if self._option is not None or self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._form.options[self._select].append((value, "".join(self._text).strip()))
            # A single select sends its selected option, or its first one.
            if selected or self._select not in self._form.values:
                self._form.values[self._select] = value
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.values[self._textarea] = "".join(self._text).lstrip("\n")
            self._textarea = None


@dataclass
class Page:
    status: int
    path: str
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def served_by(self) -> str:
        return self.headers.get(SERVED_BY, "")

    def _parsed(self) -> _PageParser:
        parser = _PageParser()
        parser.feed(self.text)
        return parser

    @property
    def links(self) -> list[str]:
        return self._parsed().links

    @property
    def stylesheets(self) -> list[str]:
        return self._parsed().stylesheets

    def form(self, matches: Callable[[Form], bool]) -> Form:
        """The first form of the page that `matches`."""
        for form in self._parsed().forms:
            if matches(form):
                return form
        raise AssertionError(f"no such form on {self.path} ({self.status}):\n{self.text[:3000]}")


class Browser:
    """One person's browser: its own cookies. Every request goes through nginx."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host, self.port = parts.hostname, parts.port or 80
        self.cookies: dict[str, str] = {}
        self.log: list[Hop] = []
        # Where in the log the person finished logging in.
        self.logged_in_at = 0

    @property
    def session(self) -> str:
        return self.cookies.get("sessionid", "")

    def get(self, path: str, headers: dict | None = None) -> Page:
        return self._follow("GET", path, None, headers or {})

    def submit(self, form: Form, page_path: str, *, button=None, files=None) -> Page:
        """Send a form as a browser does: its fields (CSRF token included), the button pressed
        and any files, to its action (or the page's own address)."""
        assert self.cookies.get("csrftoken"), "the csrftoken cookie must be set before a POST"
        assert form.values.get("csrfmiddlewaretoken"), "the form carries no CSRF token"
        fields = list(form.values.items())
        if button is not None:
            fields.append(button)
        action = urljoin(page_path, form.action or page_path)
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "Origin": self.origin}
        return self._follow(form.method.upper(), action, body, headers)

    def _follow(self, method, path, body, headers) -> Page:
        page = self._request(method, path, body, headers)
        for _ in range(10):
            if page.status not in REDIRECTS:
                return page
            location = urlsplit(urljoin(path, page.headers["Location"]))
            path = location.path + (f"?{location.query}" if location.query else "")
            page = self._request("GET", path, None, {})
        raise AssertionError(f"too many redirects at {path}")

    def _request(self, method, path, body, headers) -> Page:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        all_headers = {
            "User-Agent": "qnwmh-cluster-test",
            "Accept-Language": "zh-CN,zh;q=0.9",
            **headers,
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        session = self.session
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            page = Page(response.status, path, response.headers, response.read())
        finally:
            connection.close()
        self._remember_cookies(page.headers)
        self.log.append(Hop(method, path, page.status, page.served_by, session))
        return page

    def _remember_cookies(self, headers) -> None:
        for raw in headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def _multipart(fields, files) -> tuple[bytes, str]:
    boundary = "qnwmh" + secrets.token_hex(12)
    chunks = []
    for name, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        chunks.append(f"{head}{value}\r\n".encode())
    for name, (filename, data, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        chunks.append(head.encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
