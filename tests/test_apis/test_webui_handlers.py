"""The web demo's handlers without a browser: bad input answered with a
message (never an exception), missing checkpoints listed, answers equal
to E2EVLPInferencer's."""
import pytest
from PIL import Image

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.apis.webui_handlers import Handlers
from e2evlp_mm.apis.webui_inputs import check_image
from e2evlp_mm.apis.webui_models import DEMO_WORK_DIRS, ModelServer
from e2evlp_mm.apis.webui_search import DEFAULT_PREFILTER, GalleryCache
from e2evlp_mm.testing import tiny_shapes_work_dirs


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('webui_handlers')
    tiny_shapes_work_dirs(str(root), ('vqa', 'nlvr2', 'retrieval'))
    return root


@pytest.fixture(scope='module')
def scenes(world):
    val = world / 'shapes_world' / 'coco' / 'val2017'
    return [str(p) for p in sorted(val.iterdir())[:2]]


@pytest.fixture(scope='module')
def handlers(world):
    broken = world / 'broken'
    broken.mkdir()
    (broken / 'e2evlp_shapes_vqa.py').write_text(
        (world / 'vqa' / 'e2evlp_shapes_vqa.py').read_text())
    (broken / 'iter_1.pth').write_text('not a checkpoint')
    server = ModelServer(
        [[str(world / 'vqa')], [str(world / 'nlvr2')],
         [str(world / 'retrieval')], [str(world / 'nowhere')],
         [str(world / 'vqa' / 'e2evlp_shapes_vqa.py')], [str(broken)],
         [str(broken / 'e2evlp_shapes_vqa.py'), str(broken / 'iter_1.pth')]],
        device='cpu')
    return Handlers(server, [str(world / 'shapes_world' / 'flickr30k' /
                                 'flickr30k-images')])


def test_server_lists_what_it_does_not_serve(handlers, world, tmp_path,
                                             monkeypatch):
    server = handlers.server
    assert [m.name for m in server.models] == [
        str(world / t) for t in ('vqa', 'nlvr2', 'retrieval')]
    assert [m.name for m in server.for_tab('ask')] == [str(world / 'vqa')]
    assert server.for_tab('describe') == []  # its tab is not shown
    problems = '\n'.join(server.problems)
    assert f'{world / "nowhere"}: no such file or folder' in problems
    assert 'a config needs a checkpoint' in problems
    assert f'{world / "broken"}: no checkpoint' in problems
    assert 'e2evlp_shapes_vqa.py + iter_1.pth: could not load' in problems
    # no --model and no demo run here: every demo work dir is named
    monkeypatch.chdir(tmp_path)
    empty = ModelServer(None)
    assert empty.models == []
    assert all(d in empty.problems[0] for d in DEMO_WORK_DIRS)


def test_bad_input_gets_a_message(handlers, world, scenes, tmp_path):
    text_file = tmp_path / 'photo.png'
    text_file.write_text('not a picture')
    bad = {
        'Upload an image first': handlers.ask(None, None, 'what?'),
        'photo.png is not an image': handlers.ask(None, str(text_file),
                                                  'what?'),
        'Type a question first': handlers.ask(None, scenes[0], '   '),
        'Upload a right image first': handlers.compare(
            None, scenes[0], None, 'There is a circle.'),
        'Type a statement first': handlers.compare(
            None, scenes[0], scenes[1], ''),
        'The text gallery is empty': handlers.search_texts(
            None, scenes[0], '\n \n'),
        'no checkpoint': handlers.describe(None, scenes[0], ''),
    }
    for message, out in bad.items():
        assert message in out[0] and out[0].startswith('⚠️')
        assert all(o is None for o in out[1:])
    empty = tmp_path / 'empty'
    empty.mkdir()
    for folders, message in (([str(empty)], 'holds no images'),
                             ([str(tmp_path / 'gone')], 'no such folder'),
                             ([], 'The gallery is empty')):
        handlers.gallery_dirs = folders
        assert message in handlers.search_images(None, 'a circle', [])[0]


def test_model_failure_is_a_message(handlers, scenes, monkeypatch):
    model = handlers.server.for_tab('ask')[0]

    def fail(*args, **kwargs):
        raise RuntimeError('out of memory')

    monkeypatch.setattr(model.inferencer, 'forward', fail)
    status, answers = handlers.ask(None, scenes[0], 'what color?')
    assert 'could not answer: RuntimeError: out of memory' in status
    assert answers is None


def test_huge_image_is_downscaled(handlers, tmp_path):
    huge = tmp_path / 'huge.jpg'
    Image.new('RGB', (10000, 10000), (200, 30, 30)).save(huge, quality=50)
    status, answers = handlers.ask(None, str(huge), 'what color is it?')
    assert 'huge.jpg is 10000 x 10000 pixels: downscaled to 4096 x 4096' \
        in status and 'Answered by' in status
    assert answers.count('\n') == 6  # header, rule, 5 answers


def test_too_many_pixels_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 1000)  # as 10x smaller
    path = tmp_path / 'big.png'
    Image.new('RGB', (100, 100)).save(path)
    with pytest.raises(ValueError, match='big.png has more than .* MP'):
        check_image(str(path))


def test_compare_and_search_texts_match_the_inferencer(handlers, world,
                                                       scenes):
    statement = 'There is a red circle.'
    status, picture, verdict = handlers.compare(None, scenes[0], scenes[1],
                                                statement)
    pred = E2EVLPInferencer(str(world / 'nlvr2'), device='cpu')(
        tuple(scenes), texts=statement)['predictions'][0]
    assert f'**{pred["verdict"]}** with probability ' \
        f'{pred["probability"]:.4f}' in verdict
    assert picture.ndim == 3 and 'nlvr2 (iter_1.pth)' in status
    texts = ['a red circle', 'two blue squares', 'a green star']
    status, ranks = handlers.search_texts(None, scenes[0], '\n'.join(texts),
                                          2)
    pred = E2EVLPInferencer(str(world / 'retrieval'), device='cpu')(
        scenes[0], gallery=texts, topk=2)['predictions'][0]
    for i, hit in enumerate(pred['topk'], 1):
        assert f'| {i} | {hit["name"]} | {hit["score"]:.4f} |' in ranks


def test_search_encodes_each_gallery_once(handlers, world, scenes, tmp_path,
                                          monkeypatch):
    folder = world / 'shapes_world' / 'flickr30k' / 'flickr30k-images'
    handlers.gallery_dirs = [str(folder)]
    handlers.galleries = GalleryCache(str(tmp_path / 'cache'))
    first = handlers.search_images(None, 'a red circle', [], 3)
    assert 'Gallery: 4 images, encoded now' in first[0]
    joint = handlers.server.for_tab('search')[0].inferencer \
        .default_prefilter_topk()  # the config's
    assert f'joint pass on the top {joint} of the pre-filter' in first[0]
    assert len(list((tmp_path / 'cache').iterdir())) == 1
    again = handlers.search_images(None, 'a red circle', [], 3)
    assert 'encoded before' in again[0] and again[1:] == first[1:]
    images = sorted(str(p) for p in folder.iterdir())
    pred = E2EVLPInferencer(str(world / 'retrieval'), device='cpu')(
        images, texts='a red circle', task='retrieve',
        topk=3)['predictions'][0]
    assert [v[0] for v in first[1]] == [h['name'] for h in pred['topk']]
    # a restarted page reads the saved gallery; uploads join the folder
    handlers.galleries = GalleryCache(str(tmp_path / 'cache'))
    status, view, ranks = handlers.search_images(None, 'a red circle',
                                                 scenes, 6)
    assert 'Gallery: 6 images' in status and len(view) == 6
    assert {v[0] for v in view} == set(images[:4]) | set(scenes)
    # a checkpoint whose config predates prefilter_topk: the demo's
    model = handlers.server.for_tab('search')[0]
    monkeypatch.setattr(model.inferencer, 'default_prefilter_topk',
                        lambda: None)
    status, ranks = handlers.search_texts(None, scenes[0], 'a\nb', 2)
    assert f'2 texts; joint pass on the top {DEFAULT_PREFILTER} of the ' \
        'pre-filter' in status
