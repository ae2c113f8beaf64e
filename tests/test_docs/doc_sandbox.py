"""A folder in which the documented commands run as written: the
repository's configs/, tools/ and demo/, a tiny shapes world under
data/shapes_world, tiny checkpoints where `make demo` and `make
demo-downstream` leave theirs, and the custom records of
docs/custom_dataset.md. Commands run in this process (no interpreter
start-up per command)."""
import contextlib
import csv
import io
import json
import os
import os.path as osp
import runpy
import shlex
import shutil
import string
import subprocess
import sys
from typing import Dict, List

from doc_pages import ROOT
from mmengine.config import Config
from PIL import Image, ImageDraw

from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint

DEMO_TASKS = ('pretrain', 'vqa', 'nlvr2', 'caption', 'retrieval', 'det')
# A documented training run is cut to 2 iterations; its checkpoint is then
# also linked under the name the full schedule gives it, which the next
# documented command reads.
FAST_TRAIN = ['train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
              'train_dataloader.batch_size=4']
COLOURS = {'red': (220, 30, 30), 'blue': (30, 30, 220),
           'green': (30, 180, 30)}


def _max_iters(config: str) -> int:
    return Config.fromfile(config).train_cfg.max_iters


def make_sandbox(root: str) -> None:
    """Fill ``root`` (the working directory of the commands)."""
    for name in ('configs', 'tools', 'demo'):
        os.symlink(osp.join(ROOT, name), osp.join(root, name))
    world = osp.join(root, 'data', 'shapes_world')
    make_tiny_shapes_world(world)
    val = osp.join(world, 'coco', 'val2017')
    for k, name in enumerate(('000000001701', '000000001702',
                              '000000001703')):
        shutil.copy(osp.join(val, f'0000000000{21 + k}.jpg'),
                    osp.join(val, f'{name}.jpg'))
    for task in DEMO_TASKS:
        work = osp.join(root, 'work_dirs',
                        'demo' if task == 'pretrain' else f'demo_{task}')
        _, ckpt = tiny_shapes_checkpoint(task, world, work)
        iters = _max_iters(osp.join(ROOT, 'configs', 'demo',
                                    f'e2evlp_shapes_{task}.py'))
        full = osp.join(work, f'iter_{iters}.pth')
        os.replace(ckpt, full)
        with open(osp.join(work, 'last_checkpoint'), 'w') as f:
            f.write(full)
    make_custom_records(root)


def make_custom_records(root: str) -> None:
    """8 generated photos (a coloured box on grey) and the three record
    files of docs/custom_dataset.md."""
    caps, qa, boxes = [], [], []
    for i in range(8):
        colour = list(COLOURS)[i % 3]
        img = Image.new('RGB', (96, 80), (200, 200, 200))
        x, y, w, h = 10 + 5 * i, 12, 30, 25
        ImageDraw.Draw(img).rectangle([x, y, x + w, y + h],
                                      fill=COLOURS[colour])
        name = f'sub/photo_{i}.png' if i % 2 else f'photo_{i}.png'
        os.makedirs(osp.join(root, 'my_images', 'sub'), exist_ok=True)
        img.save(osp.join(root, 'my_images', name))
        caps += [dict(image=name, caption=f'a {colour} box on grey'),
                 dict(image=name, caption=f'one {colour} rectangle')]
        qa.append(dict(image=name, question='what color is the box?',
                       answer=colour))
        boxes.append(dict(image=name, x=x, y=y, w=w, h=h,
                          name=f'{colour} box', caption=f'a {colour} box'))
    with open(osp.join(root, 'my_captions.jsonl'), 'w') as f:
        f.writelines(json.dumps(r) + '\n' for r in caps)
    for file, rows in (('my_qa.csv', qa), ('my_boxes.csv', boxes)):
        with open(osp.join(root, file), 'w', newline='') as f:
            writer = csv.DictWriter(f, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


class CommandRunner:
    """Runs documented commands in the sandbox (the working directory)."""

    def __init__(self) -> None:
        self.env: Dict[str, str] = {}
        self.count = 0

    def run(self, command: str) -> str:
        """Run one shell line or python block; return what it printed."""
        if command.startswith('```python'):
            return self._python_block(command[len('```python'):])
        line = string.Template(command).safe_substitute(self.env)
        words = shlex.split(line)
        if '=' in words[0] and len(words) == 1:
            key, value = words[0].split('=', 1)
            self.env[key] = value
            return ''
        if words[0] == 'python' and words[1].endswith('.py'):
            return self._script(words[1], words[2:])
        proc = subprocess.run(line, shell=True, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, f'{line}\n{proc.stdout}{proc.stderr}'
        return proc.stdout

    def _script(self, script: str, args: List[str]) -> str:
        self.count += 1
        train = script == 'tools/train.py'
        if script in ('tools/train.py', 'tools/test.py'):
            extra = [f'experiment_name=doc_command_{self.count}']
            extra += FAST_TRAIN if train else []
            if '--cfg-options' in args:
                i = args.index('--cfg-options') + 1
                args = args[:i] + extra + args[i:]
            else:
                args = args + ['--cfg-options'] + extra
        out = io.StringIO()
        argv = sys.argv
        sys.argv = [script] + args
        sys.path.insert(0, osp.abspath(osp.dirname(script)))  # as `python`
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(script, run_name='__main__')
        except SystemExit as e:
            assert e.code in (None, 0), f'{script} {args}: exit {e.code}'
        finally:
            sys.argv = argv
            sys.path.pop(0)
        if train:
            self._link_full_schedule(args)
        return out.getvalue()

    def _link_full_schedule(self, args: List[str]) -> None:
        cfg = Config.fromfile(args[0])
        work = (args[args.index('--work-dir') + 1] if '--work-dir' in args
                else cfg.get('work_dir') or osp.join(
                    'work_dirs', osp.splitext(osp.basename(args[0]))[0]))
        full = osp.join(work, f'iter_{cfg.train_cfg.max_iters}.pth')
        if osp.lexists(full):
            os.remove(full)
        os.symlink('iter_2.pth', full)

    def _python_block(self, code: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, '<docs python block>', 'exec'), {})
        return out.getvalue()
