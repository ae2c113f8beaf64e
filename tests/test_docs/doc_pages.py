"""Reading README.md and docs/*.md for the docs tests: links, headings
and marked code blocks."""
import glob
import os.path as osp
import re
from typing import Iterator, List, Tuple

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
FENCE = re.compile(r'^(```|~~~)')
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
HEADING = re.compile(r'^(#{1,6})\s+(.*?)\s*#*\s*$')
COMMAND_MARK = '<!-- test-command -->'


def markdown_files() -> List[str]:
    """README.md and every docs/*.md, as repository-relative paths."""
    docs = sorted(glob.glob(osp.join(ROOT, 'docs', '*.md')))
    return ['README.md'] + [osp.relpath(p, ROOT) for p in docs]


def prose_lines(path: str, root: str = ROOT) -> Iterator[Tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    inside = False
    with open(osp.join(root, path), encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            if FENCE.match(line.strip()):
                inside = not inside
                continue
            if not inside:
                yield number, line


def links(path: str, root: str = ROOT) -> Iterator[Tuple[int, str]]:
    """(line number, target) of every markdown link and image."""
    for number, line in prose_lines(path, root):
        # inline code is not a link: `x[0](y)`
        for target in LINK.findall(re.sub(r'`[^`]*`', '', line)):
            yield number, target


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, markup and punctuation
    dropped, spaces to hyphens."""
    text = re.sub(r'`|\*\*|\*|_(?=\W)|(?<=\W)_', '', heading.strip())
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text).lower()
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def anchors(path: str, root: str = ROOT) -> set:
    """Every heading anchor of a markdown file (duplicates get -1, -2)."""
    seen: dict = {}
    out = set()
    for _, line in prose_lines(path, root):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f'{base}-{count}')
    return out


def marked_commands(path: str) -> List[Tuple[int, str]]:
    """Commands of the code blocks that follow a ``<!-- test-command -->``
    line: (line number, command) with ``\\`` continuations joined and
    comments dropped."""
    out = []
    with open(osp.join(ROOT, path), encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i].strip() != COMMAND_MARK:
            i += 1
            continue
        i += 1
        while i < len(lines) and not FENCE.match(lines[i].strip()):
            i += 1
        i += 1
        current, start = '', 0
        while i < len(lines) and not FENCE.match(lines[i].strip()):
            line = lines[i].split(' #')[0].rstrip()
            if not current:
                start = i + 1
            if line.strip() and not line.lstrip().startswith('#'):
                if line.endswith('\\'):
                    current += line[:-1].strip() + ' '
                else:
                    out.append((start, (current + line.strip()).strip()))
                    current = ''
            i += 1
        i += 1
    return out
