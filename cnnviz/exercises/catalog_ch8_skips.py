"""Chapter 8 of the English edition, 8.6 (ResNet) and 8.7 (DenseNet), zh 7.6 and 7.7: in cnnviz's own words.

The zh edition's lists hold the same five items in the same order; its 7.6.1 asks how the two blocks relate
once some Inception paths are removed, where the English one asks about cost, accuracy and function classes:
the statement below covers both.
"""

from __future__ import annotations

from cnnviz.exercises.catalog_types import BUILDER, exercise as ex

_USE = ("Press \"Use for training\", then train it on the Train page and compare with resnet18.",
        "按“用于训练”按钮，然后在训练页面训练，并与 resnet18 比较。")

S86 = (
    ex("8.6.1", "7.6.1", "explore",
       ("How does the Inception block differ from the residual block: in computation, in accuracy, in the "
        "functions each can represent? What is left of an Inception block once all but one path is removed?",
        "Inception 块与残差块有何不同：计算量、精度，以及各自能表示的函数类？去掉 Inception 块中只剩一条路径后，"
        "它与残差块还有什么关系？"),
       ("A residual block adds its input to one path; an Inception block concatenates four paths and never "
        "passes its input through unchanged. Compare googlenet and resnet18 in the builder.",
        "残差块把输入加到一条路径的输出上；Inception 块把四条路径连结起来，从不原样传递输入。在构建器中比较 "
        "googlenet 与 resnet18。"),
       BUILDER, {"preset": "resnet18"}),
    ex("8.6.2", "7.6.2", "experiment",
       ("Build other ResNet depths from Table 1 of the ResNet paper, such as ResNet-34 with 3, 4, 6 and 3 "
        "residual blocks per stage.",
        "参考 ResNet 论文的表 1 实现其他深度的变体，例如每个阶段分别有 3、4、6、3 个残差块的 ResNet-34。"),
       ("Add ResidualBlock rows to resnet18 (the first of each stage with stride 2 and a 1x1 shortcut) and "
        "watch the parameters and FLOPs grow.",
        "在 resnet18 中添加 ResidualBlock 行（每个阶段的第一个用步幅 2 和 1x1 卷积捷径），观察参数量和浮点运算量的"
        "增长。"),
       BUILDER, {"preset": "resnet18"}, _USE),
    ex("8.6.3", "7.6.3", "experiment",
       ("Deeper ResNets use a bottleneck block to cut their cost. Build it.",
        "更深的 ResNet 使用“瓶颈”结构来降低模型复杂度。试着实现它。"),
       ("The bottleneck block (1x1 down to a quarter of the channels, 3x3, 1x1 back up) is a ResNeXtBlock "
        "with 1 group and bottleneck multiplier 0.25: type '1, 0.25, 1x1' in its option cell and compare its "
        "parameters with a ResidualBlock of the same width.",
        "瓶颈块（1x1 卷积降到四分之一通道、3x3 卷积、1x1 卷积升回）就是组数为 1、瓶颈倍数为 0.25 的 ResNeXtBlock："
        "在它的选项格中输入 '1, 0.25, 1x1'，并与同样宽度的 ResidualBlock 比较参数量。"),
       BUILDER, {"preset": "resnet18"}, _USE),
    ex("8.6.4", "7.6.4", "explore",
       ("Later ResNets reorder each block to batch norm, activation, convolution (pre-activation). Make "
        "this change.",
        "ResNet 的后续版本把“卷积、批量规范化、激活”改为“批量规范化、激活、卷积”（预激活）。尝试做这个改进。"),
       ("cnnviz's residual block keeps the book's order; export the PyTorch code and move each BatchNorm2d "
        "and ReLU before its convolution, as the dense block's steps already are.",
        "cnnviz 的残差块保持书中的顺序；导出 PyTorch 代码，把每个 BatchNorm2d 和 ReLU 移到对应卷积之前，"
        "就像稠密块中的每一步那样。"),
       BUILDER, {"preset": "resnet18"}),
    ex("8.6.5", "7.6.5", "explore",
       ("Even when function classes are nested, why not make the functions ever more complex?",
        "即使函数类是嵌套的，为什么仍然不能无限制地增加函数的复杂度？"),
       ("More capacity needs more data and compute, and fits noise: train resnet_small and watch the gap "
        "between training and test accuracy.",
        "更大的容量需要更多数据和计算，还会拟合噪声：训练 resnet_small，观察训练精度与测试精度之间的差距。"),
       BUILDER, {"preset": "resnet_small"}),
)

S87 = (
    ex("8.7.1", "7.7.1", "explore",
       ("Why does the transition layer use average pooling rather than max pooling?",
        "为什么过渡层使用平均汇聚层而不是最大汇聚层？"),
       ("Every value a dense block concatenated is a feature later layers may need: averaging keeps a share "
        "of all four, and every one of them gets gradient; a max pool keeps one.",
        "稠密块连结的每个值都可能被后面的层用到：平均汇聚保留四个值各自的一份，并让每个值都得到梯度；最大汇聚只"
        "保留一个。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.2", "7.7.2", "explore",
       ("DenseNet has far fewer parameters than ResNet. Why?",
        "DenseNet 的模型参数比 ResNet 少得多。为什么？"),
       ("Compare densenet (758,226) with resnet18 (11,178,378): each dense step outputs only 32 channels "
        "(the growth rate) and transitions halve the channels, while ResNet's 3x3 convolutions reach 512 "
        "channels in and out.",
        "比较 densenet（758,226）与 resnet18（11,178,378）：稠密块每一步只输出 32 个通道（增长率），过渡层又把通道"
        "数减半，而 ResNet 的 3x3 卷积输入输出都达到 512 个通道。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.3", "7.7.3", "explore",
       ("DenseNet is said to need much memory. Is that so at 224x224? How else could memory be cut, and what "
        "would the framework need for it?",
        "DenseNet 常被诟病内存或显存消耗过多。在 224x224 的输入上真是这样吗？还有什么办法减少内存，框架需要做什么"
        "改变？"),
       ("Set the input to 224 and read the training memory, then do the same for resnet18. Each concatenation "
        "copies everything before it; recomputing them in the backward pass instead of storing them is one "
        "way out.",
        "把输入设为 224，读出训练内存，再对 resnet18 做同样的事。每次连结都会复制它之前的全部特征；在反向传播时"
        "重新计算而不保存它们是一种办法。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.4", "7.7.4", "explore",
       ("Build the DenseNet versions of Table 1 of the DenseNet paper.",
        "实现 DenseNet 论文表 1 中的不同 DenseNet 版本。"),
       ("DenseNet-121 has dense blocks of 6, 12, 24 and 16 steps with growth rate 32; the paper's steps also "
        "start with a 1x1 convolution that cnnviz's dense block leaves out.",
        "DenseNet-121 的四个稠密块分别有 6、12、24、16 步，增长率为 32；论文中的每一步还先有一个 1x1 卷积，"
        "cnnviz 的稠密块没有这一层。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.5", "7.7.5", "explore",
       ("Design a DenseNet-style MLP and use it for the house-price prediction task.",
        "应用 DenseNet 的思想设计一个基于多层感知机的模型，并把它用于房价预测任务。"),
       ("Each dense layer's output is concatenated to its input features; cnnviz builds image networks "
        "only, so write it in PyTorch after the exported dense block.",
        "每个全连接层的输出都与它的输入特征连结；cnnviz 只构建图像网络，可以照着导出的稠密块代码用 PyTorch 写。"),
       BUILDER, {"preset": "densenet"}),
)

CH8_SKIPS = S86 + S87
