"""The images of imported cards, brought into media/ so that the project builds at once.

An image linked relative to the imported file (`![](img/ch3/3-1.png)`, `<img src=...>`) is
copied into media/ and relinked; a remote one is downloaded when it can be. An image that
cannot be had (a missing file, a download that fails) becomes a link to where it was, with
its alt text, and is listed: a card never names an image that check would refuse.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import Problem

# A download is refused past this size (Anki refuses 100 MiB; no card image is near it).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
DOWNLOAD_TIMEOUT = 10.0  # seconds, for each of connecting and each read

_MARKDOWN_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]\n]*)\]\(\s*(?:<(?P<angled>[^>\n]+)>|(?P<src>[^)\s]+))"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
    r"(?P<attributes>\{:?[^{}\n]*\})?")
# An attribute list after an image, as Pandoc, kramdown and Obsidian publishers write it
# (`{width=60%}`, `{: height="120"}`): its sizes are kept on an <img>, the rest dropped.
_SIZE = re.compile(r"""\b(width|height)\s*=\s*["']?(\d+(?:\.\d+)?(?:%|px)?)["']?""")
_REFERENCE_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\](?:\[(?P<ref>[^\]\n]*)\]|(?![(\[]))")
_DEFINITION = re.compile(r"^ {0,3}\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<target><(?P<angled>[^>\n]+)>"
                         r"|(?P<src>\S+))")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

Fetch = Callable[[str], bytes]  # a URL's bytes; raises OSError (or ValueError) when it cannot


@dataclass
class MediaPlan:
    """The files to put in media/ (name -> bytes), shared by every card file of one import."""

    media_dir: Path
    link_prefix: str  # how a card file links into media/: "../media/"
    fetch: Fetch | None
    files: dict[str, bytes] = field(default_factory=dict)
    _done: dict[str, str | None] = field(default_factory=dict)  # source -> name (None: failed)

    def name_for(self, data: bytes, wanted: str) -> str:
        """A media/ name for `data`: the wanted name, unless another file has it."""
        stem, suffix = posixpath.splitext(_safe_name(wanted))
        name = f"{stem}{suffix}"
        existing = self.files.get(name)
        if existing is None and (self.media_dir / name).is_file():
            existing = (self.media_dir / name).read_bytes()
        if existing is None or existing == data:
            return name
        return f"{stem}-{hashlib.sha1(data).hexdigest()[:8]}{suffix}"


def bring_images(text: str, source: Path, plan: MediaPlan, source_text: str,
                 shown: str) -> tuple[str, list[Problem]]:
    """A card file's text with its images in media/; what could not be brought is listed
    (at the image's line in the source file) and linked instead."""
    out: list[str] = []
    problems: list[_Missing] = []
    prose = _prose(text.split("\n"))
    # Reference-style images (`![alt][label]`, `![label]`) take their address from a
    # definition line (`[label]: img/x.png`): those definitions are brought like images.
    labels = {_label_key(m.group("ref") or m.group("alt")) for index in prose
              for m in _REFERENCE_IMAGE.finditer(text.split("\n")[index])}
    failed: set[str] = set()
    for index, line in enumerate(text.split("\n")):
        if index in prose:
            line = _MARKDOWN_IMAGE.sub(lambda g: _markdown(g, source, plan, problems), line)
            line = _HTML_IMAGE.sub(lambda g: _html(g, source, plan, problems), line)
            definition = _DEFINITION.match(line)
            if definition and _label_key(definition.group("label")) in labels:
                src = definition.group("angled") or definition.group("src")
                name = _bring(src, source, plan, problems)
                if name is None:
                    failed.add(_label_key(definition.group("label")))
                elif name is not False:
                    line = (line[:definition.start("target")] + f"{plan.link_prefix}{name}"
                            + line[definition.end("target"):])
        out.append(line)
    if failed:  # an image that could not be had becomes a link to its definition's address
        out = [_REFERENCE_IMAGE.sub(lambda m: m.group(0)[1:] if _label_key(
            m.group("ref") or m.group("alt")) in failed else m.group(0), line)
            if index in prose else line for index, line in enumerate(out)]
    return "\n".join(out), [Problem(shown, _line_in(source_text, p.needle), p.message, "warning")
                            for p in problems]


def _prose(lines: list[str]) -> set[int]:
    """The indexes of the lines outside fenced code."""
    found, fence = set(), None
    for index, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
        else:
            found.add(index)
    return found


def _label_key(label: str) -> str:
    """Reference labels match case-insensitively, with runs of spaces as one."""
    return " ".join(label.lower().split())


@dataclass(frozen=True)
class _Missing:
    """An image that could not be brought, before its line in the source is known."""

    message: str
    needle: str  # the image's address as written


def _markdown(m: re.Match[str], source: Path, plan: MediaPlan, problems: list[_Missing]) -> str:
    src = m.group("angled") or m.group("src")
    alt = m.group("alt")
    name = _bring(src, source, plan, problems)
    if name is None:
        return f"[{alt or _label(src)}]({_link_target(src)})"
    target = src if name is False else f"{plan.link_prefix}{name}"
    sizes = _SIZE.findall(m.group("attributes") or "")
    if sizes:  # Markdown has no sizes: the image as HTML, which keeps them
        attributes = "".join(f' {key}="{value.removesuffix("px")}"' for key, value in sizes)
        return (f'<img src="{html.escape(target)}" alt="{html.escape(alt)}"'
                f"{attributes}>")
    if name is False and not m.group("attributes"):
        return m.group(0)
    return f"![{alt}]({target})"


def _html(m: re.Match[str], source: Path, plan: MediaPlan, problems: list[_Missing]) -> str:
    tag = m.group(0)
    found = {a.group(1).lower(): html.unescape(a.group(2) or a.group(3) or a.group(4) or "")
             for a in _ATTRIBUTE.finditer(tag)}
    src = found.get("src", "")
    if not src:
        return tag
    name = _bring(src, source, plan, problems)
    if name is False:
        return tag
    if name is None:
        alt = found.get("alt") or _label(src)
        return f'<a href="{html.escape(src)}">{html.escape(alt, quote=False)}</a>'
    return tag.replace(next(a.group(0) for a in _ATTRIBUTE.finditer(tag)
                            if a.group(1).lower() == "src"), f'src="{plan.link_prefix}{name}"')


def _bring(src: str, source: Path, plan: MediaPlan, problems: list[_Missing]) -> str | None | bool:
    """The media/ name now holding the image; None if it could not be had; False if it needs
    nothing (already in media/, or an inline data: image)."""
    if src.startswith(plan.link_prefix) or src.startswith("data:"):
        return False
    if src in plan._done:
        return plan._done[src]
    name: str | None
    remote = src.startswith("//") or _SCHEME.match(src) is not None
    if remote:
        name = _download(src, plan, problems)
    else:
        path = (source.parent / unquote(src.split("#")[0].split("?")[0])).resolve()
        if path.is_file():
            data = path.read_bytes()
            name = plan.name_for(data, path.name)
            plan.files[name] = data
        else:
            problems.append(_Missing(f"image {src!r} not found next to the imported file: "
                                     "linked instead of shown (put the file in media/ and "
                                     f"link it as {plan.link_prefix}NAME)", src))
            name = None
    plan._done[src] = name
    return name


def _download(url: str, plan: MediaPlan, problems: list[_Missing]) -> str | None:
    full = "https:" + url if url.startswith("//") else url
    scheme = urlsplit(full).scheme.lower()
    why = "only http and https are downloaded" if scheme not in ("http", "https") else \
        "downloads are off" if plan.fetch is None else ""
    if not why:
        try:
            data = plan.fetch(full)  # type: ignore[misc]
        except (OSError, ValueError) as exc:
            why = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
        else:
            suffix = image_suffix(data)
            if suffix is None:
                why = "what came back is not an image"
            else:
                wanted = unquote(posixpath.basename(urlsplit(full).path)) or "image"
                if posixpath.splitext(wanted)[1].lower() not in _SUFFIXES[suffix]:
                    wanted += suffix  # `render?id=3`: the name says what the bytes are
                name = plan.name_for(data, wanted)
                plan.files[name] = data
                return name
    problems.append(_Missing(f"remote image {url!r} could not be downloaded ({why}): linked "
                             "instead of shown (cards work offline: put the file in media/)", url))
    return None


# What a downloaded file's first bytes say it is, and the suffixes that name it.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"),
          (b"GIF89a", ".gif"), (b"BM", ".bmp"), (b"\x00\x00\x01\x00", ".ico"))
_SUFFIXES = {".png": {".png"}, ".jpg": {".jpg", ".jpeg", ".jpe"}, ".gif": {".gif"},
             ".bmp": {".bmp"}, ".ico": {".ico"}, ".webp": {".webp"}, ".svg": {".svg"},
             ".avif": {".avif"}}


def image_suffix(data: bytes) -> str | None:
    """The suffix of the image format `data` is in (by its first bytes), else None."""
    for magic, suffix in _MAGIC:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return ".avif"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in head:
        return ".svg"
    return None


def fetch_url(url: str) -> bytes:
    """Download an image: bounded in time and size; OSError or ValueError when it cannot."""
    from urllib.request import Request, urlopen

    request = Request(url, headers={"User-Agent": "deckbuild-import"})
    with urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310 - http(s) only
        if response.status != 200:
            raise OSError(f"HTTP {response.status}")
        data = response.read(MAX_DOWNLOAD_BYTES + 1)
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ValueError(f"larger than {MAX_DOWNLOAD_BYTES // (1024 * 1024)} MiB")
    if not data:
        raise ValueError("empty")
    return data


def _safe_name(name: str) -> str:
    name = re.sub(r'[\[\]<>:"/?*^\\|\x00-\x1f#%]', "", name).strip(" .")
    return name or "image"


def _label(src: str) -> str:
    return posixpath.basename(urlsplit(src).path) or src


def _link_target(src: str) -> str:
    return f"<{src}>" if any(c in src for c in " ()") else src


def _line_in(text: str, needle: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line or needle in html.unescape(line):
            return number
    return 0
