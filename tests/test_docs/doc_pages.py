"""Reading README.md and docs/*.md for the docs tests: links, headings
and marked code blocks."""
import glob
import os.path as osp
import re
from typing import Iterator, List, Tuple

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
FENCE = re.compile(r'^(```|~~~)')
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)'
                  r'|<img\s[^>]*src="([^"]+)"')
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
        for pair in LINK.findall(re.sub(r'`[^`]*`', '', line)):
            yield number, pair[0] or pair[1]


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


def code_blocks(path: str, root: str = ROOT) -> List[Tuple[int, str, str,
                                                         bool]]:
    """(first line number, language, text, marked) of every fenced block;
    ``marked``: the block follows a ``<!-- test-command -->`` line."""
    with open(osp.join(root, path), encoding='utf-8') as f:
        lines = f.read().split('\n')
    blocks, i, marked = [], 0, False
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped == COMMAND_MARK:
            marked = True
        elif FENCE.match(stripped):
            language, start, body = stripped[3:].strip(), i + 2, []
            i += 1
            while i < len(lines) and not FENCE.match(lines[i].strip()):
                body.append(lines[i])
                i += 1
            blocks.append((start, language, '\n'.join(body), marked))
            marked = False
        elif stripped:
            marked = False
        i += 1
    return blocks


def shell_commands(text: str) -> List[str]:
    """The commands of a shell block: ``\\`` continuations joined,
    comments and blank lines dropped."""
    out, current = [], ''
    for line in text.split('\n'):
        line = re.sub(r'(^|\s)#.*$', '', line).rstrip()
        if not line.strip():
            continue
        if line.endswith('\\'):
            current += line[:-1].strip() + ' '
        else:
            out.append((current + line.strip()).strip())
            current = ''
    return out


def commands(path: str, root: str = ROOT) -> List[Tuple[int, str, bool]]:
    """(line, command, marked) of every shell and python block; a python
    block is one command starting with three backticks and python."""
    out = []
    for start, language, text, marked in code_blocks(path, root):
        if language in ('bash', 'shell', 'sh'):
            out += [(start, c, marked) for c in shell_commands(text)]
        elif language == 'python':
            out.append((start, '```python\n' + text, marked))
    return out
