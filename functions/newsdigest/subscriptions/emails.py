"""Render digest and confirmation emails (HTML + plain text) and the subscription pages; assemble MIME.

Article titles and texts are untrusted: the HTML templates are autoescaped, links are only ever http(s),
and the HTML part is kept under Gmail's clipping limit by showing fewer articles (with a link to the rest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from newsdigest.config import MAX_DIGEST_ARTICLES, MAX_EMAIL_HTML_BYTES

if TYPE_CHECKING:
    from jinja2 import Environment

    from newsdigest.articles.models import ArticleHeader

MAX_DIGEST_SENTENCES = 5
MAX_OUTLINE_ITEMS = 6
MAX_SENTENCE_CHARS = 600


@cache
def _environment() -> Environment:
    """Built on the first render, so that importing this module (and a cold start) skips Jinja2."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("newsdigest.subscriptions", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _clip(text: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe_link(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("https://", "http://")) else None


@dataclass(frozen=True)
class SectionGist:
    heading: str
    gist: str | None


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str | None
    source: str | None
    digest: list[str] = field(default_factory=list)
    outline: list[SectionGist] = field(default_factory=list)


def digest_item(article: ArticleHeader) -> DigestItem:
    # Only digests need the article models: SubscriptionsFunction and MailEventsFunction never load them.
    from newsdigest.articles.models import current_summary

    summary = current_summary(article)
    digest = [_clip(s.text) for s in summary.digest][:MAX_DIGEST_SENTENCES]
    outline = [
        SectionGist(heading=_clip(o.heading, 200), gist=_clip(o.gist.text) if o.gist else None)
        for o in summary.outline
        if o.heading
    ][:MAX_OUTLINE_ITEMS]
    return DigestItem(
        title=_clip(article.title, 300),
        url=_safe_link(article.url),
        source=article.source,
        digest=digest,
        outline=outline,
    )


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    shown: int = 0
    total: int = 0


def render_digest(
    items: list[DigestItem],
    *,
    period_label: str,
    unsubscribe_url: str,
    more_url: str,
    max_html_bytes: int = MAX_EMAIL_HTML_BYTES,
    max_articles: int = MAX_DIGEST_ARTICLES,
) -> RenderedEmail:
    total = len(items)
    shown = min(total, max_articles)
    subject = f"Your news digest: {period_label} ({total} article{'s' if total != 1 else ''})"
    while True:
        context = {
            "subject": subject,
            "period_label": period_label,
            "articles": items[:shown],
            "hidden": total - shown,
            "unsubscribe_url": unsubscribe_url,
            "more_url": more_url,
        }
        html = _environment().get_template("digest.html.j2").render(context)
        size = len(html.encode("utf-8"))
        if size <= max_html_bytes or shown <= 1:
            break
        # Shrink in proportion to the overshoot, by at least one article.
        shown = max(1, min(shown - 1, int(shown * max_html_bytes / size)))
    text = _environment().get_template("digest.txt.j2").render(context)
    return RenderedEmail(subject=subject, text=text, html=html, shown=shown, total=total)


def render_confirmation(*, confirm_url: str, frequency: str, timezone: str, send_hour: int) -> RenderedEmail:
    context = {
        "subject": "Confirm your news digest subscription",
        "confirm_url": confirm_url,
        "frequency": frequency,
        "timezone": timezone,
        "send_hour": send_hour,
    }
    return RenderedEmail(
        subject=context["subject"],  # type: ignore[arg-type]
        text=_environment().get_template("confirm.txt.j2").render(context),
        html=_environment().get_template("confirm.html.j2").render(context),
    )


def render_page(title: str, message: str, *, form_action: str | None = None, button: str = "") -> str:
    """A small standalone HTML page (confirmation result, unsubscribe button)."""
    return (
        _environment()
        .get_template("page.html.j2")
        .render(title=title, message=message, form_action=form_action, button=button)
    )


def build_mime(
    rendered: RenderedEmail,
    *,
    sender: str,
    to: str,
    unsubscribe_url: str | None = None,
    extra_headers: Iterable[tuple[str, str]] = (),
) -> bytes:
    """multipart/alternative (text, then HTML) with RFC 8058 one-click unsubscribe headers."""
    # The email package (tens of ms) is imported by the first message built, not by a cold start: the
    # functions that import this module for its models (mail events, the hourly run) never build one.
    import email.policy
    from email.message import EmailMessage
    from email.utils import formataddr, formatdate, make_msgid

    # No header folding: a folded or RFC 2047-encoded List-Unsubscribe URL would break one-click unsubscribe.
    message = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    message["From"] = formataddr(("newsdigest", sender))
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in extra_headers:
        message[name] = value
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    return message.as_bytes()
