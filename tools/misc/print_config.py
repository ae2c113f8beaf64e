# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Print a config with its bases merged and every ``{{_base_.x}}``
resolved (mmdet's ``print_config.py``). Example::

    python tools/misc/print_config.py configs/demo/e2evlp_shapes_vqa.py \\
        --cfg-options model.encoder.num_layers=1
"""
import argparse

from mmengine.config import Config, DictAction


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value')
    parser.add_argument('--save-path', help='also write the resolved '
                        'config here (.py, .json or .yaml)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    print(f'Config:\n{cfg.pretty_text}')
    if args.save_path:
        cfg.dump(args.save_path)
        print(f'saved to {args.save_path}')


if __name__ == '__main__':
    main()
