"""README, docs, code comments and configs speak of the project only: no
words about how it was built (which sitting or session produced what, who
measured, which hardware was lent or made available)."""
import glob
import os.path as osp
import re

from doc_pages import ROOT

SCANNED = ('README.md', 'Makefile', 'pyproject.toml', 'docs/**/*.md',
           'e2evlp_mm/**/*.py', 'tools/**/*.py', 'tools/**/*.sh',
           'configs/**/*.py', 'demo/**/*.py', 'tests/**/*.py', '.ci/*',
           'requirements/*.txt')
HERE = osp.dirname(osp.abspath(__file__))
# Each pattern is a way of speaking about the building of the project.
PATTERNS = [
    r'\bsessions?\b(?!\W{1,2}\)|[\'"]\))',  # pytest's scope='session' is ok
    # 'sitting' as a work period, not the posture (a VG attribute)
    r'\b(which|earlier|previous|this|that|another|each|one|first|second|'
    r'later|last|next) sitting\b|\bsitting \d|\bsittings\b',
    r'\blent\b',
    r'\bagents?\b',
    r'\bdevelopers?\b',
    r'\bthe lead\b',
    r'\bhelper (session|agent|developer)s?\b',
    r'\b(was|were|is|not) (made )?available to (us|this (project|task))\b',
    r'\bno GPU (was|is|has been) (available|lent|given)\b',
    r'\b(we|I) (measured|ran|tried)\b',
    r'\bmeasured by (us|me)\b',
]
WORDS = re.compile('|'.join(f'(?:{p})' for p in PATTERNS), re.IGNORECASE)


def _files():
    for pattern in SCANNED:
        for path in glob.glob(osp.join(ROOT, pattern), recursive=True):
            if osp.isfile(path) and not path.startswith(HERE):
                yield path


def find_words(text: str):
    """The offending phrases of a text."""
    return [m.group(0) for m in WORDS.finditer(text)]


def test_no_words_about_how_the_project_was_built():
    hits = []
    for path in sorted(set(_files())):
        with open(path, encoding='utf-8', errors='replace') as f:
            for number, line in enumerate(f, 1):
                for word in find_words(line):
                    hits.append(f'{osp.relpath(path, ROOT)}:{number}: '
                                f'{word!r} in {line.strip()[:100]}')
    assert not hits, '\n'.join(hits)


def test_the_patterns_catch_such_words_and_spare_plain_ones():
    for text in ('measured in session 3', 'an earlier sitting',
                 'no GPU was lent to this task', 'the helper agents',
                 'was not available to this project', 'we measured it',
                 'the lead pastes'):
        assert find_words(text), text
    for text in ("@pytest.fixture(scope='session')", 'test helpers',
                 'measured 2026-11-30 at commit 50f09c6', 'a silent run',
                 'the cached wheel is used when available',
                 'a man sitting on a bench', 'sitting standing large'):
        assert not find_words(text), text
