# E2E-VLP, ResNet-152, 12 encoder layers: the paper's main model (94M
# parameters, Tables 1-5), pre-trained on COCO + VG (Sec. 4); the task
# configs (e2evlp_r152_*.py) fine-tune its checkpoint.
# 8 GPUs x 4 images: bash tools/dist_train.sh configs/e2evlp_r152_pretrain.py 8
_base_ = './e2evlp_r152_6l_pretrain.py'
model = dict(encoder=dict(num_layers=12))  # Table 5
