"""Every relative link of README.md and docs/*.md resolves: the file
exists and, for ``#anchor`` links, the target has that heading."""
import os.path as osp

from doc_pages import ROOT, anchors, links, markdown_files


def _broken(path, root=ROOT):
    here = osp.dirname(osp.join(root, path))
    for number, target in links(path, root):
        if target.startswith(('http://', 'https://', 'mailto:')):
            continue
        file_part, _, anchor = target.partition('#')
        full = (osp.normpath(osp.join(here, file_part))
                if file_part else osp.join(root, path))
        rel = osp.relpath(full, root)
        if not osp.exists(full):
            yield f'{path}:{number}: {target} (no such file)'
            continue
        if anchor and anchor not in anchors(rel, root):
            yield f'{path}:{number}: {target} (no heading #{anchor})'


def test_every_relative_link_resolves():
    broken = [b for path in markdown_files() for b in _broken(path)]
    assert not broken, '\n'.join(broken)


def test_link_check_finds_a_missing_file_and_heading(tmp_path):
    (tmp_path / 'docs').mkdir()
    (tmp_path / 'README.md').write_text(
        '# Title\n## Some `code` heading\n[ok](#some-code-heading) '
        '[bad](#nope) [file](docs/a.md#two) [gone](docs/none.md)\n'
        '```\n[inside a code block](code.md)\n```\n')
    (tmp_path / 'docs' / 'a.md').write_text('# One\n## Two\n')
    broken = list(_broken('README.md', str(tmp_path)))
    assert len(broken) == 2, broken
    assert '#nope' in broken[0] and 'docs/none.md' in broken[1]


def test_readme_stays_a_front_page():
    """README is the front door; details belong in docs/ (<= 250 lines)."""
    with open(osp.join(ROOT, 'README.md')) as f:
        assert len(f.read().splitlines()) <= 250
