"""The registry of computed answers: exercise id -> a function that computes, checks and explains.

Ids are "<EN section>.<n>", n the exercise's top-level number in the English edition (d2l-en 7.2-8.8);
"zh-<section>.<n>" for an exercise only the Chinese edition has. Each function takes no arguments (or only
keyword arguments with defaults), never draws, and returns an `Answer` whose checks compare every number it
shows with PyTorch. tests/unit/test_exercise_answers*.py recompute them independently.
"""

from __future__ import annotations

from typing import Callable

from cnnviz.exercises import answers_bn as bn
from cnnviz.exercises import answers_channels as channels
from cnnviz.exercises import answers_conv as conv
from cnnviz.exercises import answers_densenet as densenet
from cnnviz.exercises import answers_inception as inception
from cnnviz.exercises import answers_nets as nets
from cnnviz.exercises import answers_nin as nin
from cnnviz.exercises import answers_padding as padding
from cnnviz.exercises import answers_pool as pool
from cnnviz.exercises import answers_resnet as resnet
from cnnviz.exercises import answers_vgg as vgg
from cnnviz.exercises.answer import Answer

ANSWERS: dict[str, Callable[[], Answer]] = {
    # 7.2 Convolutions for images (zh 6.2)
    "7.2.1": conv.diagonal_edges,
    "7.2.2": conv.hand_kernels,
    "7.2.3": conv.autograd_through_the_loop,
    "7.2.4": conv.cross_correlation_as_matmul,
    # 7.3 Padding and stride (zh 6.3)
    "7.3.1": padding.book_example_shape,
    "zh-6.3.2": padding.other_combinations,
    "7.3.3": padding.mirror_padding,
    "7.3.4": padding.stride_savings,
    "7.3.6": padding.half_stride,
    # 7.4 Multiple input and output channels (zh 6.4)
    "7.4.1": channels.two_kernels,
    "7.4.2": channels.layer_cost_answer,
    "7.4.3": channels.doubling,
    "zh-6.4.4": channels.one_by_one_cost,
    "7.4.4": channels.y1_y2,
    "7.4.5": channels.conv_as_matmul,
    "7.4.7": channels.block_diagonal,
    # 7.5 Pooling (zh 6.5)
    "7.5.1": pool.average_pooling,
    "7.5.2": pool.max_pooling_not_linear,
    "7.5.3": pool.max_from_relu,
    "7.5.4": pool.pooling_cost,
    "7.5.6": pool.min_pooling,
    # 8.1 AlexNet (zh 7.1)
    "8.1.1": nets.alexnet_costs,
    # 8.2 VGG (zh 7.2)
    "8.2.1": nets.alexnet_vs_vgg,
    "8.2.2": nets.vgg_layers,
    "8.2.3": vgg.vgg_family,
    "8.2.4": vgg.vgg_smaller_inputs,
    # 8.3 NiN (zh 7.3)
    "8.3.1": nin.nin_one_by_one_count,
    "8.3.2": nets.nin_three_by_three,
    "8.3.3": nets.nin_dense_head,
    "8.3.4": nets.nin_resources,
    # 8.4 GoogLeNet (zh 7.4)
    "8.4.2": nets.googlenet_smallest_input,
    "8.4.4": inception.model_sizes_and_inception,
    "8.4.5": inception.googlenet_vs_alexnet,  # the computable part of an "explore" exercise
    # 8.5 Batch normalization (zh 7.5)
    "8.5.1": bn.bias_before_batch_norm,
    "8.5.4": bn.lite_batch_norm,
    # 8.6 ResNet (zh 7.6)
    "8.6.2": resnet.resnet_depths,
    "8.6.3": resnet.bottleneck_saving,
    # 8.7 DenseNet (zh 7.7): three "explore" exercises whose numbers the app computes
    "8.7.1": densenet.average_or_max_pooling,
    "8.7.2": densenet.densenet_vs_resnet,
    "8.7.3": densenet.densenet_memory,
    # 8.8 Designing CNN architectures (English edition only)
    "8.8.2": resnet.regnet_with_resnet_blocks,
}
