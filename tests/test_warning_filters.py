"""The pytest configuration's warning filters: a warning raised from
project code (``e2evlp_mm``, or a tool or demo script run in-process as
``__main__``) fails the test that raised it; another library's warning
does not."""
import os.path as osp
import subprocess
import sys
import textwrap

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# Code run under a module name, as Python attributes a warning to the
# module of the frame that raises it (``warnings.warn``'s stacklevel).
TESTS = """
import runpy
import warnings

CODE = 'import warnings\\ndef f():\\n    warnings.warn("old", {category})'


def warn_from(module, category='DeprecationWarning'):
    scope = dict(__name__=module)
    exec(CODE.format(category=category), scope)
    scope['f']()


def test_package():
    warn_from('e2evlp_mm.datasets.shapes_world.render')


def test_package_user_warning():
    warn_from('e2evlp_mm.apis', 'UserWarning')


def test_script(tmp_path):
    script = tmp_path / 'tool.py'
    script.write_text('import warnings\\nwarnings.warn("old", FutureWarning)')
    runpy.run_path(str(script), run_name='__main__')


def test_other_library():
    warn_from('some_library.module')
"""


def test_project_warnings_fail_the_run(tmp_path):
    (tmp_path / 'test_warns.py').write_text(textwrap.dedent(TESTS))
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-rA', '-p',
         'no:cacheprovider', '-c', osp.join(ROOT, 'pyproject.toml'),
         '--rootdir', str(tmp_path), 'test_warns.py'],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 1, out
    for name in ('test_package', 'test_package_user_warning',
                 'test_script'):
        assert f'FAILED test_warns.py::{name} - ' in out, out
    assert 'PASSED test_warns.py::test_other_library' in out, out
    assert 'DeprecationWarning: old' in out and 'FutureWarning: old' in out
